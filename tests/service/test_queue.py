"""The queue's commands and views, in process."""

from __future__ import annotations

import pytest

from counter_server.core.errors import CounterNotOpen, InvalidTransition
from counter_server.core.model import CounterState, Priority, TicketKind, TicketState
from counter_server.queue import commands, rows
from counter_server.queue.counters import set_counter_state
from counter_server.queue.views import board, counter_view, services_list, ticket_status
from counter_server.queue.visitor import public_status

from .conftest import Office


def _walk_in(office: Office, service_id: str = "ausweis") -> str:
    ticket = office.write(lambda w: commands.issue_ticket(
        w, service_id=service_id, kind=TicketKind.WALK_IN, lang="de", priority=Priority.NORMAL, device_id="k"))
    return ticket.id


def test_numbers_count_up_per_errand_and_each_ticket_is_announced(office: Office) -> None:
    ids = [_walk_in(office), _walk_in(office), _walk_in(office, "anmeldung")]
    numbers = [office.read(lambda db, i=i: rows.load_ticket(db, i)).number for i in ids]
    assert numbers == ["A001", "A002", "B001"]
    assert office.types().count("ticket.created") == 3


def test_next_calls_the_first_waiting_and_closes_the_current_visit(office: Office) -> None:
    first, second = _walk_in(office), _walk_in(office)
    office.write(lambda w: set_counter_state(w, counter_id="1", state=CounterState.OPEN))
    called = office.write(lambda w: commands.call_next(w, counter_id="1")).ticket
    assert called is not None and called.id == first and called.state is TicketState.CALLED
    office.later(5)
    # the first was called, never started: the clerk says how it ended (the office default asks)
    again = office.write(lambda w: commands.call_next(w, counter_id="1", previous="done")).ticket
    assert again is not None and again.id == second
    assert office.read(lambda db: rows.load_ticket(db, first)).state is TicketState.DONE
    assert office.types()[-2:] == ["ticket.finished", "ticket.called"]


def test_a_closed_counter_cannot_call(office: Office) -> None:
    _walk_in(office)
    with pytest.raises(CounterNotOpen):
        office.write(lambda w: commands.call_next(w, counter_id="1"))


def test_a_refused_action_changes_nothing(office: Office) -> None:
    ticket_id = _walk_in(office)
    before = len(office.published)
    with pytest.raises(InvalidTransition):
        office.write(lambda w: commands.ticket_action(w, ticket=rows.load_ticket(w.db, ticket_id), action="finish"))
    assert len(office.published) == before
    assert office.read(lambda db: rows.load_ticket(db, ticket_id)).state is TicketState.WAITING


def test_board_and_status_agree_on_who_waits(office: Office) -> None:
    ids = [_walk_in(office) for _ in range(3)]
    office.write(lambda w: set_counter_state(w, counter_id="2", state=CounterState.OPEN))
    shown = office.read(lambda db: board(db, office.config, office.now))
    ausweis = next(s for s in shown["waiting"] if s["service_id"] == "ausweis")
    assert ausweis["waiting"] == 3 and shown["waiting_total"] == 3 and shown["counters_open"] == 1
    last = office.read(lambda db: rows.load_ticket(db, ids[-1]))
    status = office.read(lambda db: ticket_status(db, office.config, last, office.now))
    assert status["position"] == 3 and status["eta_min"] is not None
    public = office.read(lambda db: public_status(db, office.config, last.public_id, office.now))
    assert public["number"] == "A003" and public["position"] == 3


def test_the_clerk_view_proposes_whom_next_would_call(office: Office) -> None:
    first = _walk_in(office)
    _walk_in(office, "pass")
    view = office.read(lambda db: counter_view(db, office.config, "1", office.now))
    assert view["next"]["id"] == first
    assert {t["service_id"] for t in view["waiting"]} <= {"ausweis", "pass", "abholung"}


def test_services_list_counts_walk_ins_and_says_what_is_open(office: Office) -> None:
    _walk_in(office, "sonstiges")
    listed = office.read(lambda db: services_list(db, office.config, office.now))
    sonstiges = next(s for s in listed["services"] if s["id"] == "sonstiges")
    assert sonstiges["waiting"] == 1 and listed["office"]["open_now"] is True


def test_day_end_expires_yesterdays_open_tickets(office: Office) -> None:
    ticket_id = _walk_in(office)
    office.later(24 * 60)
    assert office.write(commands.expire_past_days) == 1
    assert office.read(lambda db: rows.load_ticket(db, ticket_id)).state is TicketState.EXPIRED
