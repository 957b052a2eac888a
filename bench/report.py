"""Figures over simulated days: per-day metrics, 95 % intervals, table, JSON and plot."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .simulator import DayResult

# (key, label) in table order; the per-service waits follow them
METRICS: tuple[tuple[str, str], ...] = (
    ("mean", "walk-in wait mean (min)"),
    ("p50", "walk-in wait p50"),
    ("p90", "walk-in wait p90"),
    ("p95", "walk-in wait p95"),
    ("max", "walk-in wait max (daily)"),
    ("within_15", "walk-ins called within 15 min"),
    ("within_30", "walk-ins called within 30 min"),
    ("booked_on_time", "booked called <= 5 min after slot"),
    ("booked_early", "booked called > 5 min before slot"),
    ("utilisation", "counter utilisation"),
    ("est_mae", "estimate MAE (min), ours"),
    ("est_bias", "estimate bias (min), ours"),
    ("est_within_5", "estimate within +-5 min, ours"),
    ("est_in_band", "call inside the low-high band, ours"),
    ("zms_mae", "estimate MAE (min), ZMS"),
    ("zms_bias", "estimate bias (min), ZMS"),
    ("zms_within_5", "estimate within +-5 min, ZMS"),
)

Summary = dict[str, tuple[float, float]]  # metric -> (mean over days, 95 % half-width)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _share(values: Sequence[float], test: Any) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else math.nan


def day_metrics(result: DayResult) -> dict[str, float]:
    waits = [w for _, w in result.walk_in_waits]
    found: dict[str, float] = {}
    if waits:
        found |= {
            "mean": statistics.fmean(waits), "p50": percentile(waits, 0.5),
            "p90": percentile(waits, 0.9), "p95": percentile(waits, 0.95), "max": max(waits),
            "within_15": _share(waits, lambda w: w <= 15), "within_30": _share(waits, lambda w: w <= 30),
        }
    found["booked_on_time"] = _share(result.booked_late, lambda late: late <= 5)
    found["booked_early"] = _share(result.booked_late, lambda late: late < -5)
    found["utilisation"] = result.busy_min / result.counter_min
    per_service: dict[str, list[float]] = {}
    for service_id, wait in result.walk_in_waits:
        per_service.setdefault(service_id, []).append(wait)
    found |= {f"wait_{s}": statistics.fmean(w) for s, w in per_service.items()}
    return found | _estimate_metrics(result)


def _estimate_metrics(result: DayResult) -> dict[str, float]:
    """Errors of the estimates walk-ins were given at check-in (estimate minus real wait)."""
    checks = [c for c in result.checks if c.walk_in and c.ours is not None]
    if not checks:
        return {}
    ours = [c.ours - c.actual for c in checks if c.ours is not None]
    zms = [c.zms - c.actual for c in checks]
    inside = [c.low <= c.actual <= c.high for c in checks if c.low is not None and c.high is not None]
    return {
        "est_mae": statistics.fmean(abs(e) for e in ours), "est_bias": statistics.fmean(ours),
        "est_within_5": _share(ours, lambda e: abs(e) <= 5),
        "est_in_band": sum(inside) / len(inside),
        "zms_mae": statistics.fmean(abs(e) for e in zms), "zms_bias": statistics.fmean(zms),
        "zms_within_5": _share(zms, lambda e: abs(e) <= 5),
    }


def _t95(n: int) -> float:
    """Two-sided 95 % Student t quantile (Cornish-Fisher expansion; exact enough from n = 3)."""
    z = 1.959964
    nu = max(1, n - 1)
    return z + (z**3 + z) / (4 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu**2)


def mean_and_half(values: Sequence[float]) -> tuple[float, float]:
    """The mean of per-day values and its 95 % half-width (Student t; nan for one day)."""
    mean = statistics.fmean(values)
    half = _t95(len(values)) * statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else math.nan
    return mean, half


def summarise(days: Sequence[DayResult]) -> Summary:
    per_day = [day_metrics(d) for d in days]
    keys = sorted({k for m in per_day for k in m})
    summary: Summary = {}
    for key in keys:
        values = [m[key] for m in per_day if key in m and not math.isnan(m[key])]
        if not values:
            continue
        summary[key] = mean_and_half(values)
    worst = [max(w for _, w in d.walk_in_waits) for d in days if d.walk_in_waits]
    if worst:
        summary["worst_max"] = (max(worst), 0.0)
    return summary


def goals(summaries: Mapping[str, Summary]) -> dict[str, Any]:
    """The issue's targets, ours against the best baseline for each figure."""
    ours = summaries.get("ours")
    baselines = {k: v for k, v in summaries.items() if k != "ours"}
    if ours is None or not baselines:
        return {}
    found: dict[str, Any] = {}
    for key, factor in (("p95", 0.85), ("max", 0.85), ("mean", 1.05)):
        best_name = min(baselines, key=lambda n: baselines[n][key][0])
        best = baselines[best_name][key][0]
        found[key] = {"ours": ours[key][0], "best_baseline": best_name, "baseline": best,
                      "ratio": ours[key][0] / best, "target_ratio": factor,
                      "met": ours[key][0] <= factor * best}
    found["booked_on_time"] = {"ours": ours["booked_on_time"][0], "target": 0.95,
                               "met": ours["booked_on_time"][0] >= 0.95}
    if "est_mae" in ours:
        ratio = ours["est_mae"][0] / ours["zms_mae"][0]
        found["est_mae"] = {"ours": ours["est_mae"][0], "zms": ours["zms_mae"][0], "ratio": ratio,
                            "target_ratio": 0.8, "met": ratio <= 0.8}
        found["est_within_5"] = {"ours": ours["est_within_5"][0], "target": 0.8,
                                 "met": ours["est_within_5"][0] >= 0.8}
    return found


