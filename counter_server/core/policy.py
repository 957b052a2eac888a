"""Which waiting ticket a counter calls next.

First policy: booked visitors whose slot is due come first, then the ticket
that has waited longest among the services the counter has skills for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import Counter, Priority, Ticket, TicketKind, TicketState


@dataclass(frozen=True)
class Rules:
    """Named settings of the queue policy (office.toml `[queue]`)."""

    # a booked visitor counts as due this many minutes before the slot
    appointment_due_before_min: int = 2


def eligible(ticket: Ticket, counter: Counter) -> bool:
    """Whether `counter` may call `ticket` at all."""
    if ticket.state is not TicketState.WAITING or not counter.can_serve(ticket.service_id):
        return False
    return ticket.target_counter_id in (None, counter.id)


def is_due(ticket: Ticket, now: datetime, rules: Rules) -> bool:
    if ticket.kind is not TicketKind.APPOINTMENT or ticket.appointment_at is None:
        return False
    return now >= ticket.appointment_at - timedelta(minutes=rules.appointment_due_before_min)


def _rank(ticket: Ticket, counter: Counter, now: datetime, rules: Rules) -> tuple[int, int, int, datetime]:
    urgent = 0 if ticket.priority is Priority.URGENT else 1
    targeted = 0 if ticket.target_counter_id == counter.id else 1
    if is_due(ticket, now, rules):
        assert ticket.appointment_at is not None
        return (urgent, targeted, 0, ticket.appointment_at)
    return (urgent, targeted, 1, ticket.arrived_at)


def choose_next(
    counter: Counter,
    waiting: Sequence[Ticket],
    counters: Sequence[Counter],
    now: datetime,
    rules: Rules,
) -> Ticket | None:
    """The ticket `counter` should call now, or None when nobody waits for it.

    Booked visitors who arrived early wait until their slot is due; walk-ins
    are never held back.
    """
    candidates = [
        t
        for t in waiting
        if eligible(t, counter) and (t.kind is TicketKind.WALK_IN or is_due(t, now, rules)
                                     or t.appointment_at is None)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda t: _rank(t, counter, now, rules))
