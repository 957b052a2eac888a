"""A rollout policy: our default, improved one decision at a time by playing the day forward.

    .venv/bin/python -m bench.rollout ../shared/scenarios/standard-day.toml --days 10 --seed 101 \
        --weight 300 --samples 16 --hold 8 --early 60

Issue 15 asks for booked visitors on time ≥ 95 % with walk-in p95 ≤ 0.85 × the best baseline on
the standard day. No rule of the ranking or of the slot guard reached both (bench/RESULTS.md). This
asks whether a policy that looks much further ahead would: a reference for what the goal needs,
not a policy for the server (it costs seconds per decision).

Whenever a free counter's default pick and one alternative differ in kind, both are played to
the end of the horizon under the default policy, over sampled futures with common random
numbers, and the cheaper one is taken. The alternative to a walk-in is the booked visitor here
with the earliest max(slot, check-in) (at most `--early` minutes ahead), else, with `--hold`,
keeping the counter free for a booking of the next `--hold` minutes who has not checked in;
the alternative to a booked visitor is the walk-in the ranking picks among walk-ins alone.

A sample draws everything a server cannot know from the scenario itself (more than a server
knows): the service times of everyone waiting, the rest of each case in service (given how long
it has run), later walk-ins, and whether and when each booked visitor still to come checks in.
Its cost is `--weight` per booked visitor due within `--horizon` minutes who is called more than 5
minutes after max(slot, check-in) (or not by the run's end), plus (wait - tau)² / tau for each
walk-in here by then who waits longer than `--tau` minutes.
"""

from __future__ import annotations

import argparse
import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from counter_server.core.model import Ticket, TicketKind
from counter_server.core.policy import Rules
from counter_server.core.slot_guard import Decision

from .report import summarise
from .rule_compare import BASELINES, WALK_INS, best_baseline
from .scenario import (
    Booking,
    Day,
    Scenario,
    ServiceMix,
    Visitor,
    _pick_service,
    _service_time,
    _walk_in_times,
    draw_day,
    load_scenario,
)
from .simulator import _ARRIVE, _FREE, DayResult, _Office, ours, policies_by_name, simulate_day

LATE_MIN = 5.0  # the promise: called within 5 minutes of max(slot, check-in)
_TRIES = 200  # draws before a conditional draw gives up


@dataclass(frozen=True)
class Settings:
    weight: float = 300.0  # cost of one booked visitor called late, in (minutes past tau)² / tau
    samples: int = 16
    horizon_min: float = 30.0
    tau_min: float = 15.0
    hold_min: float = 0.0  # 0: never keep a counter free
    early_min: float = 10.0


@dataclass(frozen=True)
class Hold:
    """Keep the counter free for booking `booking` (index into the office's bookings), due at `slot_min`."""

    booking: int
    slot_min: float


@dataclass
class Sample:
    """One sampled future of the office at a minute: a day to play and the state to start from."""

    day: Day
    busy: dict[int, tuple[float, Ticket, float]]  # counter index -> (free at, ticket, called at)
    present: list[int]  # visitors of `day` who wait now
    visitor_of: dict[str, int]  # live ticket id -> visitor of `day`
    booked_visitor: dict[int, int] = field(default_factory=dict)  # live booking index -> visitor of `day`


def _mix(scenario: Scenario, service_id: str) -> ServiceMix:
    return next(s for s in scenario.services if s.id == service_id)


def _rest_of_case(scenario: Scenario, service_id: str, elapsed: float, rng: random.Random) -> float:
    """Minutes from the call to the end of a case that has run `elapsed` minutes (walk-up included)."""
    mix = _mix(scenario, service_id)
    for _ in range(_TRIES):
        took = scenario.walk_up_min + _service_time(mix, rng)
        if took > elapsed:
            return took
    return elapsed + 1.0


def _check_in(scenario: Scenario, booking: Booking, at: float, rng: random.Random) -> float | None:
    """When a booked visitor not here at `at` checks in, drawn as `draw_day` draws it, given that; None: not at all."""
    for _ in range(_TRIES):
        offset = rng.gauss(scenario.offset_mean_min, scenario.offset_sd_min)
        if rng.random() < scenario.no_show or offset > scenario.late_window_min:
            return None
        arrives = max(booking.slot_min + offset, booking.slot_min - scenario.early_window_min, 0.0)
        if arrives > at:
            return arrives
    return None


