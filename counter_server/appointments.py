"""Booked visitors on the server: book, cancel, list, check in, no-shows and retention.

Each function runs inside the caller's write transaction (or read connection) and
applies the pure core (core/slots, core/appointments, core/tokens) to stored rows.
Contact data stays in `appointment_contacts`; nothing here puts it into an event,
a ticket or a token.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from . import operations, repo
from .config import ConfigError, OfficeConfig
from .core.appointments import (
    Appointment,
    AppointmentAlreadyCheckedIn,
    AppointmentRefused,
    AppointmentStatus,
    AppointmentUnknown,
    ArrivalWindow,
    check_arrival,
)
from .core.booking_code import RANDOM_BYTES, code_from_random, normalize_code
from .core.errors import DomainError, UnknownService
from .core.model import Priority, Service, Ticket, TicketKind
from .core.numbering import office_day
from .core.slots import Booking, Slot, SlotRules, choose_counter, free_slots
from .core.tokens import make_claim, sign_appointment_token, verify_appointment_token
from .keys import KeyRing
from .store import Tx

CONTACT_FIELDS = ("name", "email", "phone")
BOOKING_HORIZON_DAYS = 400
MAX_CONTACT_CHARS = 200


class InvalidAppointment(DomainError):
    """A booking request with a value the office cannot use (bad time, bad contact)."""

    code = "invalid_appointment"


class AppointmentNotCancellable(AppointmentRefused):
    """A visitor who has checked in (or did not come) cannot have the booking cancelled."""

    code = "appointment_not_cancellable"


@dataclass(frozen=True)
class AppointmentSettings:
    """office.toml `[appointments]`, validated."""

    slots: SlotRules
    window: ArrivalWindow
    contact_retention_days: int = 2


_SETTINGS = {
    "share": (float, 0.5),
    "window_min": (int, 120),
    "early_window_min": (int, 15),
    "late_window_min": (int, 15),
    "contact_retention_days": (int, 2),
}


def _setting(config: OfficeConfig, table: Mapping[str, Any], key: str) -> Any:
    kind, default = _SETTINGS[key]
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(config.path, f"appointments.{key}", f"must be a number, not {value!r}")
    if kind is int and value != int(value):
        raise ConfigError(config.path, f"appointments.{key}", "must be a whole number")
    return kind(value)


def settings_of(config: OfficeConfig) -> AppointmentSettings:
    """The appointment settings, or a ConfigError naming the field."""
    table = config.sections.get("appointments", {})
    for key in table:
        if key not in _SETTINGS:
            raise ConfigError(
                config.path,
                f"appointments.{key}",
                f"unknown setting (allowed: {', '.join(_SETTINGS)})",
            )
    values = {key: _setting(config, table, key) for key in _SETTINGS}
    if not 0 <= values["contact_retention_days"] <= 365:
        raise ConfigError(config.path, "appointments.contact_retention_days", "must be 0-365")
    try:
        return AppointmentSettings(
            slots=SlotRules(share=values["share"], window_min=values["window_min"]),
            window=ArrivalWindow(
                early_min=values["early_window_min"], late_min=values["late_window_min"]
            ),
            contact_retention_days=values["contact_retention_days"],
        )
    except ValueError as error:
        raise ConfigError(config.path, "appointments", str(error)) from None


# --- rows -------------------------------------------------------------------------------


def appointment_from_row(row: Mapping[str, Any]) -> Appointment:
    return Appointment(
        id=row["id"],
        code=row["code"],
        service_id=row["service_id"],
        counter_id=row["counter_id"],
        start=datetime.fromisoformat(row["start"]),
        duration_min=row["duration_min"],
        status=AppointmentStatus(row["status"]),
        ticket_id=row["ticket_id"],
        external_id=row["external_id"],
    )


def get_appointment(db: sqlite_utils.Database, appointment_id: str) -> Appointment:
    rows = list(db.query("SELECT * FROM appointments WHERE id = ?", [appointment_id]))
    if not rows:
        raise AppointmentUnknown("no such appointment", appointment_id=appointment_id)
    return appointment_from_row(rows[0])


def find_by_external_id(db: sqlite_utils.Database, external_id: str) -> Appointment | None:
    rows = list(db.query("SELECT * FROM appointments WHERE external_id = ?", [external_id]))
    return appointment_from_row(rows[0]) if rows else None


def appointments_of_day(db: sqlite_utils.Database, day: date) -> list[Appointment]:
    rows = db.query(
        "SELECT * FROM appointments WHERE office_day = ? ORDER BY start, id", [day.isoformat()]
    )
    return [appointment_from_row(r) for r in rows]


def bookings_of_day(
    db: sqlite_utils.Database, day: date, *, leave_out: str | None = None
) -> list[Booking]:
    """Counter time already given away on `day`: every appointment not cancelled."""
    return [
        Booking(a.counter_id, a.start, a.end)
        for a in appointments_of_day(db, day)
        if a.status is not AppointmentStatus.CANCELLED and a.id != leave_out
    ]


def contacts_of(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict[str, str | None]]:
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    rows = db.query(f"SELECT * FROM appointment_contacts WHERE appointment_id IN ({marks})", ids)
    return {r["appointment_id"]: {k: r[k] for k in CONTACT_FIELDS} for r in rows}


def _local(moment: datetime, config: OfficeConfig) -> str:
    return moment.astimezone(ZoneInfo(config.office.timezone)).isoformat()


def appointment_json(config: OfficeConfig, appointment: Appointment) -> dict[str, Any]:
    """An appointment without contact data, times in the office's local time."""
    counter = config.office.counter(appointment.counter_id)
    return {
        "id": appointment.id,
        "code": appointment.code,
        "service_id": appointment.service_id,
        "counter_id": appointment.counter_id,
        "counter_label": counter.label if counter else None,
        "start": _local(appointment.start, config),
        "end": _local(appointment.end, config),
        "duration_min": appointment.duration_min,
        "status": appointment.status.value,
        "arrived": appointment.status is AppointmentStatus.CHECKED_IN,
        "ticket_id": appointment.ticket_id,
        "external_id": appointment.external_id,
    }


