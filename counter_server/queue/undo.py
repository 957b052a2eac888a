"""Undo of a clerk's last step, for a short time: a visit closed by mistake is taken back.

A finished visit is served again, a no-show called again. When the same Next (or a later
one, within the time) already called the following visitor, that call is taken back too:
they wait again in their place, and the counter holds one visit as before.
"""

from __future__ import annotations

from datetime import timedelta

from ..core import lifecycle
from ..core.errors import Conflict, CounterBusy
from ..core.model import Ticket, TicketState
from ..uow import Work
from . import rows
from .commands import save_and_emit
from .shapes import ticket_json


class UndoExpired(Conflict):
    """The time to undo closing this visit (office.toml `undo_s`) has passed."""

    code = "undo_expired"


def reopen(work: Work, *, ticket: Ticket) -> Ticket:
    """Take back closing `ticket` (done or no-show) at its counter, within `undo_s` seconds."""
    reopened = lifecycle.reopen(ticket, now=work.now)
    window = timedelta(seconds=work.config.clerk.undo_s)
    if ticket.finished_at is None or work.now - ticket.finished_at > window:
        raise UndoExpired(f"{ticket.number} was closed more than {window.seconds} s ago", ticket_id=ticket.id)
    if ticket.counter_id is not None:
        _free_counter(work, ticket)
    return save_and_emit(work, lifecycle.EVENT_TYPES["reopen"], reopened)


def _free_counter(work: Work, closed: Ticket) -> None:
    """Take back the call made after `closed` was closed; refuse if the counter has moved on further."""
    assert closed.counter_id is not None and closed.finished_at is not None
    current = rows.current_ticket(work.db, closed.counter_id)
    if current is None:
        return
    called_after = current.called_at is not None and current.called_at >= closed.finished_at
    if current.state is not TicketState.CALLED or not called_after or current.call_count > 1:
        raise CounterBusy(f"the counter has moved on to {current.number}; undo is no longer possible",
                          ticket=ticket_json(current))
    save_and_emit(work, lifecycle.EVENT_TYPES["uncall"], lifecycle.uncall(current, now=work.now))
