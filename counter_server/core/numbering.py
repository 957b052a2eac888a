"""Ticket numbers: a prefix letter and three digits, unique per office per local day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .errors import NumbersExhausted
from .model import Service

MAX_NUMBER = 999


def office_day(now: datetime, timezone: str) -> date:
    """The office's local calendar day at `now` (an aware datetime).

    Taking the local date (not UTC, not "now minus 24 h") is what makes midnight and
    DST changes neither skip nor repeat a day.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(timezone)).date()


def next_number(service: Service, day: date, used: Iterable[str]) -> str:
    """The next free number for `service` on `day`, given the numbers used that day.

    Counting continues after the highest number used with this prefix, so a number
    freed by a cancelled ticket is never handed out again the same day.
    """
    prefix = service.prefix
    highest = 0
    for number in used:
        if number.startswith(prefix) and number[len(prefix):].isdigit():
            highest = max(highest, int(number[len(prefix):]))
    if highest >= MAX_NUMBER:
        raise NumbersExhausted(
            f"all numbers of prefix {prefix} are used on {day.isoformat()}", prefix=prefix
        )
    return f"{prefix}{highest + 1:03d}"