def sample_future(office: _Office, at: float, rng: random.Random) -> Sample:
    """The office at minute `at` with a fresh draw of everything it cannot know."""
    scenario, known = office.scenario, office.day.visitors
    visitors: list[Visitor] = []
    sample = Sample(Day((), ()), {}, [], {})

    def add(service_id: str, arrives: float, slot: float | None) -> int:
        visitors.append(Visitor(len(visitors), service_id, arrives, _service_time(_mix(scenario, service_id), rng), slot))
        return len(visitors) - 1

    for ticket in office.waiting:
        here = known[int(ticket.id)]
        sample.visitor_of[ticket.id] = add(here.service_id, here.arrives_min, here.slot_min)
    sample.present = list(range(len(visitors)))
    for arrives in _walk_in_times(scenario, rng):
        if arrives > at:
            add(_pick_service(scenario, rng).id, arrives, None)
    bookings = []
    for index, booking in enumerate(office.bookings):
        if booking.visitor is not None and known[booking.visitor].arrives_min <= at:
            continue  # here, waiting or served
        arrives = _check_in(scenario, booking, at, rng) if booking.slot_min + scenario.late_window_min >= at else None
        visitor = None if arrives is None else add(booking.service_id, arrives, booking.slot_min)
        if visitor is not None:
            sample.booked_visitor[index] = visitor
        bookings.append(Booking(booking.service_id, booking.slot_min, visitor))
    for index, ticket in office.serving.items():
        called = office.called_min[index]
        sample.busy[index] = (called + _rest_of_case(scenario, ticket.service_id, at - called, rng), ticket, called)
    sample.day = Day(tuple(visitors), tuple(sorted(bookings, key=lambda b: b.slot_min)))
    return sample


class Rollout(_Office):
    """A sampled future played from minute `at` under the default policy, its first step forced."""

    def __init__(self, office: _Office, sample: Sample, settings: Settings) -> None:
        super().__init__(office.scenario, sample.day, ours, office.rules, False)
        self.sample, self.settings = sample, settings
        self.calls: list[tuple[Visitor, float]] = []  # (visitor, call minute)
        self.hold: tuple[int, float, int] | None = None  # (counter index, until, the awaited visitor)
        self.start = self.stop_at = 0.0

    def play(self, at: float, index: int, first: int | None, hold: tuple[float, int] | None = None) -> Rollout:
        """From `at`: counter `index` calls visitor `first`, or with `hold` = (until, awaited) stays free."""
        self.start, self.stop_at = at, at + self.settings.horizon_min + 45.0
        self.idle = deque(i for i in range(len(self.counters)) if i not in self.sample.busy)
        for busy, (free_at, ticket, called) in self.sample.busy.items():
            self.serving[busy], self.called_min[busy] = ticket, called
            self.push(free_at, _FREE, busy)
        self.waiting = [self.tickets[v] for v in self.sample.present]
        for visitor in self.day.visitors[len(self.sample.present):]:
            self.push(visitor.arrives_min, _ARRIVE, visitor.index)
        if hold is not None:
            self.hold = (index, *hold)
            self.wake(hold[0])
        elif first is not None:
            self.call(at, self.base + timedelta(minutes=at), index, self.tickets[first])
        self.dispatch(at)
        self.play_events(self.stop_at)
        return self

    def call(self, at: float, now: datetime, index: int, ticket: Ticket) -> None:
        super().call(at, now, index, ticket)
        self.calls.append((self.day.visitors[int(ticket.id)], at))

    def arrive(self, at: float, visitor: Visitor) -> None:
        super().arrive(at, visitor)
        if self.hold is not None and visitor.index == self.hold[2]:
            self.hold = None

    def dispatch(self, at: float) -> None:
        if self.hold is None or at >= self.hold[1] or self.hold[0] not in self.idle:
            super().dispatch(at)
            return
        self.idle.remove(self.hold[0])
        try:
            super().dispatch(at)
        finally:
            self.idle.append(self.hold[0])

    def cost(self) -> float:
        settings = self.settings
        horizon, tau = self.start + settings.horizon_min, settings.tau_min
        late = 0
        walk_ins = 0.0
        outcomes: list[tuple[Visitor, float | None]] = [*self.calls]
        outcomes += [(self.day.visitors[int(t.id)], None) for t in self.waiting]
        for visitor, called in outcomes:
            if visitor.slot_min is None:
                if visitor.arrives_min <= horizon:
                    waited = (self.stop_at if called is None else called) - visitor.arrives_min
                    walk_ins += max(0.0, waited - tau) ** 2 / tau
            elif (start := max(visitor.slot_min, visitor.arrives_min)) <= horizon:
                late += called is None or called - start > LATE_MIN
        return settings.weight * late + walk_ins


Choice = Ticket | Hold


