"""The queue's answers as the contract shows them: numbers and counter labels, never names."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..core.ahead import Wait
from ..core.estimate import Estimate
from ..core.explain import Reason
from ..core.model import Counter, Office, Ticket, TicketState
from ..core.slot_guard import Hold


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# ticket id -> (the ticket object, its JSON): the open tickets kept in memory between
# requests (queue/open_cache.py) are the same objects until they change, so a clerk view of
# a long queue formats only the tickets that changed since the last one
_SHAPED: dict[str, tuple[Ticket, dict[str, Any]]] = {}
_SHAPED_MAX = 5000


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    """The ticket as the contract shows it: numbers and counters, never names."""
    kept = _SHAPED.get(ticket.id)
    if kept is not None and kept[0] is ticket:
        return dict(kept[1])
    shaped = _ticket_json(ticket)
    if len(_SHAPED) >= _SHAPED_MAX:
        _SHAPED.clear()
    _SHAPED[ticket.id] = (ticket, shaped)
    return dict(shaped)


def _ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service_id": ticket.service_id,
        "kind": ticket.kind.value,
        "priority": ticket.priority.value,
        "lang": ticket.lang,
        "state": ticket.state.value,
        "created_at": iso(ticket.created_at),
        "arrived_at": iso(ticket.arrived_at),
        "called_at": iso(ticket.called_at),
        "counter_id": ticket.counter_id,
        "target_counter_id": ticket.target_counter_id,
        "appointment_at": iso(ticket.appointment_at),
        "call_count": ticket.call_count,
        "public_id": ticket.public_id,
    }


def counter_json(counter: Counter, current: Ticket | None = None) -> dict[str, Any]:
    return {
        "id": counter.id,
        "label": counter.label,
        "room": counter.room,
        "state": counter.state.value,
        "skills": counter.skills,
        "languages": list(counter.languages),
        "current": ticket_json(current) if current else None,
    }


def counter_ref(office: Office, counter_id: str | None) -> dict[str, str] | None:
    counter = office.counter(counter_id) if counter_id else None
    if counter is None:
        return None
    return {"id": counter.id, "label": counter.label, "room": counter.room}


def hold_json(office: Office, hold: Hold) -> dict[str, Any]:
    """A counter kept free for a booked visitor; the hold ends at the slot."""
    service = office.service(hold.service_id)
    at = hold.appointment_at.astimezone(ZoneInfo(office.timezone)).isoformat()
    return {
        "service_id": hold.service_id,
        "service": service.name("de") if service else hold.service_id,
        "appointment_at": at,
        "until": at,
    }


def eta_json(ticket: Ticket, estimate: Estimate | None, waiting_ahead: int, *, ahead: int, wait: Wait) -> dict[str, Any]:
    """Position (1 = next in the calling order), people ahead (same errand, see core/ahead.py)
    and expected minutes, or why there are none; a ticket no longer waiting has none left."""
    if ticket.state is not TicketState.WAITING:
        return {"position": 0, "ahead": 0, "eta_min": 0, "eta_low_min": 0, "eta_high_min": 0,
                "eta_reason": None, "opens_at": None}
    return {
        "position": estimate.position if estimate is not None else waiting_ahead + 1,
        "ahead": ahead,
        **wait_json(wait),
    }


def wait_json(wait: Wait) -> dict[str, Any]:
    return {
        "eta_min": wait.eta_min,
        "eta_low_min": wait.eta_low_min,
        "eta_high_min": wait.eta_high_min,
        "eta_reason": wait.eta_reason,
        "opens_at": iso(wait.opens_at),
    }


def reason_json(office: Office, reason: Reason) -> dict[str, Any]:
    """Why this visitor is proposed next; a slot in the office's local time."""
    at = reason.appointment_at.astimezone(ZoneInfo(office.timezone)).isoformat() if reason.appointment_at else None
    return {"code": reason.code, "waited_min": reason.waited_min, "appointment_at": at, "lang": reason.lang}
