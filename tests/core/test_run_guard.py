"""The forward run's guard keeps its look-ahead between decisions and skips it when it cannot matter.

Every decision of the runs (mean-time and sampled, with booked visitors still to
come, tickets sent to one counter, closed counters, the full guard too) is checked
against the guard made from scratch: the booked visitors' needs built anew and
`guard_choice` asked every time (the run guard as it was before it kept anything).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.core import run_guard
from counter_server.core.estimate import QueueState, ServiceStats, Upcoming, estimate_waits
from counter_server.core.model import Counter, CounterState, Ticket, TicketKind
from counter_server.core.policy import Rules, choose_with
from counter_server.core.run_guard import RunGuard
from counter_server.core.slot_guard import booking_needs, guard_choice

from .test_policy import NOON, counter, ticket

DURATIONS = {"ausweis": 18.5, "abholung": 4.5, "anmeldung": 12.5}
SERVICES = [*DURATIONS, "sonstiges"]  # the last has no configured time
STATS = ServiceStats(mean_min=DURATIONS, configured_min=DURATIONS, samples=3, sample_positions=6)


def from_scratch(guard: RunGuard, index: int, at: float, first: int) -> tuple[int | None, float | None]:
    """The decision with the needs made anew and no shortcut."""
    order, plan = guard.order, guard.plan
    chosen = order.ticket(first)
    rules = plan.rules
    booked = order.booked()
    here = [(t, *guard._times(t)) for t in booked.values()]
    to_come = [(j.service_id, j.slot_min, j.slot_at or plan.origin + timedelta(minutes=j.slot_min))
               for j in plan.joiners if id(j) not in guard.joined and at <= j.slot_min]
    picked: dict[int, int] = {}

    def in_time(deadline: float) -> Ticket | None:
        fits = [(o, t) for o, t in order.queued() if at + DURATIONS.get(t.service_id, 10.0) <= deadline]
        picked.update((id(t), o) for o, t in fits)
        now = plan.origin + timedelta(minutes=at)
        return choose_with(plan.terms[index], [t for _, t in fits], now, rules) if fits else None

    decision = guard_choice(
        chosen, index, at, rules=rules, needs=booking_needs(here, to_come, at, rules), desks=plan.desks,
        free=lambda: guard.free_at(index, at), durations=plan.durations, in_time=in_time,  # test_estimate_guard's
        walk_ins=lambda: sorted((t for _, t in order.queued() if t.kind is not TicketKind.APPOINTMENT),
                                key=lambda t: t.arrived_at),
        waited=lambda t: at - plan.minutes(t.arrived_at),
    )
    return guard._outcome(decision, chosen, first, booked, picked)


@st.composite
def offices(draw: st.DrawFn) -> QueueState:
    desks: list[Counter] = []
    for i in range(draw(st.integers(1, 4))):
        desk = counter(str(i), **{s: 1 for s in draw(st.sets(st.sampled_from(SERVICES), min_size=1))})
        desks.append(replace(desk, state=CounterState.CLOSED) if draw(st.integers(0, 5)) == 0 else desk)
    waiting = []
    for i in range(draw(st.integers(0, 14))):
        slot = draw(st.none() | st.integers(-30, 40).map(lambda m: m / 2))
        made = ticket(f"t{i}", draw(st.sampled_from(SERVICES)), waited=draw(st.integers(0, 80)) / 2, slot_in=slot)
        if draw(st.integers(0, 6)) == 0:
            made = replace(made, target_counter_id=str(draw(st.integers(0, 4))))
        waiting.append(made)
    upcoming = [Upcoming(draw(st.sampled_from(SERVICES)), NOON + timedelta(minutes=draw(st.integers(-5, 60))))
                for _ in range(draw(st.integers(0, 8)))]
    busy = {d.id: draw(st.sampled_from((0.0, 2.5, 9.0, 20.0))) for d in desks}
    rules = draw(st.sampled_from((Rules(), Rules(guard_slots=True), Rules(adaptive_promise_min=2.0),
                                  Rules(adaptive_call_min=8))))
    return QueueState(waiting=waiting, counters=desks, busy_for_min=busy, rules=rules, upcoming=upcoming)


@settings(max_examples=150, deadline=None)
@given(state=offices())
def test_every_decision_is_the_one_made_from_scratch(state: QueueState) -> None:
    decide = RunGuard.decide

    def checked(self: RunGuard, index: int, at: float, first: int) -> tuple[int | None, float | None]:
        expected = from_scratch(self, index, at, first)
        found = decide(self, index, at, first)
        assert found == expected
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_guard.RunGuard, "decide", checked)
        estimate_waits(state, NOON, STATS)
