"""A day's appointments from an outside booking system (files read by import_files).

Idempotent on the outside id: importing the same file twice changes nothing the
second time; a row whose time changed moves its booking. Every row is reported
as created, updated, unchanged or rejected with a code and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from ..core.appointments import Appointment, AppointmentRefused, AppointmentStatus
from ..core.errors import DomainError
from ..core.slots import Slot, place_booking, slot_length
from ..uow import Work
from .commands import emit_changed, save_appointment, token_for
from .parse import InvalidAppointment, check_horizon, parse_contact, parse_start, service_of
from .rows import CONTACT_FIELDS, appointment_json, bookings_of_day, day_of, find_by_external_id

MAX_EXTERNAL_ID = 100


class StartInPast(InvalidAppointment):
    """The row's appointment has already begun."""

    code = "start_in_past"


class AppointmentNotChangeable(AppointmentRefused):
    """The outside system moved a booking that was already checked in, cancelled or missed."""

    code = "appointment_not_changeable"


def _text(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str | int):
        raise InvalidAppointment(f"{key} must be a text")
    return str(value).strip()


def _start_text(row: Mapping[str, Any]) -> str | None:
    start = _text(row, "start")
    if start is None and _text(row, "date") and _text(row, "time"):
        return f"{_text(row, 'date')}T{_text(row, 'time')}"
    return start


def _length(row: Mapping[str, Any], default: timedelta) -> timedelta:
    text = _text(row, "duration_min")
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 480:
        raise InvalidAppointment("duration_min must be a whole number of minutes, 1-480")
    return timedelta(minutes=int(text))


def _external_id(row: Mapping[str, Any]) -> str:
    external_id = _text(row, "external_id")
    if external_id is None or len(external_id) > MAX_EXTERNAL_ID:
        raise InvalidAppointment(f"external_id is required (at most {MAX_EXTERNAL_ID} characters)")
    return external_id


def _move(work: Work, existing: Appointment, slot: Slot) -> Appointment:
    if existing.status is not AppointmentStatus.BOOKED:
        raise AppointmentNotChangeable(
            f"the booking is {existing.status.value} and cannot be moved",
            status=existing.status.value,
        )
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    work.db.table("appointments").update(
        existing.id,
        {
            "start": slot.start.isoformat(),
            "counter_id": slot.counter_ids[0],
            "office_day": day_of(work.config, slot.start).isoformat(),
            "duration_min": minutes,
            "updated_at": work.now.isoformat(),
        },
    )
    moved = replace(existing, start=slot.start, counter_id=slot.counter_ids[0], duration_min=minutes)
    emit_changed(work, moved)
    return moved


def import_row(work: Work, row: Any, device_id: str) -> tuple[str, Appointment]:
    """Create, move or keep one row's booking; a DomainError says why it was rejected."""
    if not isinstance(row, Mapping):
        raise InvalidAppointment("each row must be an object")
    config = work.config
    external_id = _external_id(row)
    service = service_of(config, _text(row, "service_id"))
    start = parse_start(_start_text(row), config)
    length = _length(row, slot_length(service))
    existing = find_by_external_id(work.db, external_id)
    if existing and (existing.service_id, existing.start, existing.end) == (
        service.id,
        start,
        start + length,
    ):
        return "unchanged", existing
    if start < work.now:
        raise StartInPast("the appointment has already begun", start=start.isoformat())
    check_horizon(day_of(config, start), work.now)
    if existing and existing.service_id != service.id:
        raise AppointmentNotChangeable("an imported booking cannot change its service")
    slot = place_booking(
        office=config.office,
        service=service,
        start=start,
        length=length,
        booked=bookings_of_day(
            work.db, day_of(config, start), leave_out=existing.id if existing else None
        ),
        rules=config.appointments.slots,
    )
    if existing:
        return "updated", _move(work, existing, slot)
    contact = parse_contact({k: row[k] for k in CONTACT_FIELDS if row.get(k)})
    created = save_appointment(
        work,
        slot=slot,
        service=service,
        contact=contact,
        device_id=device_id,
        source="import",
        external_id=external_id,
    )
    return "created", created


def import_rows(
    work: Work,
    *,
    rows: list[Any],
    device_id: str,
    first: int = 1,
) -> list[dict[str, Any]]:
    """Import every row it can; one report entry per row, numbered from `first`."""
    report = []
    for number, row in enumerate(rows, start=first):
        external_id = row.get("external_id") if isinstance(row, Mapping) else None
        entry: dict[str, Any] = {"row": number, "external_id": external_id}
        try:
            status, appointment = import_row(work, row, device_id)
        except DomainError as error:
            entry.update(status="rejected", error={"code": error.code, "message": error.message})
        else:
            entry.update(
                status=status,
                appointment=appointment_json(work.config, appointment),
                token=token_for(work.config, work.keyring, appointment),
            )
        report.append(entry)
    return report


def summary(report: list[dict[str, Any]]) -> dict[str, Any]:
    rejected = sum(1 for e in report if e["status"] == "rejected")
    return {"accepted": len(report) - rejected, "rejected": rejected, "rows": report}
