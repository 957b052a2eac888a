"""Read models of the bookings: free slots, one booking with its token, the day's list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlite_utils

from ..auth import Device
from ..config import OfficeConfig
from ..core.appointments import Appointment
from ..core.model import Service
from ..core.slots import Slot, free_slots
from ..keys import KeyRing
from ..queue import rows as tickets
from .commands import token_for
from .rows import appointment_json, appointments_of_day, bookings_of_day, contacts_of


def free_slots_of(
    db: sqlite_utils.Database, config: OfficeConfig, *, service: Service, day: date, now: datetime
) -> list[Slot]:
    return free_slots(
        office=config.office,
        service=service,
        day=day,
        booked=bookings_of_day(db, day),
        rules=config.appointments.slots,
        now=now,
    )


def booked_answer(config: OfficeConfig, keyring: KeyRing, appointment: Appointment) -> dict[str, Any]:
    """A booking as its booker sees it: the appointment, its QR token and where to get both."""
    base = f"/api/v1/appointments/{appointment.id}"
    return {
        "appointment": appointment_json(config, appointment),
        "token": token_for(config, keyring, appointment),
        "qr_url": f"{base}/qr.png",
        "confirmation_url": f"{base}/confirmation",
    }


def _ticket_ref(db: sqlite_utils.Database, ticket_id: str | None) -> dict[str, Any] | None:
    ticket = tickets.get_ticket(db, ticket_id) if ticket_id else None
    if ticket is None:
        return None
    return {"id": ticket.id, "number": ticket.number, "state": ticket.state.value, "counter_id": ticket.counter_id}


def day_list(db: sqlite_utils.Database, config: OfficeConfig, day: date, device: Device) -> dict[str, Any]:
    """The day's appointments with their tickets, and per counter how many are booked and here."""
    found = appointments_of_day(db, day)
    counter = config.office.counter(device.counter_id or "")
    contacts = contacts_of(db, [a.id for a in found])
    rows = []
    for appointment in found:
        row = appointment_json(config, appointment)
        row["ticket"] = _ticket_ref(db, appointment.ticket_id)
        contact = contacts.get(appointment.id)
        # A clerk needs the name to greet a visitor they may serve, nothing to reach them by.
        if contact and device.role == "counter":
            serves = counter is not None and counter.can_serve(appointment.service_id)
            contact = {"name": contact["name"]} if contact.get("name") and serves else None
        row["contact"] = contact
        rows.append(row)
    counters = []
    for counter in config.office.counters:
        mine = [r for r in rows if r["counter_id"] == counter.id]
        counters.append({
            "id": counter.id,
            "label": counter.label,
            "booked": sum(1 for r in mine if r["status"] != "cancelled"),
            "arrived": sum(1 for r in mine if r["arrived"]),
            "appointments": [r["id"] for r in mine],
        })
    return {"date": day.isoformat(), "appointments": rows, "counters": counters}
