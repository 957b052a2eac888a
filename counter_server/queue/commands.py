"""What clerks and kiosks change in the queue, as commands over one unit of work.

Each command writes the rows and emits the events inside the caller's transaction
and returns the domain object it changed.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ..core import lifecycle
from ..core.errors import (
    Conflict,
    CounterBusy,
    CounterNotOpen,
    DomainError,
    SkillMissing,
    UnknownCounter,
    UnknownService,
)
from ..core.model import CounterState, Priority, Ticket, TicketKind, TicketState
from ..core.numbering import ISSUED, next_number, office_day
from ..core.slot_guard import Decision
from ..uow import Work
from . import rows
from .counters import counter_now, counters_now, find_counter
from .decide import decide_next
from .shapes import counter_ref, ticket_json


class CallNotOffered(Conflict):
    """A counter calls out of turn only a visitor its own workstation checked in."""

    code = "call_not_offered"
    status = 403


@dataclass(frozen=True)
class Preassigned:
    """A number (and status-page id) handed out before the ticket reached the server."""

    number: str
    public_id: str
    at: datetime


def emit_ticket(work: Work, type_: str, ticket: Ticket) -> None:
    work.emit(type_, {"ticket": ticket_json(ticket), "counter": counter_ref(work.office, ticket.counter_id)})


def save_and_emit(work: Work, type_: str, ticket: Ticket) -> Ticket:
    rows.save_ticket(work.tx, ticket)
    emit_ticket(work, type_, ticket)
    return ticket


def issue_ticket(
    work: Work,
    *,
    service_id: str,
    kind: TicketKind,
    lang: str,
    priority: Priority,
    device_id: str,
    appointment_at: datetime | None = None,
    appointment_id: str | None = None,
    preassigned: Preassigned | None = None,
) -> Ticket:
    """Number, store and announce a new waiting ticket.

    A `preassigned` number comes from a kiosk's lease: the visitor already holds it,
    and their arrival is when the kiosk issued it, not when the server heard of it.
    """
    office = work.office
    service = office.service(service_id)
    if service is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    day = office_day(work.now, office.timezone)
    if preassigned is None:
        number = next_number(service, day, rows.highest_numbers(work.db, day, service.prefix, *ISSUED))
        preassigned = Preassigned(number=number, public_id=secrets.token_urlsafe(16), at=work.now)
    ticket = Ticket(
        id=str(uuid.uuid4()),
        number=preassigned.number,
        service_id=service.id,
        kind=kind,
        priority=priority,
        lang=lang if lang in office.languages else "de",
        created_at=preassigned.at,
        arrived_at=preassigned.at,
        office_day=day,
        public_id=preassigned.public_id,
        appointment_at=appointment_at,
        appointment_id=appointment_id,
    )
    rows.save_ticket(work.tx, ticket, device_id=device_id)
    emit_ticket(work, "ticket.created", ticket)
    return ticket


Outcome = Literal["done", "no_show"]


class OutcomeNeeded(Conflict):
    """Next on a visitor called but never started: say whether they came (done) or not (no_show)."""

    code = "previous_outcome_needed"


def _close_current(work: Work, counter_id: str, previous: Outcome | None) -> None:
    """Next ends the current visit: a visit begun is done; one only called is closed as the
    clerk says (`previous`), else as office.toml's `next_on_called` says, else Next asks."""
    ticket = rows.current_ticket(work.db, counter_id)
    if ticket is None:
        return
    outcome = previous or ("done" if ticket.state is TicketState.SERVING else work.config.clerk.next_on_called)
    if outcome == "ask":
        raise OutcomeNeeded(
            f"{ticket.number} was called but not started: say previous=no_show or previous=done",
            ticket=ticket_json(ticket),
        )
    if outcome == "no_show":
        save_and_emit(work, "ticket.no_show", lifecycle.no_show(ticket, now=work.now))
        return
    close = lifecycle.finish_unstarted if ticket.state is TicketState.CALLED else lifecycle.finish
    save_and_emit(work, "ticket.finished", close(ticket, now=work.now))


