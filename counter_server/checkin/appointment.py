"""A booked visitor's check-in: their QR token or booking code becomes a ticket due at the slot."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from ..bookings.commands import set_status
from ..bookings.rows import appointment_from_row, get_appointment
from ..core.appointments import (
    Appointment,
    AppointmentAlreadyCheckedIn,
    AppointmentStatus,
    AppointmentUnknown,
    check_arrival,
)
from ..core.booking_code import normalize_code
from ..core.model import Priority, Ticket, TicketKind
from ..core.tokens import verify_appointment_token
from ..queue import rows as tickets
from ..queue.commands import Preassigned, issue_ticket
from ..queue.shapes import ticket_json
from ..uow import Work


def find_booking(work: Work, *, token: str | None, code: str | None) -> Appointment:
    """The appointment a QR token (verified) or a booking code names."""
    if token:
        claim = verify_appointment_token(
            token, public_keys=work.keyring.public(), office_id=work.office.id, now=work.now
        )
        return get_appointment(work.db, claim.appointment_id)
    canonical = normalize_code(code or "")
    rows = list(work.db.query("SELECT * FROM appointments WHERE code = ?", [canonical])) if canonical else []
    if not rows:
        raise AppointmentUnknown("no appointment with this booking code")
    return appointment_from_row(rows[0])


def check_in_booked(
    work: Work,
    *,
    token: str | None,
    code: str | None,
    lang: str,
    device_id: str,
    preassigned: Preassigned | None = None,
) -> Ticket:
    """Turn a booked visitor's token or code into a ticket due at the slot.

    Runs in the check-in's write transaction, so two kiosks scanning the same code
    at once still yield one ticket; the second gets the first in the error details.
    A `preassigned` ticket was issued offline by a kiosk: its arrival is judged at
    the moment the kiosk issued it.
    """
    appointment = find_booking(work, token=token, code=code)
    local = replace(appointment, start=appointment.start.astimezone(ZoneInfo(work.office.timezone)))
    arrived = preassigned.at if preassigned else work.now
    try:
        check_arrival(appointment=local, window=work.config.appointments.window, now=arrived)
    except AppointmentAlreadyCheckedIn as error:
        first = tickets.get_ticket(work.db, appointment.ticket_id or "")
        error.details = {"ticket": ticket_json(first) if first else None}
        raise
    ticket = issue_ticket(
        work,
        service_id=appointment.service_id,
        kind=TicketKind.APPOINTMENT,
        lang=lang,
        priority=Priority.NORMAL,
        device_id=device_id,
        appointment_at=appointment.start,
        appointment_id=appointment.id,
        preassigned=preassigned,
    )
    set_status(work, appointment, AppointmentStatus.CHECKED_IN, ticket_id=ticket.id)
    return ticket
