"""People ahead and the wait a visitor is told: one definition (core/ahead.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from counter_server.core.ahead import NO_COUNTER_OPEN, longest_wait, people_ahead, wait_of
from counter_server.core.estimate import QueueState, estimate_waits
from counter_server.core.model import CounterState, TicketState

from .test_estimate import NOON, TEN, counter, walk_in


def test_ahead_counts_the_same_errand_only_and_those_who_came_first() -> None:
    queue = [walk_in(f"a{i}", waited=30 - i) for i in range(10)]  # ten for another errand
    queue += [walk_in("s1", "sonstiges", waited=5), walk_in("s2", "sonstiges", waited=1)]
    mine = queue[-1]
    # the errand list says one waits for "sonstiges"; the ticket that follows says one is ahead
    assert people_ahead(queue[:-1], service_id="sonstiges") == 1
    assert people_ahead(queue, service_id="sonstiges", ticket=mine) == 1
    assert people_ahead(queue, service_id="sonstiges", ticket=queue[-2]) == 0


def test_called_and_parked_visitors_are_not_ahead() -> None:
    queue = [walk_in("a", waited=9), walk_in("b", waited=8), walk_in("me", waited=1)]
    queue[0] = replace(queue[0], state=TicketState.CALLED)
    queue[1] = replace(queue[1], state=TicketState.PARKED)
    assert people_ahead(queue, service_id="ausweis", ticket=queue[2]) == 0


def test_same_arrival_is_broken_by_creation_then_number() -> None:
    first, second = walk_in("A001"), walk_in("A002")
    assert people_ahead([first, second], service_id="ausweis", ticket=second) == 1
    assert people_ahead([first, second], service_id="ausweis", ticket=first) == 0


def test_no_open_counter_gives_the_reason_not_zero_minutes() -> None:
    # the estimate pretends every counter is open: 0 minutes for the first in line
    closed = [counter("1", CounterState.CLOSED, ausweis=1)]
    found = estimate_waits(QueueState(waiting=[walk_in("a")], counters=closed), NOON, TEN)
    assert found["a"].minutes == 0
    opens = datetime(2026, 3, 3, 8, 0, tzinfo=NOON.tzinfo)
    wait = wait_of(found["a"], counters_open=False, opens_at=opens)
    assert (wait.eta_min, wait.eta_reason, wait.opens_at) == (None, NO_COUNTER_OPEN, opens)
    assert wait_of(found["a"], counters_open=True) == (0, 0, round(found["a"].high), None, None)


def test_the_errand_list_waits_for_the_last_in_line() -> None:
    waiting = [walk_in("a", waited=3), walk_in("b", waited=2)]
    found = estimate_waits(QueueState(waiting=waiting, counters=[counter("1", ausweis=1)]), NOON, TEN)
    assert longest_wait(found.values(), waiting=2, counters_open=True).eta_min == 10
    assert longest_wait((), waiting=0, counters_open=False).eta_min == 0
    assert longest_wait(found.values(), waiting=2, counters_open=False).eta_reason == NO_COUNTER_OPEN