def call_next(work: Work, *, counter_id: str, hold: bool = True, previous: Outcome | None = None) -> Decision:
    """Close the counter's current visit and call the next one.

    The answer's ticket is the one called; none with `held_for` set means the counter
    stays free on purpose for a booked visitor (guard_slots), none without it that
    nobody waits for this counter.
    """
    counters = counters_now(work.db, work.office)
    counter = find_counter(counters, counter_id)
    if counter.state is not CounterState.OPEN:
        raise CounterNotOpen(f"{counter.label} is {counter.state.value}; open it first")
    _close_current(work, counter_id, previous)
    decision = decide_next(work.db, config=work.config, counter=counter, counters=counters,
                           open_now=rows.open_tickets_in(work.tx), now=work.now, hold=hold)
    if decision.ticket is None:
        return decision
    called = lifecycle.call(decision.ticket, counter_id=counter_id, now=work.now)
    return Decision(save_and_emit(work, "ticket.called", called))


def call_refusal(work: Work, *, counter_id: str, ticket: Ticket) -> DomainError | None:
    """Why `counter_id` cannot call `ticket` at once, or None when it can.

    The counter must be open, free and able to serve the errand: calling out of turn
    never closes a visit the clerk has not finished.
    """
    try:
        counter = counter_now(work.db, work.office, counter_id)
    except UnknownCounter as error:
        return error
    if counter.state is not CounterState.OPEN:
        return CounterNotOpen(f"{counter.label} is {counter.state.value}; open it first")
    current = rows.current_ticket(work.db, counter_id)
    if current is not None:
        return CounterBusy(f"{counter.label} still has {current.number}; finish it first",
                           ticket=ticket_json(current))
    if not counter.can_serve(ticket.service_id):
        return SkillMissing(f"{counter.label} does not do {ticket.service_id}",
                            counter_id=counter_id, service_id=ticket.service_id)
    return None


def call_checked_in(work: Work, *, counter_id: str, ticket_id: str, device_id: str) -> Ticket:
    """Call, out of turn, a visitor this workstation checked in: they stand at its counter.

    Only a ticket the same workstation issued, so the queue's order stays the policy's
    for everyone the clerk has not met in person.
    """
    ticket = rows.load_ticket(work.db, ticket_id)
    if rows.issuing_device(work.db, ticket.id) != device_id:
        raise CallNotOffered(f"ticket {ticket.number} was not checked in at this workstation",
                             ticket_id=ticket.id)
    refusal = call_refusal(work, counter_id=counter_id, ticket=ticket)
    if refusal is not None:
        raise refusal
    return save_and_emit(work, "ticket.called", lifecycle.call(ticket, counter_id=counter_id, now=work.now))


def _transfer(work: Work, ticket: Ticket, service_id: str | None, counter_id: str | None) -> Ticket:
    office = work.office
    service_id = service_id or ticket.service_id
    if office.service(service_id) is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    if counter_id is not None:
        target = office.counter(counter_id)
        if target is None:
            raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
        if not target.can_serve(service_id):
            raise SkillMissing(f"{target.label} does not do {service_id}", counter_id=counter_id)
    elif not any(c.can_serve(service_id) for c in office.counters):
        raise SkillMissing(f"no counter does {service_id}", service_id=service_id)
    return lifecycle.transfer(ticket, now=work.now, service_id=service_id, counter_id=counter_id)


def ticket_action(
    work: Work, *, ticket: Ticket, action: str,
    service_id: str | None = None, counter_id: str | None = None,
) -> Ticket:
    """A clerk's action on a ticket; `transfer` takes a new errand and/or counter."""
    if action == "transfer":
        changed = _transfer(work, ticket, service_id, counter_id)
    elif action in lifecycle.ACTIONS:
        changed = lifecycle.ACTIONS[action](ticket, now=work.now)
    else:
        raise DomainError(f"unknown action {action!r}")
    return save_and_emit(work, lifecycle.EVENT_TYPES[action], changed)


def expire_past_days(work: Work) -> int:
    """Close every ticket left open from an earlier office day."""
    today = office_day(work.now, work.office.timezone)
    stale = [t for t in rows.open_tickets_in(work.tx) if t.office_day < today]
    for ticket in stale:
        save_and_emit(work, "ticket.expired", lifecycle.expire(ticket, now=work.now, reason="day_end"))
    return len(stale)
