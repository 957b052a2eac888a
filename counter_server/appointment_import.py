"""A day's appointments from an outside booking system, as CSV, JSON or iCalendar.

Idempotent on the outside id: importing the same file twice changes nothing the
second time; a row whose time changed moves its booking. Every row is reported
as created, updated, unchanged or rejected with a code and the reason.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .appointments import (
    CONTACT_FIELDS,
    InvalidAppointment,
    appointment_json,
    bookings_of_day,
    check_horizon,
    day_of,
    emit_changed,
    find_by_external_id,
    parse_contact,
    parse_start,
    save_appointment,
    service_of,
    settings_of,
    token_for,
)
from .config import OfficeConfig
from .core.appointments import Appointment, AppointmentRefused, AppointmentStatus
from .core.errors import DomainError
from .core.slots import Slot, place_booking, slot_length
from .keys import KeyRing
from .store import Tx

MAX_ROWS = 5000
MAX_EXTERNAL_ID = 100
COLUMNS = {"external_id", "service_id", "start", "date", "time", "duration_min", *CONTACT_FIELDS}


class ImportInvalid(DomainError):
    """The uploaded file cannot be read as rows at all; nothing was imported."""

    code = "import_invalid"


class StartInPast(InvalidAppointment):
    """The row's appointment has already begun."""

    code = "start_in_past"


class AppointmentNotChangeable(AppointmentRefused):
    """The outside system moved a booking that was already checked in, cancelled or missed."""

    code = "appointment_not_changeable"


def _json_rows(body: bytes) -> list[Any]:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ImportInvalid(f"the file is not valid JSON: {error}") from None
    if isinstance(data, Mapping):
        data = data.get("appointments")
    if not isinstance(data, list):
        raise ImportInvalid('JSON must be a list of rows or {"appointments": [...]}')
    return data


