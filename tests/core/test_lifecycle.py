from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from counter_server.core import lifecycle
from counter_server.core.errors import InvalidTransition
from counter_server.core.model import Priority, Ticket, TicketKind, TicketState

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def ticket(**changes: object) -> Ticket:
    base = Ticket(
        id="t1", number="A001", service_id="ausweis", kind=TicketKind.WALK_IN, priority=Priority.NORMAL,
        lang="de", created_at=NOW, arrived_at=NOW, office_day=date(2026, 12, 1), public_id="p1",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_full_visit() -> None:
    called = lifecycle.call(ticket(), counter_id="3", now=NOW + timedelta(minutes=5))
    assert (called.state, called.counter_id, called.call_count) == (TicketState.CALLED, "3", 1)
    recalled = lifecycle.recall(called, now=NOW + timedelta(minutes=6))
    assert recalled.call_count == 2
    serving = lifecycle.start(recalled, now=NOW + timedelta(minutes=7))
    done = lifecycle.finish(serving, now=NOW + timedelta(minutes=20))
    assert done.state is TicketState.DONE
    assert done.finished_at == NOW + timedelta(minutes=20)


def test_no_show_only_after_a_call() -> None:
    with pytest.raises(InvalidTransition):
        lifecycle.no_show(ticket(), now=NOW)
    called = lifecycle.call(ticket(), counter_id="1", now=NOW)
    assert lifecycle.no_show(called, now=NOW).state is TicketState.NO_SHOW


def test_transfer_keeps_the_original_arrival() -> None:
    serving = lifecycle.start(lifecycle.call(ticket(), counter_id="1", now=NOW), now=NOW)
    moved = lifecycle.transfer(serving, now=NOW + timedelta(minutes=30), service_id="pass", counter_id="2")
    assert moved.state is TicketState.WAITING
    assert (moved.service_id, moved.target_counter_id, moved.counter_id) == ("pass", "2", None)
    assert moved.arrived_at == NOW


def test_park_and_return_prefers_the_same_counter() -> None:
    called = lifecycle.call(ticket(), counter_id="4", now=NOW)
    parked = lifecycle.park(called, now=NOW)
    assert (parked.state, parked.target_counter_id) == (TicketState.PARKED, "4")
    back = lifecycle.return_(parked, now=NOW)
    assert (back.state, back.target_counter_id, back.counter_id) == (TicketState.WAITING, "4", None)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (TicketState.WAITING, "start"),
        (TicketState.WAITING, "finish"),
        (TicketState.WAITING, "recall"),
        (TicketState.DONE, "cancel"),
        (TicketState.DONE, "park"),
        (TicketState.SERVING, "return"),
        (TicketState.CANCELLED, "start"),
    ],
)
def test_forbidden_actions_are_refused_and_change_nothing(state: TicketState, action: str) -> None:
    before = ticket(state=state)
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.ACTIONS[action](before, now=NOW)
    assert refused.value.code == "invalid_transition"
    assert before.state is state


def test_day_end_expires_any_open_ticket() -> None:
    for state in (TicketState.WAITING, TicketState.CALLED, TicketState.SERVING, TicketState.PARKED):
        expired = lifecycle.expire(ticket(state=state), now=NOW, reason="day_end")
        assert (expired.state, expired.reason) == (TicketState.EXPIRED, "day_end")