# --- parsing ----------------------------------------------------------------------------


def parse_start(text: Any, config: OfficeConfig) -> datetime:
    """An ISO time; without an offset it is the office's local time."""
    if not isinstance(text, str):
        raise InvalidAppointment("start must be a date and time like 2026-12-07T09:30")
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidAppointment(f"{text!r} is not a date and time like 2026-12-07T09:30") from None
    # Far-off years are typos; they would also overflow time zone arithmetic.
    if not 2000 <= start.year <= 2099:
        raise InvalidAppointment(f"{text!r} is not a plausible appointment time")
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(config.office.timezone))
    return start.astimezone(ZoneInfo("UTC"))


def check_horizon(day: date, now: datetime) -> None:
    """Bookings reach about a year ahead; further is a typo, not a plan."""
    if (day - now.date()).days > BOOKING_HORIZON_DAYS:
        raise InvalidAppointment(
            f"{day.isoformat()} is more than {BOOKING_HORIZON_DAYS} days ahead",
            date=day.isoformat(),
        )


def parse_contact(contact: Any) -> dict[str, str] | None:
    """The optional contact: name, email and phone, each a short text."""
    if contact is None:
        return None
    if not isinstance(contact, Mapping):
        raise InvalidAppointment("contact must be an object with name, email or phone")
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise InvalidAppointment(f"contact has unknown fields: {', '.join(sorted(unknown))}")
    cleaned: dict[str, str] = {}
    for key in CONTACT_FIELDS:
        value = contact.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) > MAX_CONTACT_CHARS:
            raise InvalidAppointment(
                f"contact.{key} must be a text of at most {MAX_CONTACT_CHARS} characters"
            )
        cleaned[key] = value.strip()
    return cleaned or None


def service_of(config: OfficeConfig, service_id: Any) -> Service:
    service = config.office.service(service_id) if isinstance(service_id, str) else None
    if service is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    return service


# --- booking ----------------------------------------------------------------------------


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


def day_of(config: OfficeConfig, moment: datetime) -> date:
    return office_day(moment, config.office.timezone)


def free_slots_of(
    db: sqlite_utils.Database, config: OfficeConfig, *, service: Service, day: date, now: datetime
) -> list[Slot]:
    return free_slots(
        office=config.office,
        service=service,
        day=day,
        booked=bookings_of_day(db, day),
        rules=settings_of(config).slots,
        now=now,
    )


