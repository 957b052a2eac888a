"""The office head's actions, one implementation for the supervisor view's forms and the JSON
API (`/api/v1/supervisor/…`), each with its audit row: open, pause or close a counter; move a
waiting (or called) ticket to another errand or counter; stop or resume walk-in tickets for an
errand for the rest of the day."""

from __future__ import annotations

from ..core import lifecycle
from ..core.errors import DomainError, UnknownCounter, UnknownService
from ..core.model import Counter, CounterState, Ticket, TicketState
from ..queue import commands, rows, stops
from ..queue.counters import set_counter_state
from ..uow import Work
from .audit import Actor, record


class UnknownCounterState(DomainError):
    """A counter state other than open, paused or closed (422)."""

    code = "invalid_request"


def state_of(text: str) -> CounterState:
    try:
        return CounterState(text)
    except ValueError:
        raise UnknownCounterState(f"state must be open, paused or closed, not {text[:20]!r}") from None


def counter_state(work: Work, actor: Actor, counter_id: str, state_text: str) -> Counter:
    counter = set_counter_state(work, counter_id=counter_id, state=state_of(state_text))
    record(work.db, work.now, actor, "counter.state", counter_id, state=counter.state.value)
    return counter


def move_ticket(work: Work, actor: Actor, ticket_id: str, service_id: str | None, counter_id: str | None) -> Ticket:
    ticket = rows.load_ticket(work.db, ticket_id)
    service_id = service_id or ticket.service_id
    if work.office.service(service_id) is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    if counter_id and work.office.counter(counter_id) is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    if ticket.state is TicketState.WAITING:
        moved = lifecycle.move(ticket, service_id=service_id, counter_id=counter_id or None)
        commands.save_and_emit(work, "ticket.transferred", moved)
    else:
        moved = commands.ticket_action(work, ticket=ticket, action="transfer", service_id=service_id,
                                       counter_id=counter_id or None)
    record(work.db, work.now, actor, "ticket.move", ticket.number, service_id=service_id,
           counter_id=counter_id or None)
    return moved


def walk_ins(work: Work, actor: Actor, service_id: str, *, stop: bool) -> bool:
    """Stop (or resume) walk-ins for `service_id` for the rest of the day; whether they are stopped now."""
    if stop:
        stops.stop_walk_ins(work, service_id=service_id, actor=actor.label)
    else:
        stops.resume_walk_ins(work, service_id=service_id)
    record(work.db, work.now, actor, "service.walk_in_stop" if stop else "service.walk_in_resume", service_id)
    return stop
