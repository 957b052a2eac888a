"""Appointment rows to domain objects and back, and the bookings' answers (no contact data)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from ..config import OfficeConfig
from ..core.appointments import Appointment, AppointmentStatus, AppointmentUnknown
from ..core.numbering import office_day
from ..core.slots import Booking, Slot

CONTACT_FIELDS = ("name", "email", "phone")


def day_of(config: OfficeConfig, moment: datetime) -> date:
    return office_day(moment, config.office.timezone)


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
    """Counter time already given away on `day`: every appointment not cancelled, and every
    time held for someone on the waiting list."""
    return bookings_between(db, day, day, leave_out=leave_out).get(day, [])


def bookings_between(
    db: sqlite_utils.Database, first: date, last: date, *, leave_out: str | None = None,
    counters: Collection[str] | None = None,
) -> dict[date, list[Booking]]:
    """`bookings_of_day` for every day from `first` to `last`, in two reads; with `counters`
    only the time of those counters (the others cannot take the errand anyway)."""
    found: dict[str, list[Booking]] = {}
    span = [first.isoformat(), last.isoformat()]
    only, ids = "", list(counters) if counters is not None else []
    if counters is not None:
        only = f" AND counter_id IN ({','.join('?' for _ in ids)})"
    rows = db.execute(
        "SELECT office_day, counter_id, start, duration_min, id FROM appointments"
        " WHERE office_day BETWEEN ? AND ? AND status != 'cancelled'" + only, span + ids,
    ).fetchall()
    for day, counter_id, start, minutes, appointment_id in rows:
        if appointment_id != leave_out:
            begins = datetime.fromisoformat(start)
            found.setdefault(day, []).append(
                Booking(counter_id, begins, begins + timedelta(minutes=minutes)))
    held = db.execute(
        "SELECT office_day, counter_id, start, \"end\" FROM waitlist_offers"
        " WHERE office_day BETWEEN ? AND ? AND status = 'open'" + only, span + ids,
    ).fetchall()
    for day, counter_id, start, end in held:
        found.setdefault(day, []).append(
            Booking(counter_id, datetime.fromisoformat(start), datetime.fromisoformat(end)))
    return {date.fromisoformat(day): booked for day, booked in found.items()}


def _us_sql(column: str) -> str:
    """SQL for an ISO instant as microseconds since the epoch (to the millisecond, as
    julianday's double holds it; bookings start on whole minutes)."""
    return f"CAST(round((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER) * 1000"


def busy_between(
    db: sqlite_utils.Database, first: date, last: date, *, counters: Collection[str],
    leave_out: str | None = None,
) -> dict[date, dict[str, list[tuple[int, int]]]]:
    """`bookings_between` as the slot computation reads it (`core.slots.Busy` per day): the
    times already in microseconds, no object per booking, the appointments read in the order
    of their covering index (`m016_appointments_by_day_counter`)."""
    ids = list(counters)
    marks = ",".join("?" for _ in ids)
    span = [first.isoformat(), last.isoformat()]
    start, end = _us_sql("start"), _us_sql('"end"')
    found: dict[date, dict[str, list[tuple[int, int]]]] = {}
    shown, per_day = "", {}
    for day, counter_id, begins, ends in db.execute(
        f"SELECT office_day, counter_id, {start}, {start} + duration_min * 60000000 FROM appointments"
        f" WHERE office_day BETWEEN ? AND ? AND counter_id IN ({marks}) AND status != 'cancelled'"
        " AND (? IS NULL OR id != ?) ORDER BY office_day, counter_id, start", [*span, *ids, leave_out, leave_out],
    ):
        if day != shown:
            shown, per_day = day, found.setdefault(date.fromisoformat(day), {})
        per_day.setdefault(counter_id, []).append((begins, ends))
    for day, counter_id, begins, ends in db.execute(
        f"SELECT office_day, counter_id, {start}, {end} FROM waitlist_offers"
        f" WHERE office_day BETWEEN ? AND ? AND status = 'open' AND counter_id IN ({marks})", [*span, *ids],
    ):
        found.setdefault(date.fromisoformat(day), {}).setdefault(counter_id, []).append((begins, ends))
    for by_counter in found.values():
        for mine in by_counter.values():
            mine.sort()  # already in order but for a held time: a pass over a sorted list
    return found


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


def slot_json(config: OfficeConfig, slot: Slot) -> dict[str, Any]:
    return {
        "start": _local(slot.start, config),
        "end": _local(slot.end, config),
        "free": len(slot.counter_ids),
    }


def secret_hash(secret: str) -> str:
    """What is stored of a link's secret (manage link, waiting-list link, offer): its SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
