"""A booking request's values, checked: time, horizon, contact, errand."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..config import OfficeConfig
from ..core.appointments import AppointmentRefused
from ..core.errors import DomainError, UnknownService
from ..core.model import Service
from ..text import BadText, plain
from .rows import CONTACT_FIELDS

BOOKING_HORIZON_DAYS = 400
MAX_CONTACT_CHARS = 200


class InvalidAppointment(DomainError):
    """A booking request with a value the office cannot use (bad time, bad contact)."""

    code = "invalid_appointment"


class AppointmentNotCancellable(AppointmentRefused):
    """A visitor who has checked in (or did not come) cannot have the booking cancelled."""

    code = "appointment_not_cancellable"


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


def within_horizon(day: date, now: datetime) -> bool:
    return (day - now.date()).days <= BOOKING_HORIZON_DAYS


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
        if not isinstance(value, str) or len(value) > MAX_CONTACT_CHARS or not _storable(value):
            raise InvalidAppointment(
                f"contact.{key} must be a text of at most {MAX_CONTACT_CHARS} characters"
            )
        cleaned[key] = value.strip()
    return cleaned or None


def _storable(value: str) -> bool:
    try:
        plain(value)
    except BadText:
        return False
    return True


def service_of(config: OfficeConfig, service_id: Any) -> Service:
    service = config.office.service(service_id) if isinstance(service_id, str) else None
    if service is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    return service
