"""A visitor's own ticket, by the unguessable id on its QR code: state, place, estimate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ..checkin.leases import unredeemed_by_public_id
from ..checkin.refusals import refusal_of
from ..config import OfficeConfig
from ..core.errors import UnknownTicket
from . import rows
from .views import ticket_status


def public_status(db: sqlite_utils.Database, config: OfficeConfig, public_id: str, now: datetime) -> dict[str, Any]:
    ticket = rows.get_ticket_by_public_id(db, public_id)
    if ticket is None:
        return _pending_status(db, config, public_id, now)
    office = config.office
    service = office.service(ticket.service_id)
    counter = office.counter(ticket.counter_id) if ticket.counter_id else None
    return {
        "number": ticket.number,
        "state": ticket.state.value,
        "service": {"id": ticket.service_id, "names": service.names if service else {}},
        "lang": ticket.lang,
        "counter": {"label": counter.label, "room": counter.room} if counter else None,
        "created_at": ticket.created_at.isoformat(),
        "appointment_at": ticket.appointment_at.isoformat() if ticket.appointment_at else None,
        "call_count": ticket.call_count,  # a recall rings the visitor's phone again
        **ticket_status(db, config, ticket, now),
        "office": {"name": office.name},
    }


def _pending_status(
    db: sqlite_utils.Database, config: OfficeConfig, public_id: str, now: datetime
) -> dict[str, Any]:
    """A number a kiosk issued during an outage and has not handed in yet, or that the
    server refused for good (`refusal` says why: the visitor asks at the information desk)."""
    row = unredeemed_by_public_id(db, public_id)
    if row is None:
        raise UnknownTicket("no ticket with this id")
    office = config.office
    service = office.service(row["service_id"])
    refusal = refusal_of(row, now, office.timezone)
    return {
        "number": row["number"],
        "state": "refused" if refusal else "pending",
        "refusal": refusal,
        "service": {"id": row["service_id"], "names": service.names if service else {}},
        "lang": "de",
        "counter": None,
        "created_at": row["leased_at"],
        "appointment_at": None,
        "call_count": 0,
        "position": None,
        "ahead": None,
        "eta_min": None,
        "eta_reason": None,
        "opens_at": None,
        "office": {"name": office.name},
    }
