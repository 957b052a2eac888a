"""Rows of an import file: CSV (comma or semicolon), JSON or iCalendar."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import text
from ..core.errors import DomainError
from .rows import CONTACT_FIELDS

MAX_ROWS = 5000
COLUMNS = {"external_id", "service_id", "start", "date", "time", "duration_min", *CONTACT_FIELDS}


class ImportInvalid(DomainError):
    """The uploaded file cannot be read as rows at all; nothing was imported."""

    code = "import_invalid"


def _json_rows(body: bytes) -> list[Any]:
    try:
        data = text.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, text.BadText) as error:
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
