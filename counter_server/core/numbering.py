"""Ticket numbers: a prefix letter and three digits, unique per office per local day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .errors import NumbersExhausted
from .model import Service

MAX_NUMBER = 999
# Numbers from 900 up are kept for kiosks to issue while the server is away: the
# day's sequence has no gaps, and staff can tell an outage ticket by its number.
LEASED_FIRST = 900
# the numbers the server counts through, and those kept for kiosks' leases (first, last)
ISSUED = (1, LEASED_FIRST - 1)
LEASED = (LEASED_FIRST, MAX_NUMBER)


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
    return _after_highest(service, day, used, first=ISSUED[0], last=ISSUED[1])


def next_leased_number(service: Service, day: date, used: Iterable[str]) -> str:
    """The lowest free number of the block kept for kiosks' leases (900 to 999).

    A number a kiosk gave back unspent was never on a ticket: another kiosk may hold it.
    """
    prefix = service.prefix
    taken = {n[len(prefix):] for n in used if n.startswith(prefix)}
    for value in range(LEASED[0], LEASED[1] + 1):
        if f"{value:03d}" not in taken:
            return f"{prefix}{value:03d}"
    raise NumbersExhausted(
        f"numbers {prefix}{LEASED[0]:03d}-{prefix}{LEASED[1]:03d} are all used on {day.isoformat()}",
        prefix=prefix,
    )


def _after_highest(
    service: Service, day: date, used: Iterable[str], *, first: int, last: int
) -> str:
    prefix = service.prefix
    highest = first - 1
    for number in used:
        digits = number[len(prefix):]
        if number.startswith(prefix) and digits.isdigit() and first <= int(digits) <= last:
            highest = max(highest, int(digits))
    if highest >= last:
        raise NumbersExhausted(
            f"numbers {prefix}{first:03d}-{prefix}{last:03d} are all used on {day.isoformat()}",
            prefix=prefix,
        )
    return f"{prefix}{highest + 1:03d}"
