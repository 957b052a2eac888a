"""A town-hall day on a simulated clock, run through the real core.

Counters call with the policy under test (`choose_next` of the core, or one of
`core.baselines`); when asked, every check-in also gets the estimates the
server would give: ours (`estimate_waits` with service times learned from the
day so far) and ZMS's (position x average duration / open counters).
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from counter_server.core.baselines import BASELINES, ZMS_DUE_BEFORE, zms_estimate_min
from counter_server.core.baselines import Policy as BaselinePolicy
from counter_server.core.estimate import (
    QueueState,
    ServiceStats,
    Upcoming,
    estimate_waits,
    queue_state,
    remaining_min,
    show_probability,
    stats_from_config,
    stats_from_minutes,
)
from counter_server.core.model import Counter, Priority, Ticket, TicketKind, TicketState
from counter_server.core.policy import Rules, due_at
from counter_server.core.slot_guard import Decision, Outlook, choose_guarding_slots

from .scenario import Day, Scenario, Visitor, draw_day

# A policy as the simulator calls it: choose_next's arguments plus the configured
# minutes per service and the outlook (what the server passes to ours; the
# baselines ignore them). The outlook is None when both `guard_slots` and `adaptive_slots` are off.
Policy = Callable[
    [Counter, Sequence[Ticket], Sequence[Counter], datetime, Rules, Mapping[str, float], Outlook | None], Decision
]

DAY = datetime(2026, 3, 2)  # a Monday without DST change; only time differences matter

_ARRIVE, _FREE, _WAKE = 0, 1, 2
# bookings further ahead than this cannot affect anyone waiting now
HORIZON_MIN = 180.0


@dataclass(frozen=True)
class Checked:
    """The estimates a visitor was given at check-in, and what came true."""

    walk_in: bool
    ours: float | None
    low: float | None
    high: float | None
    zms: float
    actual: float


@dataclass
class DayResult:
    """Everything measured on one simulated day under one policy."""

    walk_in_waits: list[tuple[str, float]] = field(default_factory=list)  # (service id, wait)
    walk_in_arrivals: list[float] = field(default_factory=list)  # minutes from opening, same order
    booked_late: list[float] = field(default_factory=list)  # call minus max(slot, check-in)
    busy_min: float = 0.0
    counter_min: float = 0.0
    last_finish_min: float = 0.0
    checks: list[Checked] = field(default_factory=list)


def _ticket(visitor: Visitor, base: datetime) -> Ticket:
    arrived = base + timedelta(minutes=visitor.arrives_min)
    booked = visitor.slot_min is not None
    return Ticket(
        id=str(visitor.index),
        number=f"{visitor.service_id[0].upper()}{visitor.index:03d}",
        service_id=visitor.service_id,
        kind=TicketKind.APPOINTMENT if booked else TicketKind.WALK_IN,
        priority=Priority.NORMAL,
        lang="de",
        created_at=arrived,
        arrived_at=arrived,
        office_day=base.date(),
        public_id=str(visitor.index),
        appointment_at=base + timedelta(minutes=visitor.slot_min) if visitor.slot_min is not None else None,
    )


# the last day's tickets: every policy replays the same day (run_days), and a ticket is frozen
_TICKETS: dict[int, tuple[Day, datetime, list[Ticket]]] = {}


def _tickets(day: Day, base: datetime) -> list[Ticket]:
    """One ticket per visitor of `day` (by index), made once for all policies that replay it."""
    known = _TICKETS.get(id(day))
    if known is None or known[0] is not day or known[1] != base:
        _TICKETS.clear()
        known = _TICKETS[id(day)] = (day, base, [_ticket(v, base) for v in day.visitors])
    return known[2]


class _Office:
    """The state of one simulated day."""

    def __init__(self, scenario: Scenario, day: Day, policy: Policy, rules: Rules, estimating: bool) -> None:
        self.scenario, self.day, self.policy, self.rules = scenario, day, policy, rules
        self.estimating = estimating
        tz = ZoneInfo(scenario.timezone)
        self.base = DAY.replace(tzinfo=tz) + timedelta(minutes=scenario.open_min)
        self.counters = list(scenario.counters)
        self.idle: deque[int] = deque(range(len(self.counters)))
        self.serving: dict[int, Ticket] = {}
        self.called_min: dict[int, float] = {}  # counter index -> minute of its current call
        self.waiting: list[Ticket] = []
        self.took: dict[str, list[float]] = {}  # minutes from call to finish, per service
        self.finished_count = 0
        self.finished_min = 0.0
        self.bookings = sorted(day.bookings, key=lambda b: b.slot_min)
        self.tickets = _tickets(day, self.base)
        self.slots = [b.slot_min for b in self.bookings]
        self.slot_at = [self.base + timedelta(minutes=b.slot_min) for b in self.bookings]
        self.events: list[tuple[float, int, int, int]] = []
        self.seq = 0
        self.wakes: set[float] = set()
        self.config_stats = replace(
            stats_from_config(scenario.core_services()),
            booked_offset_mean_min=scenario.offset_mean_min, booked_offset_sd_min=scenario.offset_sd_min,
        )
        self.stats: ServiceStats = self.config_stats
        self.stats_learned_at = -1
        self.learned: dict[str, tuple[int, tuple[float, float]]] = {}  # stats_from_minutes' memo
        # the baselines ignore the outlook: built only for a policy that reads it
        self.looks_ahead = (rules.guard_slots or rules.adaptive_slots) and policy not in _BLIND
        self.promised: dict[str, tuple[bool, float | None, float | None, float | None, float]] = {}
        self.result = DayResult(counter_min=len(self.counters) * (scenario.close_min - scenario.open_min))

    def push(self, at: float, kind: int, payload: int) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, kind, payload))

    def run(self, until: float = math.inf) -> DayResult:
        """Play the day; with `until`, stop before the first event after that minute (for a look inside)."""
        for visitor in self.day.visitors:
            self.push(visitor.arrives_min, _ARRIVE, visitor.index)
        self.play_events(until)
        self.result.counter_min = len(self.counters) * max(
            self.scenario.close_min - self.scenario.open_min, self.result.last_finish_min
        )
        return self.result

    def play_events(self, until: float) -> None:
        """Handle the events up to minute `until`, each followed by the free counters' calls."""
        while self.events and self.events[0][0] <= until:
            at, _, kind, payload = heapq.heappop(self.events)
            if kind == _ARRIVE:
                self.arrive(at, self.day.visitors[payload])
            elif kind == _FREE:
                self.free(at, payload)
            else:
                self.wakes.discard(at)
            self.dispatch(at)

    def arrive(self, at: float, visitor: Visitor) -> None:
        ticket = self.tickets[visitor.index]
        self.waiting.append(ticket)
        # only walk-ins' estimates are scored (booked visitors are called by their slot)
        if self.estimating and visitor.slot_min is None:
            self.promise(at, ticket)

    def free(self, at: float, index: int) -> None:
        ticket = self.serving.pop(index)
        took = at - self.called_min.pop(index)
        self.took.setdefault(ticket.service_id, []).append(took)
        self.finished_count += 1
        self.finished_min += took
        self.result.last_finish_min = max(self.result.last_finish_min, at)
        self.idle.append(index)

    def dispatch(self, at: float) -> None:
        now = self.base + timedelta(minutes=at)
        for index in list(self.idle):
            if not self.waiting:
                return
            decision = self.policy(
                self.counters[index], self.waiting, self.counters, now, self.rules, self.config_stats.configured_min,
                self.outlook(at) if self.looks_ahead else None,
            )
            self.act(at, now, index, decision)
        if self.idle and self.waiting:
            self.wake_at_next_due(now)

    def act(self, at: float, now: datetime, index: int, decision: Decision) -> None:
        """Counter `index` does what the policy decided: call, or stay free until the booked visitor is due."""
        if decision.ticket is not None:
            self.call(at, now, index, decision.ticket)
        elif decision.held_for is not None:
            self.wake((decision.held_for.appointment_at - self.base).total_seconds() / 60 + 1e-6)

    def outlook(self, at: float) -> Outlook:
        """What the server would pass: expected minutes until each busy counter is free, bookings not here yet.

        The busy minutes are worked out only when the guard asks for them (most calls end in time).
        """
        first = bisect.bisect_left(self.slots, at)
        last = bisect.bisect_right(self.slots, at + self.rules.slot_guard_horizon_min)
        visitors, slot_at = self.day.visitors, self.slot_at
        booked = [
            (b.service_id, slot_at[i])
            for i, b in enumerate(self.bookings[first:last], start=first)
            if b.visitor is None or visitors[b.visitor].arrives_min > at
        ]
        return Outlook(busy_for_min=_BusyFor(self, at), booked=booked)

    def busy_for(self, at: float) -> dict[str, float]:
        stats = self.current_stats()
        return {
            self.counters[index].id: remaining_min(
                service_id=ticket.service_id, elapsed_min=at - self.called_min[index], stats=stats
            )
            for index, ticket in self.serving.items()
        }

    def wake(self, at: float) -> None:
        if at not in self.wakes:
            self.wakes.add(at)
            self.push(at, _WAKE, 0)

    def call(self, at: float, now: datetime, index: int, ticket: Ticket) -> None:
        del self.waiting[next(i for i, t in enumerate(self.waiting) if t is ticket)]
        self.idle.remove(index)
        visitor = self.day.visitors[int(ticket.id)]
        took = self.scenario.walk_up_min + visitor.service_min
        self.called_min[index] = at
        # the called ticket is only read by the estimate
        self.serving[index] = replace(
            ticket, state=TicketState.CALLED, called_at=now, counter_id=self.counters[index].id
        ) if self.estimating else ticket
        self.result.busy_min += took
        self.push(at + took, _FREE, index)
        waited = at - visitor.arrives_min
        if visitor.slot_min is None:
            self.result.walk_in_waits.append((visitor.service_id, waited))
            self.result.walk_in_arrivals.append(visitor.arrives_min)
        else:
            self.result.booked_late.append(at - max(visitor.slot_min, visitor.arrives_min))
        promised = self.promised.pop(ticket.id, None)
        if promised is not None:
            walk_in, ours, low, high, zms = promised
            self.result.checks.append(Checked(walk_in, ours, low, high, zms, waited))

    def wake_at_next_due(self, now: datetime) -> None:
        """Idle counters look again when the next booked visitor becomes due."""
        dues = [
            d
            for t in self.waiting if t.appointment_at is not None
            for d in (due_at(t, self.rules), t.appointment_at - ZMS_DUE_BEFORE)
            if d is not None and d > now
        ]
        if dues:
            self.wake((min(dues) - self.base).total_seconds() / 60)

    def current_stats(self) -> ServiceStats:
        if self.stats_learned_at != self.finished_count:
            # what learn_stats makes of the finished tickets, without building them
            self.stats = stats_from_minutes(per_service=self.took, config=self.config_stats, memo=self.learned)
            self.stats_learned_at = self.finished_count
        return self.stats

    def upcoming(self, at: float, now: datetime) -> list[Upcoming]:
        """The bookings the server knows of whose visitor has not checked in yet."""
        found = []
        scenario, visitors, slot_at = self.scenario, self.day.visitors, self.slot_at
        show_rate, offset_mean, offset_sd = 1 - scenario.no_show, scenario.offset_mean_min, scenario.offset_sd_min
        first = bisect.bisect_left(self.slots, at - scenario.late_window_min)
        last = bisect.bisect_right(self.slots, at + HORIZON_MIN)
        for i, booking in enumerate(self.bookings[first:last], start=first):
            if booking.visitor is not None and visitors[booking.visitor].arrives_min <= at:
                continue
            slot = slot_at[i]
            chance = show_probability(
                appointment_at=slot, now=now, show_rate=show_rate, offset_mean_min=offset_mean, offset_sd_min=offset_sd,
            )
            found.append(Upcoming(booking.service_id, slot, chance))
        return found

    def estimating_state(self, at: float) -> tuple[datetime, ServiceStats, QueueState]:
        """What the server's estimate starts from at minute `at`: the clock, the learned times, the queue."""
        now = self.base + timedelta(minutes=at)
        stats = self.current_stats()
        state = queue_state(
            waiting=self.waiting, calls=self.serving.values(), counters=self.counters, now=now,
            stats=stats, rules=self.rules, upcoming=self.upcoming(at, now),
        )
        return now, stats, state

    def promise(self, at: float, ticket: Ticket) -> None:
        now, stats, state = self.estimating_state(at)
        ours = estimate_waits(state, now, stats, wanted={ticket.id}).get(ticket.id)
        zms = zms_estimate_min(
            ahead=len(self.waiting) - 1, average_min=self.average_min(), open_counters=len(self.counters)
        )
        walk_in = ticket.kind is TicketKind.WALK_IN
        if ours is None:
            self.promised[ticket.id] = (walk_in, None, None, None, zms)
        else:
            self.promised[ticket.id] = (walk_in, ours.minutes, ours.low, ours.high, zms)

    def average_min(self) -> float:
        """ZMS's average duration: the day's finished tickets, else the configured mix."""
        if self.finished_count:
            return self.finished_min / self.finished_count
        total = sum(s.share for s in self.scenario.services)
        return sum(s.share * (s.mean_min + self.scenario.walk_up_min) for s in self.scenario.services) / total


