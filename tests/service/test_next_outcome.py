"""Next on a visitor called but never started asks how it ended; Undo takes a close back (issue 12, item 6)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from counter_server.config import ClerkSettings
from counter_server.core.errors import CounterBusy, InvalidTransition
from counter_server.core.model import CounterState, Priority, TicketKind, TicketState
from counter_server.queue import commands, rows, undo
from counter_server.queue.counters import set_counter_state

from .conftest import Office


def _walk_in(office: Office) -> str:
    ticket = office.write(lambda w: commands.issue_ticket(
        w, service_id="ausweis", kind=TicketKind.WALK_IN, lang="de", priority=Priority.NORMAL, device_id="k"))
    return ticket.id


def _state(office: Office, ticket_id: str) -> TicketState:
    return office.read(lambda db: rows.load_ticket(db, ticket_id)).state


def _two_waiting_one_called(office: Office) -> tuple[str, str]:
    first, second = _walk_in(office), _walk_in(office)
    office.write(lambda w: set_counter_state(w, counter_id="1", state=CounterState.OPEN))
    office.write(lambda w: commands.call_next(w, counter_id="1"))
    office.later(1)
    return first, second


def test_next_on_a_called_visitor_asks_and_changes_nothing(office: Office) -> None:
    first, second = _two_waiting_one_called(office)
    before = len(office.published)
    with pytest.raises(commands.OutcomeNeeded) as refused:
        office.write(lambda w: commands.call_next(w, counter_id="1"))
    assert refused.value.details["ticket"]["id"] == first
    assert len(office.published) == before
    assert (_state(office, first), _state(office, second)) == (TicketState.CALLED, TicketState.WAITING)


def test_the_clerk_says_no_show_and_the_statistics_record_it(office: Office) -> None:
    first, second = _two_waiting_one_called(office)
    called = office.write(lambda w: commands.call_next(w, counter_id="1", previous="no_show")).ticket
    assert called is not None and called.id == second
    assert _state(office, first) is TicketState.NO_SHOW
    assert office.types()[-2:] == ["ticket.no_show", "ticket.called"]
    day = office.now.date()
    assert first not in {t.id for t in office.read(lambda db: rows.finished_today(db, day))}


def test_a_visit_begun_ends_as_done_without_asking(office: Office) -> None:
    first, second = _two_waiting_one_called(office)
    office.write(lambda w: commands.ticket_action(w, ticket=rows.load_ticket(w.db, first), action="start"))
    office.write(lambda w: commands.call_next(w, counter_id="1"))
    assert (_state(office, first), _state(office, second)) == (TicketState.DONE, TicketState.CALLED)
    office.write(lambda w: commands.ticket_action(w, ticket=rows.load_ticket(w.db, second), action="start"))
    with pytest.raises(InvalidTransition):  # a visitor being served did come
        office.write(lambda w: commands.call_next(w, counter_id="1", previous="no_show"))
    assert _state(office, second) is TicketState.SERVING


@pytest.mark.parametrize("rule", ["done", "no_show"])
def test_the_office_rule_closes_without_asking(office: Office, rule: str) -> None:
    office.config = replace(office.config, clerk=ClerkSettings(next_on_called=rule))  # type: ignore[arg-type]
    first, _ = _two_waiting_one_called(office)
    office.write(lambda w: commands.call_next(w, counter_id="1"))
    assert _state(office, first).value == rule


def test_undo_of_a_no_show_calls_them_again_and_takes_back_the_next_call(office: Office) -> None:
    first, second = _two_waiting_one_called(office)
    office.write(lambda w: commands.call_next(w, counter_id="1", previous="no_show"))
    office.later(0.1)
    back = office.write(lambda w: undo.reopen(w, ticket=rows.load_ticket(w.db, first)))
    assert (back.state, back.counter_id, back.finished_at, back.reason) == (TicketState.CALLED, "1", None, None)
    waiting = office.read(lambda db: rows.load_ticket(db, second))
    assert (waiting.state, waiting.counter_id, waiting.called_at, waiting.call_count) == (
        TicketState.WAITING, None, None, 0)
    assert office.types()[-2:] == ["ticket.uncalled", "ticket.reopened"]
    assert office.read(lambda db: rows.current_ticket(db, "1")).id == first


def test_undo_of_a_finish_serves_them_again(office: Office) -> None:
    first, _ = _two_waiting_one_called(office)
    for action in ("start", "finish"):
        office.write(lambda w, a=action: commands.ticket_action(w, ticket=rows.load_ticket(w.db, first), action=a))
    back = office.write(lambda w: undo.reopen(w, ticket=rows.load_ticket(w.db, first)))
    assert back.state is TicketState.SERVING and back.started_at is not None


def test_undo_is_refused_after_its_time_or_once_the_counter_moved_on(office: Office) -> None:
    first, second = _two_waiting_one_called(office)
    office.write(lambda w: commands.call_next(w, counter_id="1", previous="done"))
    office.later(11 / 60)
    with pytest.raises(undo.UndoExpired):
        office.write(lambda w: undo.reopen(w, ticket=rows.load_ticket(w.db, first)))
    third = _walk_in(office)
    office.write(lambda w: commands.ticket_action(w, ticket=rows.load_ticket(w.db, second), action="start"))
    office.write(lambda w: commands.call_next(w, counter_id="1"))  # second done, third called
    office.write(lambda w: commands.ticket_action(w, ticket=rows.load_ticket(w.db, third), action="start"))
    with pytest.raises(CounterBusy):  # third is being served: undoing second would give the counter two
        office.write(lambda w: undo.reopen(w, ticket=rows.load_ticket(w.db, second)))
    assert _state(office, second) is TicketState.DONE
