"""Which booked visitors are called more than 5 minutes after max(slot, check-in), and why.

    .venv/bin/python -m bench.miss_profile SCENARIO.toml --days 40 --seed 101 [NAME=VALUE ...]

Runs our policy (office.toml `[queue]` settings NAME=VALUE on top of the defaults) over the days
`townhall simulate` draws for the seed, without estimates, and sorts each miss:

- by service and by check-in before or after the slot;
- "a taker free, called someone else": a counter doing the errand called somebody else
  within the 5 minutes after max(slot, check-in) (who: a booked visitor with an earlier or a
  later start, a walk-in past the cap or below it);
- "all takers busy": every counter doing the errand was serving somebody from max(slot,
  check-in) for more than 5 minutes (what they were serving: walk-in or booked, called while the
  slot was inside the guard's horizon or before).
"""

from __future__ import annotations

import argparse
import random
from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from counter_server.core.model import Ticket
from counter_server.core.policy import Rules

from .rule_compare import rules_from_settings
from .scenario import Scenario, Visitor, draw_day, load_scenario
from .simulator import _Office, ours


@dataclass(frozen=True)
class Call:
    counter: int
    at: float
    ends: float
    visitor: Visitor


class _Recording(_Office):
    """The simulated office, keeping every call."""

    calls: list[Call]

    def call(self, at: float, now: datetime, index: int, ticket: Ticket) -> None:
        visitor = self.day.visitors[int(ticket.id)]
        self.calls.append(Call(index, at, at + self.scenario.walk_up_min + visitor.service_min, visitor))
        super().call(at, now, index, ticket)


def day_calls(scenario: Scenario, seed: int, index: int, rules: Rules) -> list[Call]:
    day = draw_day(scenario, random.Random(f"{seed}/{index}"))
    office = _Recording(scenario, day, ours, rules, False)
    office.calls = []
    office.run()
    return office.calls


def _start(visitor: Visitor) -> float:
    assert visitor.slot_min is not None
    return max(visitor.slot_min, visitor.arrives_min)


def _other(call: Call, start: float, rules: Rules) -> str:
    who = call.visitor
    if who.slot_min is None:
        return "walk-in past the cap" if call.at - who.arrives_min >= rules.walk_in_max_wait_min else "walk-in"
    return "booked, earlier start" if _start(who) <= start else "booked, later start"


def causes(scenario: Scenario, calls: Sequence[Call], rules: Rules) -> tuple[Tally[str], Tally[str]]:
    """(miss causes, what the takers did) over one day's calls."""
    cause: Tally[str] = Tally()
    detail: Tally[str] = Tally()
    for call in calls:
        visitor = call.visitor
        if visitor.slot_min is None or call.at - _start(visitor) <= 5:
            continue
        start = _start(visitor)
        when = "checked in after the slot" if visitor.arrives_min > visitor.slot_min else "checked in before the slot"
        takers = {k for k, c in enumerate(scenario.counters) if visitor.service_id in c.skills}
        others = [c for c in calls if c.counter in takers and start <= c.at < start + 5 and c.visitor is not visitor]
        if others:
            cause[f"a taker free, called someone else ({when})"] += 1
            detail.update(f"free taker called: {_other(c, start, rules)}" for c in others)
            continue
        cause[f"all takers busy ({when})"] += 1
        for c in calls:
            if c.counter in takers and c.at < start <= c.ends:
                kind = "walk-in" if c.visitor.slot_min is None else "booked"
                seen = ("slot inside the horizon" if visitor.slot_min - c.at <= rules.slot_guard_horizon_min
                        else "slot beyond the horizon")
                detail[f"busy taker serving: {kind}, called with the {seen}"] += 1
    return cause, detail


def report(scenario: Scenario, days: int, seed: int, rules: Rules) -> str:
    booked: Tally[str] = Tally()
    missed: Tally[str] = Tally()
    cause: Tally[str] = Tally()
    detail: Tally[str] = Tally()
    for index in range(days):
        calls = day_calls(scenario, seed, index, rules)
        for call in calls:
            visitor = call.visitor
            if visitor.slot_min is not None:
                late = "late" if visitor.arrives_min > visitor.slot_min else "early"
                booked[visitor.service_id] += 1
                booked[late] += 1
                if call.at - _start(visitor) > 5:
                    missed[visitor.service_id] += 1
                    missed[late] += 1
        found, why = causes(scenario, calls, rules)
        cause.update(found)
        detail.update(why)
    total = booked["early"] + booked["late"]
    misses = missed["early"] + missed["late"]
    lines = [f"{scenario.name}, {days} days, seed {seed}: {total} booked, {misses} missed "
             f"({100 * (1 - misses / max(1, total)):.1f} % on time)", "",
             "| service | missed / booked |", "|---|---|"]
    lines += [f"| {s.id} | {missed[s.id]} / {booked[s.id]} |" for s in scenario.services]
    lines += [f"| checked in before the slot | {missed['early']} / {booked['early']} |",
              f"| checked in after the slot | {missed['late']} / {booked['late']} |", "",
              "| cause | misses |", "|---|---|"]
    lines += [f"| {k} | {n} |" for k, n in cause.most_common()]
    lines += ["", "| what the takers did | calls |", "|---|---|"]
    lines += [f"| {k} | {n} |" for k, n in detail.most_common()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.miss_profile", description=__doc__)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("settings", nargs="*", help="office.toml [queue] settings, NAME=VALUE")
    args = parser.parse_intermixed_args()
    rules = rules_from_settings(args.settings)
    print(report(load_scenario(args.scenario), args.days, args.seed, rules))


if __name__ == "__main__":
    main()