class _BusyFor(Mapping[str, float]):
    """`_Office.busy_for(at)`, worked out on first use: the guard asks for it only before changing a call."""

    def __init__(self, office: _Office, at: float) -> None:
        self._office, self._at = office, at
        self._found: dict[str, float] | None = None

    def _busy(self) -> dict[str, float]:
        if self._found is None:
            self._found = self._office.busy_for(self._at)
        return self._found

    def __getitem__(self, counter_id: str) -> float:
        return self._busy()[counter_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._busy())

    def __len__(self) -> int:
        return len(self._busy())


def simulate_day(
    *, scenario: Scenario, day: Day, policy: Policy, rules: Rules, estimating: bool = False
) -> DayResult:
    """Run one drawn day under `policy`; with `estimating`, record the estimates at check-in."""
    return _Office(scenario, day, policy, rules, estimating).run()


def ours(
    counter: Counter, waiting: Sequence[Ticket], counters: Sequence[Counter], now: datetime, rules: Rules,
    durations: Mapping[str, float], outlook: Outlook | None = None,
) -> Decision:
    return choose_guarding_slots(counter, waiting, counters, now, rules, durations=durations, outlook=outlook)


def _baseline(decide: BaselinePolicy) -> Policy:
    def policy(
        counter: Counter, waiting: Sequence[Ticket], counters: Sequence[Counter], now: datetime, rules: Rules,
        durations: Mapping[str, float], outlook: Outlook | None = None,
    ) -> Decision:
        return Decision(decide(counter, waiting, counters, now, rules))

    return policy


_BASELINES: dict[str, Policy] = {n: _baseline(p) for n, p in BASELINES.items()}
# the policies that ignore the outlook: the simulator does not build one for them
_BLIND = frozenset(_BASELINES.values())


def policies_by_name(names: Sequence[str]) -> dict[str, Policy]:
    """`ours` is the core's choose_next; the rest are core.baselines by name."""
    known: dict[str, Policy] = {"ours": ours, **_BASELINES}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown policies {unknown}; known: {', '.join(known)}")
    return {n: known[n] for n in names}


def run_days(
    *, scenario: Scenario, days: int, seed: int, policies: Mapping[str, Policy], rules: Rules
) -> dict[str, list[DayResult]]:
    """Each day is drawn once and replayed under every policy (common random numbers).

    Estimates are recorded under our policy only: `estimate_waits` runs our
    policy forward, and ZMS's formula is scored on the same check-ins.
    """
    results: dict[str, list[DayResult]] = {name: [] for name in policies}
    for index in range(days):
        day = draw_day(scenario, random.Random(f"{seed}/{index}"))
        for name, policy in policies.items():
            results[name].append(simulate_day(
                scenario=scenario, day=day, policy=policy, rules=rules, estimating=name == "ours"
            ))
    return results