def _csv_rows(body: bytes) -> list[Any]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportInvalid("the CSV file is not UTF-8") from None
    # Spreadsheets set to German write ';' between fields.
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    if "external_id" not in header or "service_id" not in header:
        raise ImportInvalid("the CSV header needs at least external_id, service_id and start")
    unknown = set(header) - COLUMNS
    if unknown:
        raise ImportInvalid(f"unknown CSV columns: {', '.join(sorted(unknown))}")
    reader.fieldnames = header
    try:
        return [{k: v for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as error:
        raise ImportInvalid(f"the CSV file is malformed: {error}") from None


def _ics_lines(text: str) -> list[str]:
    # RFC 5545 folds long lines: a line starting with a space or tab continues the last.
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        elif line:
            lines.append(line)
    return lines


def _ics_time(value: str, params: dict[str, str]) -> str:
    """An iCalendar DATE-TIME as ISO text; a floating time stays office-local."""
    try:
        moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError:
        return value
    if value.endswith("Z"):
        return moment.replace(tzinfo=UTC).isoformat()
    try:
        return moment.replace(tzinfo=ZoneInfo(params["TZID"])).isoformat()
    except (KeyError, ValueError, ZoneInfoNotFoundError):
        return moment.isoformat()


def _ics_event(event: dict[str, tuple[str, dict[str, str]]]) -> dict[str, Any]:
    row: dict[str, Any] = {"external_id": event.get("UID", ("", {}))[0]}
    service = event.get("X-TOWNHALL-SERVICE") or event.get("CATEGORIES")
    row["service_id"] = service[0].split(",")[0].strip().lower() if service else None
    if "DTSTART" in event:
        row["start"] = _ics_time(*event["DTSTART"])
    if "DTEND" in event and "start" in row:
        end = _ics_time(*event["DTEND"])
        try:
            minutes = (
                datetime.fromisoformat(end) - datetime.fromisoformat(row["start"])
            ).total_seconds() // 60
            row["duration_min"] = str(int(minutes))
        except (TypeError, ValueError):
            row["duration_min"] = end
    return row


def _ics_rows(body: bytes) -> list[Any]:
    """VEVENTs: UID is the outside id, CATEGORIES (or X-TOWNHALL-SERVICE) the service id.

    SUMMARY and DESCRIPTION are left out on purpose: they often hold the visitor's name.
    """
    try:
        lines = _ics_lines(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportInvalid("the calendar file is not UTF-8") from None
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise ImportInvalid("the calendar file does not start with BEGIN:VCALENDAR")
    rows: list[Any] = []
    event: dict[str, tuple[str, dict[str, str]]] | None = None
    for line in lines:
        head, _, value = line.partition(":")
        name, *param_texts = head.split(";")
        name = name.upper()
        if line.upper() == "BEGIN:VEVENT":
            event = {}
        elif line.upper() == "END:VEVENT" and event is not None:
            if event.get("STATUS", ("", {}))[0].upper() != "CANCELLED":
                rows.append(_ics_event(event))
            event = None
        elif event is not None:
            params = dict(p.split("=", 1) for p in param_texts if "=" in p)
            event[name] = (value.strip(), {k.upper(): v for k, v in params.items()})
    return rows


def parse_rows(body: bytes, content_type: str) -> list[Any]:
    """Rows of a CSV (text/csv), JSON or iCalendar (text/calendar) upload."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/calendar":
        rows = _ics_rows(body)
    elif kind in ("text/csv", "application/csv"):
        rows = _csv_rows(body)
    elif kind in ("application/json", ""):
        rows = _json_rows(body)
    else:
        raise ImportInvalid(f"send text/csv, application/json or text/calendar, not {kind}")
    if len(rows) > MAX_ROWS:
        raise ImportInvalid(f"at most {MAX_ROWS} rows per import")
    return rows


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


def _move(tx: Tx, config: OfficeConfig, existing: Appointment, slot: Slot) -> Appointment:
    if existing.status is not AppointmentStatus.BOOKED:
        raise AppointmentNotChangeable(
            f"the booking is {existing.status.value} and cannot be moved",
            status=existing.status.value,
        )
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    tx.db["appointments"].update(
        existing.id,
        {
            "start": slot.start.isoformat(),
            "counter_id": slot.counter_ids[0],
            "office_day": day_of(config, slot.start).isoformat(),
            "duration_min": minutes,
            "updated_at": tx.now.isoformat(),
        },
    )
    moved = replace(existing, start=slot.start, counter_id=slot.counter_ids[0], duration_min=minutes)
    emit_changed(tx, moved)
    return moved


def import_row(tx: Tx, config: OfficeConfig, row: Any, device_id: str) -> tuple[str, Appointment]:
    """Create, move or keep one row's booking; a DomainError says why it was rejected."""
    if not isinstance(row, Mapping):
        raise InvalidAppointment("each row must be an object")
    external_id = _external_id(row)
    service = service_of(config, _text(row, "service_id"))
    start = parse_start(_start_text(row), config)
    length = _length(row, slot_length(service))
    existing = find_by_external_id(tx.db, external_id)
    if existing and (existing.service_id, existing.start, existing.end) == (
        service.id,
        start,
        start + length,
    ):
        return "unchanged", existing
    if start < tx.now:
        raise StartInPast("the appointment has already begun", start=start.isoformat())
    check_horizon(day_of(config, start), tx.now)
    if existing and existing.service_id != service.id:
        raise AppointmentNotChangeable("an imported booking cannot change its service")
    slot = place_booking(
        office=config.office,
        service=service,
        start=start,
        length=length,
        booked=bookings_of_day(
            tx.db, day_of(config, start), leave_out=existing.id if existing else None
        ),
        rules=settings_of(config).slots,
    )
    if existing:
        return "updated", _move(tx, config, existing, slot)
    contact = parse_contact({k: row[k] for k in CONTACT_FIELDS if row.get(k)})
    created = save_appointment(
        tx,
        config,
        slot=slot,
        service=service,
        contact=contact,
        device_id=device_id,
        source="import",
        external_id=external_id,
    )
    return "created", created


def import_rows(
    tx: Tx,
    *,
    config: OfficeConfig,
    keyring: KeyRing,
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
            status, appointment = import_row(tx, config, row, device_id)
        except DomainError as error:
            entry.update(status="rejected", error={"code": error.code, "message": error.message})
        else:
            entry.update(
                status=status,
                appointment=appointment_json(config, appointment),
                token=token_for(config, keyring, appointment),
            )
        report.append(entry)
    return report


def summary(report: list[dict[str, Any]]) -> dict[str, Any]:
    rejected = sum(1 for e in report if e["status"] == "rejected")
    return {"accepted": len(report) - rejected, "rejected": rejected, "rows": report}
