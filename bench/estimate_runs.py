"""How often the walk-in estimate is within ±5 minutes with more sampled runs, and what they cost.

    .venv/bin/python -m bench.estimate_runs SCENARIO.toml --days 100 --seed 101 --runs 8 16 32 [--weight 0.8]

Runs our policy over the days `townhall simulate` draws for the seed. At every check-in it
makes the walk-in's estimate once for each count of runs (`ServiceStats.samples`, 8 by
default; `--weight` sets `sampled_weight`, the share of the runs' densest window in the
point), from the same state, and scores each against the real wait as the report does:
each day's share within ±5 minutes, MAE and bias, mean over days. The policy never reads an
estimate, so every count sees the same days and the same calls: the first count's figures
are those of `townhall simulate --policies ours` when it is the default, and the others are
compared with it day by day (the paired difference and its 95 % half-width). The CPU seconds
are the process time spent in the estimates of each count.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from counter_server.core.estimate import QueueState, ServiceStats, estimate_waits
from counter_server.core.model import Ticket
from counter_server.core.policy import Rules

from .report import mean_and_half
from .scenario import Day, Scenario, draw_day, load_scenario
from .simulator import _Office, ours


@dataclass
class Tally:
    """One count of runs: per day, the estimates' errors (estimate minus wait); the CPU they took."""

    runs: int
    errors: list[list[float]] = field(default_factory=list)
    cpu_s: float = 0.0


class _Scoring(_Office):
    """A simulated day whose check-ins are estimated once per count of runs (and not otherwise)."""

    def __init__(self, scenario: Scenario, day: Day, tallies: Sequence[Tally], weight: float | None) -> None:
        super().__init__(scenario, day, ours, Rules(), True)
        self.tallies, self.weight = tallies, weight
        self.told: dict[str, tuple[float, list[float | None]]] = {}
        for tally in tallies:
            tally.errors.append([])

    def promise(self, at: float, ticket: Ticket) -> None:
        """Called at walk-ins' check-ins only (`_Office.arrive`)."""
        now, stats, state = self.estimating_state(at)
        self.told[ticket.id] = (at, [self._point(ticket, now, state, self._stats(stats, t.runs), t) for t in self.tallies])

    def _stats(self, stats: ServiceStats, runs: int) -> ServiceStats:
        weight = stats.sampled_weight if self.weight is None else self.weight
        return replace(stats, samples=runs, sampled_weight=weight)

    @staticmethod
    def _point(ticket: Ticket, now: datetime, state: QueueState, stats: ServiceStats, tally: Tally) -> float | None:
        started = time.process_time()
        found = estimate_waits(state, now, stats, wanted={ticket.id}).get(ticket.id)
        tally.cpu_s += time.process_time() - started
        return None if found is None else found.minutes

    def call(self, at: float, now: datetime, index: int, ticket: Ticket) -> None:
        told = self.told.pop(ticket.id, None)
        if told is not None:
            checked_in, points = told
            for tally, point in zip(self.tallies, points, strict=True):
                if point is not None:
                    tally.errors[-1].append(point - (at - checked_in))
        super().call(at, now, index, ticket)


def score(path: Path, days: int, seed: int, counts: Sequence[int], weight: float | None = None) -> list[Tally]:
    """Every count's errors over the days `townhall simulate` draws for `seed`."""
    scenario = load_scenario(path)
    tallies = [Tally(runs) for runs in counts]
    for index in range(days):
        _Scoring(scenario, draw_day(scenario, random.Random(f"{seed}/{index}")), tallies, weight).run()
    return tallies


def _within(errors: list[float]) -> float:
    return sum(abs(e) <= 5 for e in errors) / len(errors)


def figures(tally: Tally, first: Tally) -> dict[str, tuple[float, float]]:
    """Within ±5 min, MAE, bias (mean over days ± half-width), and within ±5 min against `first`, day by day."""
    days = [i for i, errors in enumerate(tally.errors) if errors and first.errors[i]]
    return {
        "within_5": mean_and_half([_within(tally.errors[i]) for i in days]),
        "mae": mean_and_half([sum(map(abs, tally.errors[i])) / len(tally.errors[i]) for i in days]),
        "bias": mean_and_half([sum(tally.errors[i]) / len(tally.errors[i]) for i in days]),
        "gain": mean_and_half([_within(tally.errors[i]) - _within(first.errors[i]) for i in days]),
    }


def table(tallies: Sequence[Tally]) -> str:
    lines = ["| runs | within ±5 min | against the first count, day by day | MAE (min) | bias (min) | CPU of the estimates |",
             "|---|---|---|---|---|---|"]
    for tally in tallies:
        f = figures(tally, tallies[0])
        lines.append(
            f"| {tally.runs} | {100 * f['within_5'][0]:.2f} ± {100 * f['within_5'][1]:.2f} % "
            f"| {100 * f['gain'][0]:+.2f} ± {100 * f['gain'][1]:.2f} points "
            f"| {f['mae'][0]:.3f} ± {f['mae'][1]:.3f} | {f['bias'][0]:+.2f} ± {f['bias'][1]:.2f} | {tally.cpu_s:.1f} s |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.estimate_runs", description=__doc__.split("\n")[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--runs", type=int, nargs="+", default=[8, 16, 32], help="counts of sampled runs")
    parser.add_argument("--weight", type=float, help="sampled_weight for every count (default: the estimate's)")
    args = parser.parse_args()
    if args.days < 2 or min(args.runs) < 0:
        parser.error("--days must be at least 2 and --runs at least 0")
    tallies = score(args.scenario, args.days, args.seed, args.runs, args.weight)
    print(f"{args.scenario.name}, {args.days} days from seed {args.seed}, policy ours; cells: mean over days ± 95 %\n")
    print(table(tallies))


if __name__ == "__main__":
    main()
