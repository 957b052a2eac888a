"""The ticket lifecycle of DESIGN.md as pure transitions.

Each function returns a new Ticket or raises InvalidTransition; none of them
changes anything when it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from .errors import InvalidTransition
from .model import Ticket, TicketState

S = TicketState
# the reason of a visit finished without a start
NOT_STARTED = "not_started"


def _require(ticket: Ticket, action: str, *allowed: TicketState) -> None:
    if ticket.state not in allowed:
        raise InvalidTransition(
            f"ticket {ticket.number} is {ticket.state.value}; cannot {action}",
            state=ticket.state.value,
            action=action,
        )


def call(ticket: Ticket, *, counter_id: str, now: datetime) -> Ticket:
    _require(ticket, "call", S.WAITING)
    return replace(
        ticket,
        state=S.CALLED,
        counter_id=counter_id,
        target_counter_id=None,
        called_at=now,
        call_count=ticket.call_count + 1,
    )


def recall(ticket: Ticket, *, now: datetime) -> Ticket:
    _require(ticket, "recall", S.CALLED)
    return replace(ticket, called_at=now, call_count=ticket.call_count + 1)


def start(ticket: Ticket, *, now: datetime) -> Ticket:
    _require(ticket, "start", S.CALLED)
    return replace(ticket, state=S.SERVING, started_at=now)


def finish(ticket: Ticket, *, now: datetime) -> Ticket:
    _require(ticket, "finish", S.SERVING)
    return replace(ticket, state=S.DONE, finished_at=now)


def finish_unstarted(ticket: Ticket, *, now: datetime) -> Ticket:
    """Done although the clerk never pressed start (Next, and they say the visitor came)."""
    _require(ticket, "finish", S.CALLED)
    return replace(finish(start(ticket, now=now), now=now), reason=NOT_STARTED)


def no_show(ticket: Ticket, *, now: datetime) -> Ticket:
    _require(ticket, "no_show", S.CALLED)
    return replace(ticket, state=S.NO_SHOW, finished_at=now, reason="no_show")


def reopen(ticket: Ticket, *, now: datetime) -> Ticket:
    """Undo closing a visit: a no-show is called again, a finished visit is served again.

    A visit finished without a start (`finish_unstarted`) goes back to called: the
    clerk never began it.
    """
    _require(ticket, "reopen", S.DONE, S.NO_SHOW)
    begun = ticket.state is S.DONE and ticket.reason != NOT_STARTED
    return replace(
        ticket,
        state=S.SERVING if begun else S.CALLED,
        started_at=ticket.started_at if begun else None,
        finished_at=None,
        reason=None,
    )


def uncall(ticket: Ticket, *, now: datetime) -> Ticket:
    """Undo a call: the visitor waits again in their place, as if never called."""
    _require(ticket, "uncall", S.CALLED)
    return replace(
        ticket,
        state=S.WAITING,
        counter_id=None,
        called_at=None,
        call_count=max(0, ticket.call_count - 1),
    )


def transfer(
    ticket: Ticket,
    *,
    now: datetime,
    service_id: str | None = None,
    counter_id: str | None = None,
) -> Ticket:
    """Back to waiting for another service or counter, keeping the original arrival."""
    _require(ticket, "transfer", S.CALLED, S.SERVING)
    return replace(
        ticket,
        state=S.WAITING,
        service_id=service_id or ticket.service_id,
        target_counter_id=counter_id,
        counter_id=None,
        called_at=None,
        started_at=None,
        # A transferred visitor has been called once already; the next counter
        # calls them as a fresh call, but the original arrival keeps their place.
        created_at=ticket.created_at,
        arrived_at=ticket.arrived_at,
    )


def move(ticket: Ticket, *, service_id: str, counter_id: str | None) -> Ticket:
    """A waiting ticket sent to another errand or counter (by the office head); it keeps its arrival."""
    _require(ticket, "move", S.WAITING)
    return replace(ticket, service_id=service_id, target_counter_id=counter_id)


def park(ticket: Ticket, *, now: datetime) -> Ticket:
    """Set aside (the visitor fetches a document) without losing the ticket."""
    _require(ticket, "park", S.CALLED, S.SERVING)
    return replace(ticket, state=S.PARKED, target_counter_id=ticket.counter_id)


def return_(ticket: Ticket, *, now: datetime) -> Ticket:
    """A parked visitor is back: waiting again, preferably for the same counter."""
    _require(ticket, "return", S.PARKED)
    return replace(ticket, state=S.WAITING, counter_id=None, called_at=None, started_at=None)


def cancel(ticket: Ticket, *, now: datetime) -> Ticket:
    _require(ticket, "cancel", S.WAITING, S.CALLED, S.PARKED)
    return replace(ticket, state=S.CANCELLED, finished_at=now, reason="cancelled")


def expire(ticket: Ticket, *, now: datetime, reason: str) -> Ticket:
    _require(ticket, "expire", S.WAITING, S.CALLED, S.SERVING, S.PARKED)
    return replace(ticket, state=S.EXPIRED, finished_at=now, reason=reason)


SimpleAction = Callable[..., Ticket]

# Clerk actions that take nothing but the ticket and the time.
ACTIONS: dict[str, SimpleAction] = {
    "recall": recall,
    "start": start,
    "finish": finish,
    "no_show": no_show,
    "park": park,
    "return": return_,
    "cancel": cancel,
}

EVENT_TYPES: dict[str, str] = {
    "call": "ticket.called",
    "recall": "ticket.recalled",
    "start": "ticket.started",
    "finish": "ticket.finished",
    "no_show": "ticket.no_show",
    "transfer": "ticket.transferred",
    "park": "ticket.parked",
    "return": "ticket.returned",
    "cancel": "ticket.cancelled",
    "expire": "ticket.expired",
    "reopen": "ticket.reopened",
    "uncall": "ticket.uncalled",
}
