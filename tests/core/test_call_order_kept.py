"""The estimate's queue, kept from one estimate to the next, gives what filling it anew gives.

`CallOrder.fill_kept` lends a copy of the queue filled for an earlier estimate at the same
counters, keyed from the moment it was filled, when tickets only left it or joined it
behind everyone since. Over a day of random moves (time passing, calls, new arrivals,
booked visitors due later, a ticket changed or put back in the middle) every estimate must
equal the one made from a queue filled anew, and the kept queue must be used where it may.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.core import call_order, model
from counter_server.core.call_order import CallOrder
from counter_server.core.estimate import QueueState, Running, ServiceStats, Upcoming, estimate_waits
from counter_server.core.model import Priority, Ticket, TicketKind
from counter_server.core.policy import Rules

from .test_call_order import DURATIONS, SERVICES, ZONES, counters, rules_strategy, tickets


def _newcomer(draw: st.DrawFn, serial: int, now: datetime) -> Ticket:
    booked = draw(st.booleans())
    return Ticket(
        id=f"n{serial}", number=f"N{serial}", service_id=draw(st.sampled_from(SERVICES)),
        kind=TicketKind.APPOINTMENT if booked else TicketKind.WALK_IN,
        priority=draw(st.sampled_from((Priority.NORMAL,) * 6 + (Priority.ASSIST, Priority.URGENT))),
        lang=draw(st.sampled_from(("de", "de", "tr"))), created_at=now, arrived_at=now,
        office_day=date(2026, 3, 2), public_id=f"n{serial}",
        appointment_at=now + timedelta(minutes=draw(st.integers(-10, 50))) if booked else None,
    )


def _estimates(state: QueueState, now: datetime, stats: ServiceStats, *, kept: bool) -> dict[str, object]:
    if kept:
        return dict(estimate_waits(state, now, stats))
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(CallOrder, "fill_kept", CallOrder.fill)
        return dict(estimate_waits(state, now, stats))


@settings(max_examples=120, deadline=None)
@given(data=st.data(), rules=rules_strategy, samples=st.sampled_from((0, 3)))
def test_estimates_from_the_kept_queue_equal_those_from_a_queue_filled_anew(
    data: st.DataObject, rules: Rules, samples: int
) -> None:
    start = datetime(2026, 3, 2, 11, 0, tzinfo=data.draw(st.sampled_from(ZONES)))
    desks = data.draw(counters())
    queue = [t for t in data.draw(tickets(start, len(desks))) if t.state is model.TicketState.WAITING]
    stats = ServiceStats(mean_min=DURATIONS, configured_min=DURATIONS, samples=samples, sample_positions=6)
    upcoming = [Upcoming(data.draw(st.sampled_from(SERVICES)), start + timedelta(minutes=m), 0.85)
                for m in data.draw(st.lists(st.integers(0, 90), max_size=3))]
    running = {desks[0].id: Running(SERVICES[0], 2.0)}
    now = start
    for step in range(data.draw(st.integers(1, 8))):
        state = QueueState(waiting=list(queue), counters=desks, busy_for_min={desks[0].id: 5.0}, rules=rules,
                           upcoming=upcoming, running=running)
        assert _estimates(state, now, stats, kept=True) == _estimates(state, now, stats, kept=False)
        now += timedelta(seconds=data.draw(st.sampled_from((0, 1, 30, 97.5, 600))))
        move = data.draw(st.sampled_from(("leave", "join", "both", "change", "middle")))
        if move in ("leave", "both") and queue:
            for gone in data.draw(st.lists(st.sampled_from(queue), max_size=3, unique_by=lambda t: t.id)):
                queue.remove(gone)
        if move in ("join", "both"):
            queue += [_newcomer(data.draw, step * 10 + i, now) for i in range(data.draw(st.integers(1, 3)))]
        if move == "change" and queue:
            at = data.draw(st.integers(0, len(queue) - 1))
            queue[at] = replace(queue[at], priority=Priority.URGENT)
        if move == "middle" and queue:
            queue.insert(data.draw(st.integers(0, len(queue) - 1)), _newcomer(data.draw, step * 10 + 9, start))


def test_a_queue_that_only_lost_and_gained_behind_is_lent_not_filled() -> None:
    """Calls and new arrivals: the kept queue is brought up to date, not filled anew."""
    start = datetime(2026, 3, 2, 11, 0, tzinfo=ZONES[1])
    desks = [model.Counter(id=str(i), label=str(i), skills={"a": 1, "b": 1}, state=model.CounterState.OPEN)
             for i in range(3)]
    stats = ServiceStats(mean_min=DURATIONS, configured_min=DURATIONS)
    queue = [Ticket(id=f"t{i}", number=str(i), service_id="ab"[i % 2], kind=TicketKind.WALK_IN,
                    priority=Priority.NORMAL, lang="de", created_at=start, arrived_at=start + timedelta(seconds=i),
                    office_day=date(2026, 3, 2), public_id=str(i)) for i in range(60)]
    rules = Rules()
    fills = []
    with pytest.MonkeyPatch.context() as patched:
        made = call_order._Filled.__init__

        def counted(self: call_order._Filled, *args: object) -> None:
            fills.append(1)
            made(self, *args)  # type: ignore[arg-type]

        patched.setattr(call_order._Filled, "__init__", counted)
        now = start + timedelta(minutes=2)
        for step in range(10):
            state = QueueState(waiting=list(queue), counters=desks, rules=rules)
            assert estimate_waits(state, now, stats) == _estimates(state, now, stats, kept=False)
            queue = queue[2:] + [replace(queue[0], id=f"n{step}", number=f"N{step}", arrived_at=now)]
            now += timedelta(seconds=45)
        assert len(fills) == 1
        # a ticket changed in the middle of the queue: filled anew
        queue[5] = replace(queue[5], priority=Priority.URGENT)
        state = QueueState(waiting=list(queue), counters=desks, rules=rules)
        assert estimate_waits(state, now, stats) == _estimates(state, now, stats, kept=False)
        assert len(fills) == 2
