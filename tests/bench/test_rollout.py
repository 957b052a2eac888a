"""`python -m bench.rollout`: the default improved one decision at a time by sampled futures."""

from __future__ import annotations

import random
from pathlib import Path

from bench.rollout import LATE_MIN, Rollout, RolloutOffice, Sample, Settings, sample_future
from bench.scenario import Visitor, draw_day, load_scenario
from bench.simulator import _Office, ours, simulate_day
from counter_server.core.policy import Rules

ROOT = Path(__file__).resolve().parents[2]
BUSY = ROOT / "bench" / "scenarios" / "walk-ins-plus-25.toml"
LATE = ROOT / "bench" / "scenarios" / "mostly-booked-late.toml"


def _office_at(path: Path, minute: float, seed: str) -> _Office:
    scenario = load_scenario(path)
    office = _Office(scenario, draw_day(scenario, random.Random(seed)), ours, Rules(), False)
    office.run(until=minute)
    return office


def test_a_sample_keeps_what_the_office_knows_and_draws_only_the_future() -> None:
    at = 200.0
    office = _office_at(BUSY, at, "7/0")
    assert office.waiting and office.serving, "a busy moment of the day"
    sample = sample_future(office, at, random.Random(1))
    visitors = sample.day.visitors
    for ticket, index in zip(office.waiting, sample.present, strict=True):
        here, drawn = office.day.visitors[int(ticket.id)], visitors[index]
        assert (drawn.service_id, drawn.arrives_min, drawn.slot_min) == (here.service_id, here.arrives_min, here.slot_min)
        assert sample.visitor_of[ticket.id] == index
    assert all(v.arrives_min > at for v in visitors[len(sample.present):])
    assert sample.busy.keys() == office.serving.keys()
    for index, (free_at, ticket, called) in sample.busy.items():
        assert ticket is office.serving[index] and called == office.called_min[index] and free_at > at
    for number, visitor in sample.booked_visitor.items():
        booking = office.bookings[number]
        assert visitors[visitor].slot_min == booking.slot_min and visitors[visitor].service_id == booking.service_id
        assert booking.visitor is None or office.day.visitors[booking.visitor].arrives_min > at
    checked_in = {b.slot_min for b in office.bookings if b.visitor is not None and office.day.visitors[b.visitor].arrives_min <= at}
    waiting_slots = {v.slot_min for v in visitors[: len(sample.present)]}
    assert not {v.slot_min for v in visitors[len(sample.present):] if v.slot_min is not None} & (checked_in - waiting_slots)


def test_a_rollout_from_the_opening_on_the_real_day_is_the_default_policys_day() -> None:
    scenario = load_scenario(LATE)
    day = draw_day(scenario, random.Random("3/1"))
    office = _Office(scenario, day, ours, Rules(), False)
    played = Rollout(office, Sample(day, {}, [], {}), Settings(horizon_min=10_000)).play(0.0, 0, None)
    expected = simulate_day(scenario=scenario, day=day, policy=ours, rules=Rules())
    assert played.result.walk_in_waits == expected.walk_in_waits
    assert played.result.booked_late == expected.booked_late


def test_the_cost_counts_late_booked_visitors_and_long_walk_in_waits_within_the_horizon() -> None:
    scenario = load_scenario(LATE)
    day = draw_day(scenario, random.Random("3/1"))
    rollout = Rollout(_Office(scenario, day, ours, Rules(), False), Sample(day, {}, [], {}), Settings(
        weight=100.0, horizon_min=30.0, tau_min=15.0))
    rollout.start, rollout.stop_at, rollout.waiting = 60.0, 135.0, []
    rollout.calls = [
        (Visitor(0, "x", 50.0, 5.0, 70.0), 70.0 + LATE_MIN),  # on time
        (Visitor(1, "x", 72.0, 5.0, 70.0), 72.0 + LATE_MIN + 1),  # late: from the check-in
        (Visitor(2, "x", 80.0, 5.0, 95.0), 120.0),  # late, but due after the horizon
        (Visitor(3, "x", 40.0, 5.0, None), 65.0),  # a walk-in, 25 minutes
        (Visitor(4, "x", 91.0, 5.0, None), 130.0),  # here after the horizon
    ]
    assert rollout.cost() == 100.0 + (25 - 15) ** 2 / 15


def test_the_rollout_policy_calls_everybody_it_holds_a_counter_for() -> None:
    scenario = load_scenario(LATE)
    settings = Settings(samples=2, hold_min=8.0, early_min=60.0)
    for number in range(2):
        day = draw_day(scenario, random.Random(f"5/{number}"))
        office = RolloutOffice(scenario, day, settings, seed=str(number))
        result = office.run()
        assert office.asked > 0
        assert len(result.walk_in_waits) + len(result.booked_late) == len(day.visitors)
