"""The estimate's fast forward run gives exactly what the straightforward one gives.

`CallOrder` must answer like `choose_with` scanning the whole queue, decision for
decision; and `estimate_waits` must give the same with `CallOrder` replaced by a
plain list that `choose_with` scans for every call, on random queues, counters
and rules, with mean and with sampled service times.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.core import estimate
from counter_server.core.call_order import CallOrder
from counter_server.core.estimate import (
    QueueState,
    Running,
    ServiceStats,
    Upcoming,
    _working_counters,
    estimate_waits,
)
from counter_server.core.model import (
    Counter,
    CounterState,
    Priority,
    Ticket,
    TicketKind,
    TicketState,
)
from counter_server.core.policy import CounterTerms, Rules, choose_with, counter_terms, eligible
from counter_server.core.run_clock import wake_min

from . import test_policy

SERVICES = ("a", "b", "c", "d")
ZONES = (UTC, ZoneInfo("Europe/Berlin"))


@st.composite
def counters(draw: st.DrawFn) -> list[Counter]:
    found = []
    for i in range(draw(st.integers(1, 6))):
        skills = draw(st.dictionaries(st.sampled_from(SERVICES), st.sampled_from((1, 2)), min_size=1))
        state = draw(st.sampled_from((CounterState.OPEN, CounterState.OPEN, CounterState.PAUSED)))
        languages = draw(st.sampled_from(((), ("tr",), ("tr", "ar"))))
        found.append(Counter(id=str(i), label=str(i), skills=skills, state=state, languages=languages))
    return found


@st.composite
def tickets(draw: st.DrawFn, now: datetime, n_counters: int) -> list[Ticket]:
    found = []
    for i in range(draw(st.integers(0, 40))):
        # whole minutes make ties (equal keys) common, which is where order matters
        arrived = now - timedelta(minutes=draw(st.integers(0, 60)))
        booked = draw(st.booleans())
        slot = now + timedelta(minutes=draw(st.integers(-20, 40))) if booked else None
        found.append(Ticket(
            id=f"t{i}", number=str(i), service_id=draw(st.sampled_from(SERVICES)),
            kind=TicketKind.APPOINTMENT if booked else TicketKind.WALK_IN,
            priority=draw(st.sampled_from((Priority.NORMAL,) * 6 + (Priority.ASSIST, Priority.URGENT))),
            lang=draw(st.sampled_from(("de", "de", "tr"))), created_at=arrived, arrived_at=arrived,
            office_day=date(2026, 3, 2), public_id=str(i), appointment_at=slot,
            state=draw(st.sampled_from((TicketState.WAITING,) * 8 + (TicketState.PARKED,))),
            target_counter_id=draw(st.sampled_from((None,) * 8 + tuple(str(c) for c in range(n_counters)))),
        ))
    return found


rules_strategy = st.builds(
    Rules,
    appointment_weight_min=st.sampled_from((0.0, 10.0, 20.0)),
    appointment_max_late_min=st.sampled_from((0.0, 1.0, 5.0)),
    appointment_lead_min=st.sampled_from((0.0, 20.0)),
    call_early_appointments=st.booleans(),
    walk_in_max_wait_min=st.sampled_from((10.0, 30.0)),
    primary_bonus_min=st.sampled_from((0.0, 4.0)),
    scarcity_bonus_min=st.sampled_from((0.0, 16.0)),
    short_service_bonus=st.sampled_from((0.0, 1.0)),
    adaptive_slots=st.booleans(),
    guard_slots=st.booleans(),
)

DURATIONS = {"a": 18.0, "b": 12.0, "c": 4.5, "d": 7.0}


@settings(max_examples=200, deadline=None)
@given(data=st.data(), rules=rules_strategy)
def test_each_decision_equals_choose_with(data: st.DataObject, rules: Rules) -> None:
    now = datetime(2026, 3, 2, 11, 0, tzinfo=data.draw(st.sampled_from(ZONES)))
    desks = _working_counters(data.draw(counters()))
    terms = [counter_terms(c, desks, rules, DURATIONS) for c in desks]
    pool = [t for t in data.draw(tickets(now, len(desks))) if t.state is TicketState.WAITING]
    order = CallOrder(terms=terms, rules=rules, origin=now)
    for ticket in pool:
        order.add(ticket)
    at = 0.0
    for _ in range(len(pool) + 5):
        at += data.draw(st.sampled_from((0.0, 0.5, 3.0, 7.0)))
        index = data.draw(st.integers(0, len(desks) - 1))
        when = now + timedelta(minutes=at)
        expected = choose_with(terms[index], pool, when, rules)
        assert order.take(index, at) is expected
        if expected is None:
            assert order.next_wake(index, at) == _plain_next_wake(terms[index], pool, at, now)
        else:
            pool.remove(expected)
        assert list(order.walk_ins()) == _by_arrival(pool)  # as the slot guard asks, after each call
        assert list(order.copy().walk_ins()) == _by_arrival(pool)


def _by_arrival(pool: list[Ticket]) -> list[Ticket]:
    """The walk-ins of `pool` (in join order), earliest arrival first; ties in join order."""
    return sorted((t for t in pool if t.kind is not TicketKind.APPOINTMENT), key=lambda t: t.arrived_at)


def test_walk_ins_follow_a_walk_in_who_joins_later() -> None:
    desk = _working_counters([Counter(id="1", label="1", skills={"a": 1}, state=CounterState.OPEN)])
    order = CallOrder(terms=[counter_terms(desk[0], desk, Rules(), DURATIONS)], rules=Rules(), origin=test_policy.NOON)
    early, late, later = (test_policy.ticket(name, "a", waited=m) for name, m in (("x", 30), ("y", 10), ("z", 20)))
    order.fill([early, late])
    assert list(order.walk_ins()) == [early, late]
    order.add(later)  # arrived before `late`: sorted in, though it joined last
    assert list(order.walk_ins()) == [early, later, late]
    assert order.take(0, 0.0) is early
    assert list(order.walk_ins()) == [later, late]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), rules=rules_strategy, samples=st.sampled_from((0, 3)))
def test_estimates_equal_a_forward_run_that_scans_the_queue(data: st.DataObject, rules: Rules, samples: int) -> None:
    now = datetime(2026, 3, 2, 11, 0, tzinfo=data.draw(st.sampled_from(ZONES)))
    desks = data.draw(counters())
    waiting = data.draw(tickets(now, len(desks)))
    upcoming = [
        Upcoming(data.draw(st.sampled_from(SERVICES)), now + timedelta(minutes=data.draw(st.integers(-10, 90))),
                 data.draw(st.sampled_from((0.3, 0.85, 1.0))))
        for _ in range(data.draw(st.integers(0, 6)))
    ]
    busy = {c.id: data.draw(st.sampled_from((0.0, 2.5, 11.0))) for c in desks}
    running = {c: Running("a", 3.0) for c, minutes in busy.items() if minutes == 11.0}
    state = QueueState(waiting=waiting, counters=desks, busy_for_min=busy, rules=rules, upcoming=upcoming,
                       running=running)
    stats = ServiceStats(mean_min=DURATIONS, configured_min=DURATIONS, samples=samples, sample_positions=8)
    fast = estimate_waits(state, now, stats)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(estimate, "CallOrder", ScanOrder)
        assert estimate_waits(state, now, stats) == fast
    # asking for a few tickets only gives the very same figures for them
    if fast:
        wanted = set(data.draw(st.lists(st.sampled_from(sorted(fast)), min_size=1, max_size=3)))
        assert estimate_waits(state, now, stats, wanted=wanted) == {t: fast[t] for t in wanted}


def _plain_next_wake(terms: CounterTerms, pool: list[Ticket], at: float, now: datetime) -> float | None:
    times = []
    for ticket in pool:
        slot = ticket.appointment_at
        if slot is not None and eligible(ticket, terms.counter):
            minutes = wake_min(slot - terms.due_before[ticket.service_id], now)
            if minutes > at:
                times.append(minutes)
    return min(times) if times else None


class ScanOrder:
    """`CallOrder` the plain way: a list of waiting tickets, scanned by `choose_with` for each call."""

    def __init__(self, *, terms: list[CounterTerms], rules: Rules, origin: datetime) -> None:
        self.terms, self.rules, self.origin = terms, rules, origin
        self.joined: list[Ticket | None] = []  # join order -> ticket (None: not queued)
        self.gone: set[int] = set()

    def copy(self) -> ScanOrder:
        twin = ScanOrder(terms=self.terms, rules=self.rules, origin=self.origin)
        twin.joined, twin.gone = list(self.joined), set(self.gone)
        return twin

    def emptied(self) -> ScanOrder:
        return ScanOrder(terms=self.terms, rules=self.rules, origin=self.origin)

    def fill(self, tickets: Iterable[Ticket]) -> None:
        for ticket in tickets:
            self.add(ticket)

    fill_kept = fill  # nothing kept: filled anew for every estimate

    def add(self, ticket: Ticket) -> list[int]:
        if ticket.state is not TicketState.WAITING:
            self.joined.append(None)
            return []
        self.joined.append(ticket)
        return [i for i, t in enumerate(self.terms) if eligible(ticket, t.counter)]

    def queued(self) -> list[tuple[int, Ticket]]:
        return [(o, t) for o, t in enumerate(self.joined) if t is not None and o not in self.gone]

    def booked(self) -> dict[int, Ticket]:
        return {o: t for o, t in self.queued() if t.kind is TicketKind.APPOINTMENT and t.appointment_at is not None}

    def ticket(self, order: int) -> Ticket:
        found = self.joined[order]
        assert found is not None
        return found

    def first(self, index: int, at: float) -> int | None:
        live = self.queued()
        chosen = choose_with(self.terms[index], [t for _, t in live], self.origin + timedelta(minutes=at), self.rules)
        return None if chosen is None else next(o for o, t in live if t is chosen)

    def remove(self, order: int) -> Ticket:
        self.gone.add(order)
        return self.ticket(order)

    def take(self, index: int, at: float) -> Ticket | None:
        chosen = self.first(index, at)
        return None if chosen is None else self.remove(chosen)

    def walk_ins(self) -> list[Ticket]:
        return sorted((t for _, t in self.queued() if t.kind is not TicketKind.APPOINTMENT), key=lambda t: t.arrived_at)

    def next_wake(self, index: int, at: float) -> float | None:
        return _plain_next_wake(self.terms[index], [t for _, t in self.queued()], at, self.origin)