class RolloutOffice(_Office):
    """The live day under the rollout policy; counts how often it asked, changed the pick and held."""

    def __init__(self, scenario: Scenario, day: Day, settings: Settings, seed: str = "") -> None:
        super().__init__(scenario, day, ours, Rules(), False)
        self.settings, self.seed = settings, seed
        self.asked = self.changed = self.held = 0

    def act(self, at: float, now: datetime, index: int, decision: Decision) -> None:
        pick: Choice | None = decision.ticket
        other = self.alternative(index, pick, now, at)
        if pick is None or other is None:
            super().act(at, now, index, decision)
            return
        self.asked += 1
        pick = self.cheaper(at, index, (pick, other))
        if isinstance(pick, Hold):
            self.held += 1
            self.wake(pick.slot_min + 1e-6)
        else:
            self.changed += pick is not decision.ticket
            self.call(at, now, index, pick)

    def alternative(self, index: int, pick: Ticket | None, now: datetime, at: float) -> Choice | None:
        counter = self.counters[index]
        if pick is None:
            return None
        if pick.kind is TicketKind.APPOINTMENT:
            walk_ins = [t for t in self.waiting if t.kind is TicketKind.WALK_IN]
            rules, minutes = self.rules, self.config_stats.configured_min
            return ours(counter, walk_ins, self.counters, now, rules, minutes, None).ticket if walk_ins else None
        starts = [
            (max(v.slot_min, v.arrives_min), t)
            for t in self.waiting if t.kind is TicketKind.APPOINTMENT and counter.can_serve(t.service_id)
            for v in (self.day.visitors[int(t.id)],) if v.slot_min is not None
        ]
        starts = [(start, t) for start, t in starts if start - self.settings.early_min <= at]
        if starts:
            return min(starts, key=lambda found: found[0])[1]
        return self.booking_to_hold_for(index, at)

    def booking_to_hold_for(self, index: int, at: float) -> Hold | None:
        if self.settings.hold_min <= 0:
            return None
        for number, booking in enumerate(self.bookings):
            if not at <= booking.slot_min <= at + self.settings.hold_min:
                continue
            if not self.counters[index].can_serve(booking.service_id):
                continue
            if booking.visitor is None or self.day.visitors[booking.visitor].arrives_min > at:
                return Hold(number, booking.slot_min)
        return None

    def cheaper(self, at: float, index: int, choices: Sequence[Choice]) -> Choice:
        """The choice with the lowest cost over the same sampled futures; the default's on a tie."""
        totals = [0.0] * len(choices)
        for draw in range(self.settings.samples):
            sample = sample_future(self, at, random.Random(f"{self.seed}/{at}/{index}/{draw}"))
            for number, choice in enumerate(choices):
                rollout = Rollout(self, sample, self.settings)
                if isinstance(choice, Hold):
                    awaited = sample.booked_visitor.get(choice.booking, -1)
                    rollout.play(at, index, None, hold=(choice.slot_min, awaited))
                else:
                    rollout.play(at, index, sample.visitor_of[choice.id])
                totals[number] += rollout.cost()
        return choices[min(range(len(choices)), key=lambda number: (totals[number], number))]


def compare(path: Path, days: int, seed: int, settings: Settings) -> tuple[str, dict[str, list[DayResult]], dict[str, int]]:
    """Ours, the ranking alone, the rollout policy and the baselines on the same days."""
    scenario = load_scenario(path)
    known = policies_by_name(["ours", *BASELINES])
    runs = {"ours": (known["ours"], Rules()), "ranking alone": (known["ours"], Rules(adaptive_slots=False))}
    runs |= {name: (known[name], Rules()) for name in BASELINES}
    results: dict[str, list[DayResult]] = {name: [] for name in [*runs, "rollout"]}
    counts = {"asked": 0, "changed": 0, "held": 0}
    for number in range(days):
        day = draw_day(scenario, random.Random(f"{seed}/{number}"))
        for name, (policy, rules) in runs.items():
            results[name].append(simulate_day(scenario=scenario, day=day, policy=policy, rules=rules))
        office = RolloutOffice(scenario, day, settings, seed=f"{seed}/{number}")
        results["rollout"].append(office.run())
        counts = {key: counts[key] + getattr(office, key) for key in counts}
    return scenario.name, results, counts


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rollout", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--seed", type=int, default=101)
    defaults = Settings()
    for name in ("weight", "samples", "horizon", "tau", "hold", "early"):
        key = name if name in ("weight", "samples") else f"{name}_min"
        parser.add_argument(f"--{name}", type=type(getattr(defaults, key)), default=getattr(defaults, key))
    args = parser.parse_args()
    settings = Settings(args.weight, args.samples, args.horizon, args.tau, args.hold, args.early)
    name, results, counts = compare(args.scenario, args.days, args.seed, settings)
    summaries = {who: summarise(days) for who, days in results.items()}
    best = best_baseline(summaries)
    print(f"{name}, {args.days} days, seed {args.seed}, {settings}")
    print(f"best baseline: booked {100 * best['booked_on_time']:.1f} %")
    for who in ("ours", "ranking alone", "rollout"):
        found = summaries[who]
        ratios = " / ".join(f"{found[key][0] / best[key]:.3f}" for key in WALK_INS)
        print(f"{who:14} booked {100 * found['booked_on_time'][0]:.1f} %, walk-in mean / p95 / max {ratios} x best baseline")
    print(f"rollout: asked {counts['asked']}, changed the pick {counts['changed']}, held {counts['held']}")


if __name__ == "__main__":
    main()
