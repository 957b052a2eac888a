"""Waiting-time estimates over literal queues."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from counter_server.core.estimate import (
    CaseRest,
    QueueState,
    Running,
    ServiceStats,
    Upcoming,
    busy_for,
    densest_centre,
    estimate_waits,
    learn_stats,
    remaining_min,
    running_cases,
    show_probability,
)
from counter_server.core.model import (
    Counter,
    CounterState,
    Priority,
    Ticket,
    TicketKind,
    TicketState,
)

NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
# mean times only: exact figures
TEN = ServiceStats(mean_min={"ausweis": 10.0, "abholung": 4.0}, pace=1.0, samples=0)


def walk_in(name: str, service: str = "ausweis", *, waited: float = 0) -> Ticket:
    arrived = NOON - timedelta(minutes=waited)
    return Ticket(
        id=name, number=name, service_id=service, kind=TicketKind.WALK_IN, priority=Priority.NORMAL,
        lang="de", created_at=arrived, arrived_at=arrived, office_day=date(2026, 3, 2), public_id=name,
    )


def counter(cid: str, state: CounterState = CounterState.OPEN, **skills: int) -> Counter:
    return Counter(id=cid, label=cid, skills=skills, state=state)


def test_one_counter_calls_in_order() -> None:
    waiting = [walk_in("a", waited=3), walk_in("b", waited=2), walk_in("c", waited=1)]
    found = estimate_waits(QueueState(waiting=waiting, counters=[counter("1", ausweis=1)]), NOON, TEN)
    assert [found[n].minutes for n in "abc"] == [0, 10, 20]
    assert [found[n].position for n in "abc"] == [1, 2, 3]


def test_busy_counters_and_two_clerks() -> None:
    waiting = [walk_in("a", waited=3), walk_in("b", waited=2), walk_in("c", waited=1)]
    state = QueueState(waiting=waiting, counters=[counter("1", ausweis=1), counter("2", ausweis=1)],
                       busy_for_min={"1": 4.0, "2": 6.0})
    found = estimate_waits(state, NOON, TEN)
    assert [found[n].minutes for n in "abc"] == [4, 6, 14]


def test_closed_counters_do_not_count_and_unservable_tickets_get_none() -> None:
    waiting = [walk_in("a"), walk_in("x", "abholung")]
    counters = [counter("1", ausweis=1), counter("2", CounterState.CLOSED, abholung=1)]
    found = estimate_waits(QueueState(waiting=waiting, counters=counters), NOON, TEN)
    assert set(found) == {"a"}


def test_before_any_counter_opens_every_counter_counts() -> None:
    found = estimate_waits(
        QueueState(waiting=[walk_in("a")], counters=[counter("1", CounterState.CLOSED, ausweis=1)]),
        NOON, TEN,
    )
    assert found["a"].minutes == 0


def test_booked_visitors_still_to_come_push_walk_ins_back() -> None:
    waiting = [walk_in("a", waited=2), walk_in("b", waited=1)]
    counters = [counter("1", ausweis=1)]
    alone = estimate_waits(QueueState(waiting=waiting, counters=counters), NOON, TEN)
    booked = Upcoming("ausweis", NOON + timedelta(minutes=5), show_probability=1.0)
    with_booking = estimate_waits(
        QueueState(waiting=waiting, counters=counters, upcoming=[booked]), NOON, TEN
    )
    assert with_booking["b"].minutes == alone["b"].minutes + 10


def test_band_holds_the_point_and_never_goes_negative() -> None:
    waiting = [walk_in(str(i), waited=10 - i) for i in range(8)]
    found = estimate_waits(QueueState(waiting=waiting, counters=[counter("1", ausweis=1)]), NOON, TEN)
    for estimate in found.values():
        assert 0 <= estimate.low <= estimate.minutes <= estimate.high
    assert found["7"].high - found["7"].low > found["1"].high - found["1"].low


def test_learned_service_times_shrug_off_an_outlier() -> None:
    done = []
    for i, took in enumerate([12, 14, 13, 15, 12, 240]):
        called = NOON - timedelta(minutes=300 - 20 * i)
        done.append(replace(walk_in(str(i)), state=TicketState.DONE, called_at=called,
                            finished_at=called + timedelta(minutes=took)))
    learned = learn_stats(finished=done, config=TEN)
    assert 11 < learned.mean("ausweis") < 25
    assert learned.mean("abholung") == 4.0
    assert learn_stats(finished=[], config=TEN) == TEN


def test_case_rest_is_remaining_min() -> None:
    stats = replace(TEN, cv={"ausweis": 0.6, "abholung": 0.3})
    rest = CaseRest(stats)
    for service in ("ausweis", "abholung", "pass"):  # pass: the default time and cv
        for elapsed in (-1.0, 0.0, 0.5, 4.0, 9.99, 10.0, 25.0, 400.0):
            assert rest(service, elapsed) == remaining_min(service_id=service, elapsed_min=elapsed, stats=stats)


def test_remaining_time_of_a_running_ticket() -> None:
    fresh = remaining_min(service_id="ausweis", elapsed_min=0, stats=TEN)
    assert fresh == 10
    assert 0 < remaining_min(service_id="ausweis", elapsed_min=8, stats=TEN) < fresh
    # a ticket far beyond the mean is a long one: it is not "nearly done"
    assert remaining_min(service_id="ausweis", elapsed_min=30, stats=TEN) > 3


def test_busy_for_reads_called_tickets() -> None:
    called = replace(walk_in("a"), state=TicketState.CALLED, counter_id="3",
                     called_at=NOON - timedelta(minutes=4))
    busy = busy_for(calls=[called, walk_in("b")], now=NOON, stats=TEN)
    assert set(busy) == {"3"}
    assert 0 < busy["3"] < 10


def test_show_probability_falls_once_the_slot_is_near_and_nobody_came() -> None:
    far = show_probability(appointment_at=NOON + timedelta(minutes=60), now=NOON)
    near = show_probability(appointment_at=NOON + timedelta(minutes=1), now=NOON)
    past = show_probability(appointment_at=NOON - timedelta(minutes=10), now=NOON)
    assert 0.84 < far <= 0.85
    assert past < near < far


def test_densest_centre_is_the_mean_of_the_window_holding_the_most_runs() -> None:
    # four runs within 10 minutes, the rest spread out: their mean, far below the median (17)
    assert densest_centre([60, 1, 31, 2, 50, 3, 30, 4], 10.0) == pytest.approx(2.5)
    # a narrower window holds three of them at most: windows (1, 2, 3) and (2, 3, 4) tie, their means averaged
    assert densest_centre([60, 1, 31, 2, 50, 3, 30, 4], 2.0) == pytest.approx(2.5)
    assert densest_centre([1, 2, 3, 10], 2.0) == pytest.approx(2.0)
    # nothing bunches: every window holds one run, so the mean of all
    assert densest_centre([0, 20, 40], 10.0) == pytest.approx(20.0)
    # equal runs start one window: (0, 0, 2) and (5, 6, 7) tie, each counted once
    assert densest_centre([0, 0, 2, 5, 6, 7], 2.0) == pytest.approx((2 / 3 + 6) / 2)
    # one run is its own estimate
    assert densest_centre([7.5], 10.0) == 7.5


def test_sampled_estimate_lies_where_the_runs_bunch_and_does_not_jitter() -> None:
    sampled = replace(TEN, samples=400, sampled_weight=1.0)
    counters = [counter("1", ausweis=1), counter("2", ausweis=1)]
    state = QueueState(waiting=[walk_in("a")], counters=counters, busy_for_min={"1": 10.0, "2": 10.0},
                       running={"1": Running("ausweis", 0.0), "2": Running("ausweis", 0.0)})
    first = estimate_waits(state, NOON, sampled)["a"].minutes
    assert estimate_waits(state, NOON, sampled)["a"].minutes == first
    # the first of two fresh 10-minute cases (log-normal, cv 0.6) ends after about 6 minutes
    assert 5.0 < first < 7.0
    # leaning a fifth on the run with mean times (10 minutes)
    blended = estimate_waits(state, NOON, replace(sampled, sampled_weight=0.8))["a"].minutes
    assert blended == pytest.approx(0.8 * first + 0.2 * 10.0)


def test_tickets_beyond_the_sampled_positions_get_the_mean_run() -> None:
    sampled = replace(TEN, samples=5, sample_positions=2)
    waiting = [walk_in(str(i), waited=10 - i) for i in range(4)]
    found = estimate_waits(QueueState(waiting=waiting, counters=[counter("1", ausweis=1)]), NOON, sampled)
    assert [found[str(i)].position for i in range(4)] == [1, 2, 3, 4]
    assert found["0"].minutes == 0
    assert found["1"].minutes != 10
    assert [found["2"].minutes, found["3"].minutes] == [20, 30]


def test_running_cases_read_called_tickets() -> None:
    called = replace(walk_in("a"), state=TicketState.CALLED, counter_id="3",
                     called_at=NOON - timedelta(minutes=4))
    assert running_cases(calls=[called, walk_in("b")], now=NOON) == {"3": Running("ausweis", 4.0)}


def test_sampled_runs_draw_one_number_per_stratum_then_as_a_seeded_generator() -> None:
    """Draw k of the runs of one estimate falls once into each of their strata (a Latin
    hypercube); past the tape, run r draws what random.Random(seed * 1_000_003 + r) draws
    after as many numbers. Begun again, a run draws the same."""
    import random
    from statistics import NormalDist

    from counter_server.core.estimate import _TAPE_DRAWS, _Sampled

    runs = 8
    stats = ServiceStats(mean_min={"ausweis": 10.0}, seed=7, samples=runs)
    draws = _Sampled(stats, QueueState(waiting=[], counters=[]), [])
    tapes = []
    for run in range(runs):
        draws.begin(run)
        tapes.append([draws._draw() for _ in range(_TAPE_DRAWS)])
        seeded = random.Random(7 * 1_000_003 + run)
        for _ in range(_TAPE_DRAWS):
            seeded.random()
        assert [draws._draw() for _ in range(5)] == [seeded.random() for _ in range(5)]
    for k in range(_TAPE_DRAWS):
        assert sorted(int(tape[k] * runs) for tape in tapes) == list(range(runs))
    assert len({tuple(tape[:3]) for tape in tapes}) == runs
    draws.begin(3)
    assert [draws._draw() for _ in range(4)] == tapes[3][:4]
    # a service time is one number through the log-normal's inverse distribution function
    mu, sigma = draws._params("ausweis")
    draws.begin(3)
    assert draws.taken("ausweis") == pytest.approx(math.exp(mu + sigma * NormalDist().inv_cdf(tapes[3][0])))
