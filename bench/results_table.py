"""The RESULTS.md table from `townhall simulate --json` files: ours, the baselines, ours with the guard forced on.

    .venv/bin/python -m bench.results_table DEFAULT.json GUARD.json

DEFAULT.json: `simulate --json` with the default policies; GUARD.json: the same
scenario, days and seed with `--policies ours --rules bench/rules/guard-slots.toml`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROWS = (
    ("booked_on_time", "booked ≤ 5 min after max(slot, check-in)", True),
    ("mean", "walk-in wait mean (min)", False),
    ("p95", "walk-in wait p95 (min)", False),
    ("max", "walk-in wait max, daily (min)", False),
    ("est_mae", "estimate MAE (min)", False),
    ("est_within_5", "estimate within ±5 min", True),
    ("zms_mae", "ZMS estimate MAE (min)", False),
    ("zms_within_5", "ZMS estimate within ±5 min", True),
)


def cell(figure: dict[str, Any] | None, share: bool) -> str:
    if figure is None:
        return "–"
    mean, half = figure["mean"], figure["ci95"] or 0.0
    return f"{100 * mean:.1f} ± {100 * half:.1f} %" if share else f"{mean:.2f} ± {half:.2f}"


def table(default: dict[str, Any], guard: dict[str, Any]) -> str:
    columns = {**default["policies"], "ours, guard forced": guard["policies"]["ours"]}
    lines = [f"{default['scenario']}, {default['days']} days, seed {default['seed']}", "",
             "| figure | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for key, label, share in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(p.get(key), share) for p in columns.values()) + " |")
    return "\n".join(lines)


def verdict(default: dict[str, Any]) -> str:
    """Ours against the best baseline: booked (at least), mean/p95/max ratios, estimate MAE ratio."""
    ours = default["policies"]["ours"]
    bases = {k: v for k, v in default["policies"].items() if k != "ours"}
    booked = max(v["booked_on_time"]["mean"] for v in bases.values())
    ratios = {k: ours[k]["mean"] / min(v[k]["mean"] for v in bases.values()) for k in ("mean", "p95", "max")}
    mae = ours["est_mae"]["mean"] / ours["zms_mae"]["mean"]
    return (f"booked {100 * ours['booked_on_time']['mean']:.1f} % (best baseline {100 * booked:.1f} %); "
            f"walk-in mean {ratios['mean']:.3f}, p95 {ratios['p95']:.3f}, max {ratios['max']:.3f} × best baseline; "
            f"estimate MAE {mae:.3f} × ZMS, within ±5 min {100 * ours['est_within_5']['mean']:.1f} %")


def main() -> None:
    default, guard = (json.loads(Path(p).read_text(encoding="utf-8")) for p in sys.argv[1:3])
    print(table(default, guard))
    print()
    print("- " + verdict(default))


if __name__ == "__main__":
    main()
