"""The fast estimate gives exactly the figures of the code before issue 14, with the slot guard off.

tests/core/reference/ holds that code, copied unchanged. On random offices (up to
300 waiting, 1-12 counters, every kind of ticket, bookings to come, cases running)
and on fixed 800-ticket queues, `estimate_waits` and `forward_run` must give the
same positions and the same floats, compared with ==, not approximately.

The reference has no slot guard in its forward run: the comparisons run with
`adaptive_slots` and `guard_slots` off (test_estimate_guard.py covers the guard).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.policy_bench import NOW, scene
from counter_server.core import estimate
from counter_server.core.call_order import CallOrder
from counter_server.core.estimate import (
    QueueState,
    Running,
    ServiceStats,
    Upcoming,
    estimate_waits,
    remaining_min,
)
from counter_server.core.forward import forward_run
from counter_server.core.model import (
    Counter,
    CounterState,
    Priority,
    Ticket,
    TicketKind,
    TicketState,
)
from counter_server.core.policy import Rules, choose_with, counter_terms, open_counts
from counter_server.core.run_clock import clock_us, reached

from .reference import call_order as old_order
from .reference import estimate as old
from .reference import forward as old_forward

SERVICES = ("a", "b", "c", "d", "e", "f")
# whole minutes, so that bonuses, too, tie often
DURATIONS = {"a": 18.0, "b": 12.0, "c": 4.0, "d": 8.0, "e": 10.0, "f": 24.0}
# the office's zone; "mixed": the clock in UTC, the tickets' times with another fixed offset
ZONES = ("utc", "berlin", "mixed")
ZONE = {"utc": UTC, "berlin": ZoneInfo("Europe/Berlin"), "mixed": timezone(timedelta(hours=2))}
# the policy the reference models: the ranking alone
UNGUARDED = Rules(adaptive_slots=False, guard_slots=False)


def office(seed: int, waiting: int, n_counters: int, zone: str, whole_minutes: bool, spread: float = 120) -> QueueState:
    """A random office: counters, tickets of every kind, bookings to come and cases running.

    Tickets arrived within the last `spread` minutes: with a short spread few are
    overdue, and the decisions are made by the bonuses.
    """
    rng = random.Random(seed)
    now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC if zone == "mixed" else ZONE[zone])
    there = ZONE[zone]

    def ago(minutes: float) -> datetime:
        # whole minutes make equal keys common, which is where the order of joining decides
        return (now - timedelta(minutes=round(minutes) if whole_minutes else minutes)).astimezone(there)

    counters = [
        Counter(id=f"c{i}", label=str(i), state=rng.choice((CounterState.OPEN,) * 4 + tuple(CounterState)),
                skills={s: rng.choice((1, 2)) for s in rng.sample(SERVICES, rng.randint(1, 4))},
                languages=rng.choice(((), ("tr",), ("tr", "ar"))))
        for i in range(n_counters)
    ]
    tickets = []
    for i in range(waiting):
        arrived = ago(rng.uniform(0, spread))
        booked = rng.random() < 0.25
        tickets.append(Ticket(
            id=f"t{i}", number=str(i), service_id=rng.choice(SERVICES),
            kind=TicketKind.APPOINTMENT if booked else TicketKind.WALK_IN,
            priority=rng.choices(list(Priority), weights=(85, 10, 5))[0],
            lang=rng.choice(("de",) * 6 + ("tr", "ar", "uk")), created_at=arrived, arrived_at=arrived,
            office_day=date(2026, 3, 2), public_id=str(i),
            appointment_at=ago(-rng.uniform(-30, 60)) if booked else None,
            state=rng.choice((TicketState.WAITING,) * 12 + (TicketState.PARKED,)),
            target_counter_id=f"c{rng.randrange(n_counters)}" if rng.random() < 0.05 else None,
        ))
    stats = ServiceStats(mean_min=DURATIONS, configured_min=DURATIONS)
    running = {c.id: Running(rng.choice(list(c.skills)), rng.uniform(0, 30))
               for c in counters if rng.random() < 0.6}
    busy = {c: remaining_min(service_id=r.service_id, elapsed_min=r.elapsed_min, stats=stats)
            for c, r in running.items()}
    busy |= {c.id: rng.uniform(0, 8) for c in counters if c.id not in busy and rng.random() < 0.2}
    upcoming = [Upcoming(rng.choice(SERVICES), now + timedelta(minutes=rng.uniform(-15, 180)),
                         rng.choice((0.3, 0.85, 1.0))) for _ in range(rng.randint(0, 25))]
    return QueueState(waiting=tickets, counters=counters, busy_for_min=busy, upcoming=upcoming,
                      running=running, rules=UNGUARDED)


rules_strategy = st.builds(
    Rules,
    appointment_weight_min=st.sampled_from((0.0, 20.0)),
    appointment_max_late_min=st.sampled_from((0.0, 5.0)),
    appointment_lead_min=st.sampled_from((0.0, 20.0)),
    call_early_appointments=st.booleans(),
    walk_in_max_wait_min=st.sampled_from((10.0, 28.0)),
    scarcity_bonus_min=st.sampled_from((0.0, 16.0)),
    primary_bonus_min=st.sampled_from((0.0, 4.0)),
    assist_bonus_min=st.sampled_from((0.0, 10.0)),
    short_service_bonus=st.sampled_from((0.0, 1.0)),
    language_bonus_min=st.sampled_from((0.0, 5.0)),
    guard_slots=st.just(False),
    adaptive_slots=st.just(False),
)
stats_strategy = st.builds(
    ServiceStats,
    mean_min=st.just(DURATIONS), configured_min=st.just(DURATIONS),
    cv=st.sampled_from(({}, {"a": 0.3, "f": 1.1})),
    samples=st.sampled_from((0, 3, 8)), sample_positions=st.sampled_from((5, 40)), seed=st.integers(1, 5),
)


@settings(max_examples=120, deadline=None)
@given(seed=st.integers(0, 10**6), waiting=st.integers(0, 300), n_counters=st.integers(1, 12),
       zone=st.sampled_from(ZONES), whole=st.booleans(), spread=st.sampled_from((15, 120)),
       rules=rules_strategy, stats=stats_strategy, data=st.data())
def test_estimates_equal_the_reference(
    seed: int, waiting: int, n_counters: int, zone: str, whole: bool, spread: float, rules: Rules,
    stats: ServiceStats, data: st.DataObject,
) -> None:
    state = replace(office(seed, waiting, n_counters, zone, whole, spread), rules=rules)
    now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC if zone == "mixed" else ZONE[zone])
    found = estimate_waits(state, now, stats)
    assert list(found.items()) == list(old.estimate_waits(state, now, stats).items())
    ids = [t.id for t in state.waiting]
    wanted = set(data.draw(st.lists(st.sampled_from(ids), max_size=4))) if ids else set()
    wanted |= {ids[-1], "nobody"} if ids else {"nobody"}
    assert estimate_waits(state, now, stats, wanted=wanted) == old.estimate_waits(state, now, stats, wanted=wanted)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), waiting=st.integers(0, 300), n_counters=st.integers(1, 12),
       zone=st.sampled_from(ZONES), spread=st.sampled_from((15, 120)), rules=rules_strategy)
def test_forward_run_equals_the_reference(
    seed: int, waiting: int, n_counters: int, zone: str, spread: float, rules: Rules
) -> None:
    state = office(seed, waiting, n_counters, zone, True, spread)
    now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC if zone == "mixed" else ZONE[zone])
    stats = ServiceStats(mean_min=DURATIONS, configured_min=DURATIONS)
    counters = old._working_counters(state.counters)
    terms = [counter_terms(c, counters, rules, DURATIONS, counts=open_counts(counters)) for c in counters]
    free_at = [state.busy_for_min.get(c.id, 0.0) for c in counters]
    scope = {t.id for t in state.waiting}
    fast, slow = CallOrder(terms=terms, rules=rules, origin=now), old_order.CallOrder(terms=terms, rules=rules, origin=now)
    fast.fill(state.waiting)
    slow.fill(state.waiting)
    joiners = sorted((old._joiner(b, i, now, rules) for i, b in enumerate(state.upcoming)), key=lambda j: j.slot_min)
    new_calls = forward_run(order=fast, free_at=free_at, joiners=joiners, draws=estimate._Expected(stats), scope=scope)
    old_calls = old_forward.forward_run(order=slow, free_at=free_at, joiners=joiners, origin=now,
                                        draws=old._Expected(stats), scope=scope)
    assert list(new_calls.items()) == list(old_calls.items())


@pytest.mark.parametrize("waiting", [800, 801])
@pytest.mark.parametrize("counters", [3, 12])
def test_long_queues_equal_the_reference(waiting: int, counters: int) -> None:
    """The benchmark's queue (800 waiting and one checking in), and a random office of 800."""
    s = scene(waiting - 1, counters)
    for state, now in ((replace(s.state, rules=UNGUARDED), NOW), (office(waiting, waiting, counters, "berlin", False),
                                         datetime(2026, 3, 2, 11, 0, tzinfo=ZONE["berlin"]))):
        stats = s.stats
        assert list(estimate_waits(state, now, stats).items()) == list(old.estimate_waits(state, now, stats).items())
        last = {state.waiting[-1].id}
        assert estimate_waits(state, now, stats, wanted=last) == old.estimate_waits(state, now, stats, wanted=last)