def _cell(key: str, value: tuple[float, float]) -> str:
    mean, half = value
    shares = key.startswith(("within", "booked", "est_within", "zms_within", "est_in", "utilisation"))
    if shares:
        return f"{100 * mean:.1f} ± {100 * half:.1f} %" if not math.isnan(half) else f"{100 * mean:.1f} %"
    return f"{mean:.2f} ± {half:.2f}" if not math.isnan(half) else f"{mean:.2f}"


def table(summaries: Mapping[str, Summary]) -> str:
    """A Markdown table, one column per policy; cells are mean ± 95 % half-width over days."""
    names = list(summaries)
    services = sorted({k for s in summaries.values() for k in s if k.startswith("wait_")})
    rows = [*METRICS, ("worst_max", "walk-in wait max (worst day)"),
            *((k, f"walk-in wait mean, {k[5:]}") for k in services)]
    lines = ["| figure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, label in rows:
        if not any(key in summaries[n] for n in names):
            continue
        cells = [_cell(key, summaries[n][key]) if key in summaries[n] else "" for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def goals_text(found: Mapping[str, Any]) -> str:
    lines = []
    for key in ("p95", "max", "mean"):
        if key in found:
            g = found[key]
            lines.append(f"- walk-in {key}: ours {g['ours']:.2f} vs {g['best_baseline']} {g['baseline']:.2f} "
                         f"= {g['ratio']:.3f} (target <= {g['target_ratio']}) {'met' if g['met'] else 'NOT met'}")
    if "booked_on_time" in found:
        g = found["booked_on_time"]
        lines.append(f"- booked called <= 5 min after slot: {100 * g['ours']:.1f} % (target >= 95 %) "
                     f"{'met' if g['met'] else 'NOT met'}")
    if "est_mae" in found:
        g = found["est_mae"]
        lines.append(f"- estimate MAE: ours {g['ours']:.2f} vs ZMS {g['zms']:.2f} = {g['ratio']:.3f} "
                     f"(target <= 0.8) {'met' if g['met'] else 'NOT met'}")
        g = found["est_within_5"]
        lines.append(f"- estimates within +-5 min: {100 * g['ours']:.1f} % (target >= 80 %) "
                     f"{'met' if g['met'] else 'NOT met'}")
    return "\n".join(lines)


def as_json(summaries: Mapping[str, Summary], found: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    return {
        **meta,
        "policies": {
            name: {k: {"mean": m, "ci95": None if math.isnan(h) else h} for k, (m, h) in s.items()}
            for name, s in summaries.items()
        },
        "goals": found,
    }


def plot(results: Mapping[str, Sequence[DayResult]], path: Path) -> None:
    """Survival curves of walk-in waits per policy, and the estimate errors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (waits_ax, errors_ax) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, days in results.items():
        waits = sorted(w for d in days for _, w in d.walk_in_waits)
        if waits:
            n = len(waits)
            waits_ax.step(waits, [1 - (i + 1) / n for i in range(n)], where="post", label=name)
    waits_ax.set_yscale("log")
    waits_ax.set_ylim(1e-4, 1)
    waits_ax.set_xlabel("walk-in wait (min)")
    waits_ax.set_ylabel("share waiting longer")
    waits_ax.set_title("Walk-in waits, all simulated days")
    waits_ax.legend()
    checks = [c for d in results.get("ours", ()) for c in d.checks if c.walk_in and c.ours is not None]
    bins = [x - 0.5 for x in range(-30, 32)]
    if checks:
        errors_ax.hist([c.ours - c.actual for c in checks if c.ours is not None], bins=bins,
                       alpha=0.6, label="ours")
        errors_ax.hist([c.zms - c.actual for c in checks], bins=bins, alpha=0.6, label="ZMS")
        errors_ax.legend()
    errors_ax.axvspan(-5, 5, color="grey", alpha=0.15)
    errors_ax.set_xlabel("estimate at check-in minus real wait (min)")
    errors_ax.set_ylabel("walk-ins")
    errors_ax.set_title("Wait estimates under our policy")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
