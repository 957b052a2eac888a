"""Booking, cancelling, no-shows and contact retention, as commands over one unit of work.

Contact data stays in `appointment_contacts`; nothing here puts it into an event,
a ticket or a token.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

import sqlite_utils

from ..config import OfficeConfig
from ..core.appointments import Appointment, AppointmentStatus
from ..core.booking_code import RANDOM_BYTES, code_from_random
from ..core.model import Service
from ..core.slots import Slot, choose_counter
from ..core.tokens import make_claim, sign_appointment_token
from ..keys import KeyRing
from ..uow import Work
from . import waitlist
from .parse import AppointmentNotCancellable, check_horizon, parse_contact, parse_start, service_of
from .rows import CONTACT_FIELDS, bookings_of_day, day_of, get_appointment


def token_for(config: OfficeConfig, keyring: KeyRing, appointment: Appointment) -> str:
    """The QR token of an appointment, signed with the current key."""
    key_id, private_key = keyring.signing()
    claim = make_claim(
        appointment_id=appointment.id,
        office_id=config.office.id,
        service_id=appointment.service_id,
        start=appointment.start,
        timezone=config.office.timezone,
        key_id=key_id,
    )
    return sign_appointment_token(claim=claim, private_key=private_key)


def _new_code(db: sqlite_utils.Database) -> str:
    while True:
        code = code_from_random(secrets.token_bytes(RANDOM_BYTES))
        if not db.execute("SELECT 1 FROM appointments WHERE code = ?", [code]).fetchone():
            return code


def save_appointment(
    work: Work,
    *,
    slot: Slot,
    service: Service,
    contact: dict[str, str] | None,
    device_id: str,
    source: str,
    external_id: str | None = None,
) -> Appointment:
    """Store a new booking on the first counter the slot names, with its contact apart."""
    appointment = Appointment(
        id=secrets.token_bytes(16).hex(),
        code=_new_code(work.db),
        service_id=service.id,
        counter_id=slot.counter_ids[0],
        start=slot.start,
        duration_min=int((slot.end - slot.start).total_seconds() // 60),
        external_id=external_id,
    )
    now = work.now.isoformat()
    work.db.table("appointments").insert(
        {
            "id": appointment.id,
            "code": appointment.code,
            "service_id": service.id,
            "counter_id": appointment.counter_id,
            "start": appointment.start.isoformat(),
            "office_day": day_of(work.config, appointment.start).isoformat(),
            "duration_min": appointment.duration_min,
            "status": appointment.status.value,
            "ticket_id": None,
            "external_id": external_id,
            "source": source,
            "device_id": device_id,
            "created_at": now,
            "updated_at": now,
        }
    )
    if contact:
        work.db.table("appointment_contacts").insert(
            {
                "appointment_id": appointment.id,
                **{k: contact.get(k) for k in CONTACT_FIELDS},
                "created_at": now,
            }
        )
    emit_changed(work, appointment)
    return appointment


def book(
    work: Work,
    *,
    service_id: Any,
    start: Any,
    contact: Any,
    device_id: str,
) -> Appointment:
    """Book a free slot; SlotUnavailable when the time is taken, past or off the grid."""
    config = work.config
    service = service_of(config, service_id)
    when = parse_start(start, config)
    check_horizon(day_of(config, when), work.now)
    cleaned = parse_contact(contact)
    slot = choose_counter(
        office=config.office,
        service=service,
        start=when,
        booked=bookings_of_day(work.db, day_of(config, when)),
        rules=config.appointments.slots,
        now=work.now,
    )
    return save_appointment(
        work, slot=slot, service=service, contact=cleaned, device_id=device_id, source="api"
    )


def set_status(
    work: Work, appointment: Appointment, status: AppointmentStatus, **extra: Any
) -> Appointment:
    work.db.table("appointments").update(
        appointment.id, {"status": status.value, "updated_at": work.now.isoformat(), **extra}
    )
    changed = replace(appointment, status=status, **extra)
    emit_changed(work, changed)
    return changed


def emit_changed(work: Work, appointment: Appointment) -> None:
    """Tell clerk pages a booking changed: no name, no booking code (displays see events too)."""
    work.emit(
        "appointment.changed",
        {
            "appointment": {
                "id": appointment.id,
                "service_id": appointment.service_id,
                "start": appointment.start.isoformat(),
                "status": appointment.status.value,
            }
        },
    )


def cancel(work: Work, *, appointment_id: str) -> Appointment:
    """Cancel a booking; cancelling twice is harmless. Frees the slot for others."""
    appointment = get_appointment(work.db, appointment_id)
    if appointment.status is AppointmentStatus.CANCELLED:
        return appointment
    if appointment.status is not AppointmentStatus.BOOKED:
        raise AppointmentNotCancellable(
            f"the appointment is {appointment.status.value}", status=appointment.status.value
        )
    return set_status(work, appointment, AppointmentStatus.CANCELLED)


def mark_no_shows(work: Work) -> int:
    """Booked visitors whose late window has passed did not come."""
    late = work.config.appointments.window.late_min
    cutoff = (work.now - timedelta(minutes=late)).isoformat()
    missed = work.db.execute(
        "SELECT id, service_id, start FROM appointments WHERE status = 'booked' AND start < ?", [cutoff]
    ).fetchall()
    cursor = work.db.execute(
        "UPDATE appointments SET status = 'no_show', updated_at = ? WHERE status = 'booked'"
        " AND start < ?",
        [work.now.isoformat(), cutoff],
    )
    if cursor.rowcount:
        work.emit("appointment.changed", {"no_shows": cursor.rowcount})
    for appointment_id, service_id, start in missed:
        # one per booking too (no name, no code): the statistics count no-shows per errand and slot
        work.emit("appointment.changed", {"appointment": {
            "id": appointment_id, "service_id": service_id, "start": start, "status": "no_show"}})
    return cursor.rowcount


def delete_old_contacts(work: Work) -> int:
    """Delete contact data N days after the appointment (or its cancellation); nothing else."""
    cutoff = (work.now - timedelta(days=work.config.appointments.contact_retention_days)).isoformat()
    cursor = work.db.execute(
        "DELETE FROM appointment_contacts WHERE appointment_id IN (SELECT id FROM appointments"
        " WHERE start < ? OR (status = 'cancelled' AND updated_at < ?))",
        [cutoff, cutoff],
    )
    return cursor.rowcount


def housekeeping(work: Work) -> int:
    """Run at server start and periodically: no-shows, then contact retention.

    Returns how many contacts were deleted (the caller then empties the WAL).
    """
    mark_no_shows(work)
    waitlist.expire_offers(work)
    return delete_old_contacts(work) + waitlist.delete_old_entries(work)