@pytest.mark.parametrize("first", ["a", "b"])
@pytest.mark.parametrize("booked", [False, True])
def test_a_tie_across_errands_goes_to_who_joined_first(first: str, booked: bool) -> None:
    """Equal keys in two errands' pools: the one who joined first, as `choose_with`'s single pass."""
    now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    desk = Counter(id="1", label="1", skills={"a": 1, "b": 1}, state=CounterState.OPEN)
    rules = Rules(scarcity_bonus_min=0.0, short_service_bonus=0.0)
    terms = counter_terms(desk, [desk], rules, DURATIONS)
    arrived = now - timedelta(minutes=5)
    slot = now + timedelta(minutes=1) if booked else None
    pair = [
        Ticket(id=service, number=service, service_id=service,
               kind=TicketKind.APPOINTMENT if booked else TicketKind.WALK_IN, priority=Priority.NORMAL,
               lang="de", created_at=arrived, arrived_at=arrived, office_day=now.date(), public_id=service,
               appointment_at=slot)
        for service in (first, "b" if first == "a" else "a")
    ]
    order = CallOrder(terms=[terms], rules=rules, origin=now)
    order.fill(pair)
    for at in (0.0, 0.5):
        expected = choose_with(terms, pair, now + timedelta(minutes=at), rules)
        assert expected is not None
        assert order.take(0, at) is expected
        pair.remove(expected)


@settings(max_examples=500, deadline=None)
@given(at=st.floats(0, 60 * 24 * 7) | st.integers(0, 10**6).map(lambda n: n / 64),
       off=st.integers(-3, 3))
def test_reached_is_the_clock_compared(at: float, off: int) -> None:
    """The float shortcut answers as the run's clock (origin + timedelta(minutes=at)) does."""
    key = clock_us(at) + off
    assert reached(at, key) is (now_us(at) >= key)


def now_us(at: float) -> int:
    """The run's clock the way the reference builds it, in microseconds from the origin."""
    origin = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    return ((origin + timedelta(minutes=at)) - origin) // timedelta(microseconds=1)
