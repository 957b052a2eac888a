"""How much of each counter's time can go to online booking? The recorded days with a share booked.

`townhall simulate --from-history --booking-share 0,0.2,0.4 [--counters 2,3] [--hours 8-12]`.
The model keeps the recorded demand (the same people with the same errands come either way):
for share s each counter offers s of its open time (the day, or the `--hours` window) as
bookable slots, each as long as the errand mix's mean (recorded mean service time plus the
walk-up, at least 5 minutes). With N counters that is S = floor(s * N * span / length) slots a
day, spread evenly over the span on a 5-minute grid (staggered between the counters). Then
k = min(S, walk-ins) of the day's recorded walk-ins, evenly spaced in arrival order, book
instead: the j-th of them takes the j-th slot, keeps errand and service time and comes at the
slot. Visitors who had booked anyway keep their recorded slots; slots nobody takes are released
(they hold no counter). Share 0 is the plain replay. Every day then runs through the simulator
under one policy (the first of `--policies`, by default ours, the server's).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from . import report
from .history import replay
from .scenario import Booking, Day, Scenario

GRID_MIN = 5.0


def parse_shares(text: str) -> tuple[float, ...]:
    """`0,0.2,0.4`: shares between 0 and 1, in the order given."""
    try:
        shares = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"--booking-share: expected shares like 0,0.2,0.4, got {text!r}") from None
    if any(not 0 <= s <= 1 for s in shares):
        raise ValueError(f"--booking-share: every share must be between 0 and 1, got {text!r}")
    return shares


def slot_length_min(scenario: Scenario) -> float:
    """A slot: the errand mix's mean service time plus the walk-up, on the 5-minute grid."""
    total = sum(s.share for s in scenario.services)
    mean = sum(s.share * s.mean_min for s in scenario.services) / total + scenario.walk_up_min
    return max(GRID_MIN, GRID_MIN * math.ceil(mean / GRID_MIN))


def slots(scenario: Scenario, share: float) -> list[float]:
    """The day's bookable slots, minutes from opening, evenly over the span on the grid."""
    span = scenario.close_min - scenario.open_min
    count = math.floor(share * len(scenario.counters) * span / slot_length_min(scenario) + 1e-9)
    return [GRID_MIN * math.floor((i + 0.5) * span / count / GRID_MIN) for i in range(count)]


def with_booking(day: Day, scenario: Scenario, share: float) -> Day:
    """The day where walk-ins, evenly spaced in arrival order, took the share's slots."""
    offered = slots(scenario, share)
    walk_ins = [v.index for v in day.visitors if v.slot_min is None]
    k = min(len(offered), len(walk_ins))
    chosen = {walk_ins[math.floor((j + 0.5) * len(walk_ins) / k)]: offered[j] for j in range(k)}
    moved = [replace(v, arrives_min=chosen[v.index], slot_min=chosen[v.index]) if v.index in chosen else v
             for v in day.visitors]
    order = sorted(range(len(moved)), key=lambda i: (moved[i].arrives_min, i))
    new_index = {old: new for new, old in enumerate(order)}
    visitors = tuple(replace(moved[old], index=new) for new, old in enumerate(order))
    bookings = [Booking(b.service_id, b.slot_min, None if b.visitor is None else new_index[b.visitor])
                for b in day.bookings]
    bookings += [Booking(moved[i].service_id, slot, new_index[i]) for i, slot in chosen.items()]
    return Day(visitors=visitors, bookings=tuple(sorted(bookings, key=lambda b: b.slot_min)))


@dataclass(frozen=True)
class Row:
    counters: int
    share: float
    slots: float  # offered per day
    walk_ins: float  # per day
    booked: float  # visitors who came with a slot, per day
    figures: report.Summary


def rows(days: Mapping[str, Day], scenarios: Sequence[Scenario], shares: Sequence[float],
         policy: tuple[str, Any], rules: Any) -> list[Row]:
    """One row per (counters, share): the recorded days with that share booked, replayed."""
    found = []
    for scenario in scenarios:
        for share in shares:
            booked_days = {name: with_booking(day, scenario, share) for name, day in days.items()}
            results = replay(booked_days, scenario, dict([policy]), rules)[policy[0]]
            per_day = list(booked_days.values())
            found.append(Row(
                counters=len(scenario.counters), share=share, slots=float(len(slots(scenario, share))),
                walk_ins=statistics.fmean(sum(v.slot_min is None for v in d.visitors) for d in per_day),
                booked=statistics.fmean(sum(v.slot_min is not None for v in d.visitors) for d in per_day),
                figures=report.summarise(results),
            ))
    return found


# (key in the summary, column header, format); the rest of the row precedes them
_COLUMNS = (("mean", "wait mean", "{:.1f}"), ("p95", "wait p95", "{:.1f}"), ("worst_max", "wait max", "{:.1f}"),
            ("booked_on_time", "booked <=5 min", "{:.0%}"), ("utilisation", "utilisation", "{:.0%}"))


def table(found: Sequence[Row]) -> str:
    """The rows as a text table; walk-in waits in minutes (max: the worst day's)."""
    head = ["counters", "share", "slots/day", "walk-ins/day", "booked/day"] + [c[1] for c in _COLUMNS]
    lines = [head]
    for row in found:
        cells = [str(row.counters), f"{row.share:.0%}", f"{row.slots:.0f}", f"{row.walk_ins:.1f}",
                 f"{row.booked:.1f}"]
        cells += [fmt.format(row.figures[key][0]) if key in row.figures else "-" for key, _, fmt in _COLUMNS]
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


def as_json(found: Sequence[Row]) -> list[dict[str, Any]]:
    return [{"counters": r.counters, "share": r.share, "slots_per_day": r.slots, "walk_ins_per_day": r.walk_ins,
             "booked_per_day": r.booked, **{key: r.figures[key][0] for key, _, _ in _COLUMNS if key in r.figures}}
            for r in found]