def save_appointment(
    tx: Tx,
    config: OfficeConfig,
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
        code=_new_code(tx.db),
        service_id=service.id,
        counter_id=slot.counter_ids[0],
        start=slot.start,
        duration_min=int((slot.end - slot.start).total_seconds() // 60),
        external_id=external_id,
    )
    now = tx.now.isoformat()
    tx.db["appointments"].insert(
        {
            "id": appointment.id,
            "code": appointment.code,
            "service_id": service.id,
            "counter_id": appointment.counter_id,
            "start": appointment.start.isoformat(),
            "office_day": day_of(config, appointment.start).isoformat(),
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
        tx.db["appointment_contacts"].insert(
            {
                "appointment_id": appointment.id,
                **{k: contact.get(k) for k in CONTACT_FIELDS},
                "created_at": now,
            }
        )
    emit_changed(tx, appointment)
    return appointment


def book(
    tx: Tx,
    *,
    config: OfficeConfig,
    service_id: Any,
    start: Any,
    contact: Any,
    device_id: str,
) -> Appointment:
    """Book a free slot; SlotUnavailable when the time is taken, past or off the grid."""
    service = service_of(config, service_id)
    when = parse_start(start, config)
    check_horizon(day_of(config, when), tx.now)
    cleaned = parse_contact(contact)
    slot = choose_counter(
        office=config.office,
        service=service,
        start=when,
        booked=bookings_of_day(tx.db, day_of(config, when)),
        rules=settings_of(config).slots,
        now=tx.now,
    )
    return save_appointment(
        tx, config, slot=slot, service=service, contact=cleaned, device_id=device_id, source="api"
    )


def set_status(
    tx: Tx, appointment: Appointment, status: AppointmentStatus, **extra: Any
) -> Appointment:
    tx.db["appointments"].update(
        appointment.id, {"status": status.value, "updated_at": tx.now.isoformat(), **extra}
    )
    changed = replace(appointment, status=status, **extra)
    emit_changed(tx, changed)
    return changed


def emit_changed(tx: Tx, appointment: Appointment) -> None:
    """Tell clerk pages a booking changed: no name, no booking code (displays see events too)."""
    tx.emit(
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


def cancel(tx: Tx, *, appointment_id: str) -> Appointment:
    """Cancel a booking; cancelling twice is harmless. Frees the slot for others."""
    appointment = get_appointment(tx.db, appointment_id)
    if appointment.status is AppointmentStatus.CANCELLED:
        return appointment
    if appointment.status is not AppointmentStatus.BOOKED:
        raise AppointmentNotCancellable(
            f"the appointment is {appointment.status.value}", status=appointment.status.value
        )
    return set_status(tx, appointment, AppointmentStatus.CANCELLED)


# --- check-in ---------------------------------------------------------------------------


def _find_for_checkin(
    tx: Tx, config: OfficeConfig, keyring: KeyRing, token: str | None, code: str | None
) -> Appointment:
    if token:
        claim = verify_appointment_token(
            token, public_keys=keyring.public(), office_id=config.office.id, now=tx.now
        )
        return get_appointment(tx.db, claim.appointment_id)
    canonical = normalize_code(code or "")
    rows = (
        list(tx.db.query("SELECT * FROM appointments WHERE code = ?", [canonical]))
        if canonical
        else []
    )
    if not rows:
        raise AppointmentUnknown("no appointment with this booking code")
    return appointment_from_row(rows[0])


def check_in(
    tx: Tx,
    *,
    config: OfficeConfig,
    keyring: KeyRing,
    token: str | None,
    code: str | None,
    lang: str,
    device_id: str,
    preassigned: operations.Preassigned | None = None,
) -> Ticket:
    """Turn a booked visitor's token or code into a ticket due at the slot.

    Runs in the check-in's write transaction, so two kiosks scanning the same code
    at once still yield one ticket; the second gets the first in the error details.
    A `preassigned` ticket was issued offline by a kiosk: its arrival is judged at
    the moment the kiosk issued it.
    """
    appointment = _find_for_checkin(tx, config, keyring, token, code)
    local = replace(
        appointment, start=appointment.start.astimezone(ZoneInfo(config.office.timezone))
    )
    arrived = preassigned.at if preassigned else tx.now
    try:
        check_arrival(appointment=local, window=settings_of(config).window, now=arrived)
    except AppointmentAlreadyCheckedIn as error:
        first = repo.get_ticket(tx.db, appointment.ticket_id or "")
        error.details = {"ticket": repo.ticket_json(first) if first else None}
        raise
    ticket = operations.issue_ticket(
        tx,
        config=config,
        service_id=appointment.service_id,
        kind=TicketKind.APPOINTMENT,
        lang=lang,
        priority=Priority.NORMAL,
        device_id=device_id,
        appointment_at=appointment.start,
        appointment_id=appointment.id,
        preassigned=preassigned,
    )
    set_status(tx, appointment, AppointmentStatus.CHECKED_IN, ticket_id=ticket.id)
    return ticket


# --- housekeeping -----------------------------------------------------------------------


def mark_no_shows(tx: Tx, *, config: OfficeConfig) -> int:
    """Booked visitors whose late window has passed did not come."""
    late = settings_of(config).window.late_min
    cutoff = (tx.now - timedelta(minutes=late)).isoformat()
    cursor = tx.db.execute(
        "UPDATE appointments SET status = 'no_show', updated_at = ? WHERE status = 'booked'"
        " AND start < ?",
        [tx.now.isoformat(), cutoff],
    )
    if cursor.rowcount:
        tx.emit("appointment.changed", {"no_shows": cursor.rowcount})
    return cursor.rowcount


def delete_old_contacts(tx: Tx, *, config: OfficeConfig) -> int:
    """Delete contact data N days after the appointment (or its cancellation); nothing else."""
    cutoff = (tx.now - timedelta(days=settings_of(config).contact_retention_days)).isoformat()
    cursor = tx.db.execute(
        "DELETE FROM appointment_contacts WHERE appointment_id IN (SELECT id FROM appointments"
        " WHERE start < ? OR (status = 'cancelled' AND updated_at < ?))",
        [cutoff, cutoff],
    )
    return cursor.rowcount


def housekeeping(tx: Tx, *, config: OfficeConfig) -> None:
    """Run at server start and periodically: no-shows, then contact retention."""
    mark_no_shows(tx, config=config)
    delete_old_contacts(tx, config=config)


def slot_json(config: OfficeConfig, slot: Slot) -> dict[str, Any]:
    return {
        "start": _local(slot.start, config),
        "end": _local(slot.end, config),
        "free": len(slot.counter_ids),
    }
