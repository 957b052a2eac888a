"""Ours under two sets of rules and the three baselines on the same days, policy figures only.

    .venv/bin/python -m bench.rule_compare SCENARIO.toml --days 20 --seed 1 --before adaptive_spare_overdue=false

Prints the RESULTS.md table (booked on time, walk-in mean/p95/max, mean over days ± 95 %
half-width) and each of ours' ratios against the best baseline. No estimates are made (they
are what makes `townhall simulate` slow on days with long queues); the days are drawn as
`townhall simulate` draws them, so the same seed gives the same days.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from counter_server.core.policy import Rules, rules_from_mapping

from .report import Summary, summarise
from .scenario import draw_day, load_scenario
from .simulator import DayResult, Policy, policies_by_name, simulate_day

BASELINES = ("fcfs", "longest-queue", "dedicated")
WALK_INS = ("mean", "p95", "max")
ROWS = (("booked_on_time", "booked ≤ 5 min after max(slot, check-in)", True),
        ("mean", "walk-in wait mean (min)", False),
        ("p95", "walk-in wait p95 (min)", False),
        ("max", "walk-in wait max, daily (min)", False))


def _setting(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    parsed: object = {"true": True, "false": False}.get(value, None)
    if parsed is None:
        parsed = float(value)
    return name, parsed


def rules_from_settings(texts: Iterable[str]) -> Rules:
    """Rules from office.toml `[queue]` settings given as NAME=VALUE texts."""
    return rules_from_mapping(dict(_setting(text) for text in texts))


def best_baseline(summaries: Mapping[str, Summary]) -> dict[str, float]:
    """Each figure's best among the baselines: the highest booked share, the shortest walk-in waits."""
    best = {"booked_on_time": max(summaries[b]["booked_on_time"][0] for b in BASELINES)}
    return best | {key: min(summaries[b][key][0] for b in BASELINES) for key in WALK_INS}


def compare(path: Path, days: int, seed: int, before: Rules) -> tuple[str, dict[str, Summary]]:
    scenario = load_scenario(path)
    known = policies_by_name(["ours", *BASELINES])
    runs: dict[str, tuple[Policy, Rules]] = {"ours": (known["ours"], Rules()), "ours, before": (known["ours"], before)}
    runs |= {name: (known[name], Rules()) for name in BASELINES}
    results: dict[str, list[DayResult]] = {name: [] for name in runs}
    for index in range(days):
        day = draw_day(scenario, random.Random(f"{seed}/{index}"))
        for name, (policy, rules) in runs.items():
            results[name].append(simulate_day(scenario=scenario, day=day, policy=policy, rules=rules))
    return scenario.name, {name: summarise(found) for name, found in results.items()}


def table(title: str, summaries: Mapping[str, Summary]) -> str:
    lines = [title, "", "| figure | " + " | ".join(summaries) + " |", "|---|" + "---|" * len(summaries)]
    for key, label, share in ROWS:
        cells = [f"{100 * s[key][0]:.1f} ± {100 * s[key][1]:.1f} %" if share else f"{s[key][0]:.2f} ± {s[key][1]:.2f}"
                 for s in summaries.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("")
    for who in ("ours", "ours, before"):
        ours = summaries[who]
        best = best_baseline(summaries)
        ratio = {k: ours[k][0] / best[k] for k in WALK_INS}
        lines.append(f"- {who}: booked {100 * ours['booked_on_time'][0]:.1f} % "
                     f"(best baseline {100 * best['booked_on_time']:.1f} %); "
                     f"walk-in mean {ratio['mean']:.3f}, p95 {ratio['p95']:.3f}, max {ratio['max']:.3f} × best baseline")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rule_compare", description=__doc__)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--before", nargs="*", default=["adaptive_spare_overdue=false"],
                        help="office.toml [queue] settings of the 'before' column, NAME=VALUE")
    args = parser.parse_args()
    before = rules_from_settings(args.before)
    name, summaries = compare(args.scenario, args.days, args.seed, replace(before))
    print(table(f"{name}, {args.days} days, seed {args.seed} (no estimates)", summaries))


if __name__ == "__main__":
    main()
