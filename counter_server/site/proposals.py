"""Free times as the site proposes them: the earliest first, then every day of the next weeks
split into morning and afternoon."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from ..bookings.rows import busy_between, day_of
from ..config import OfficeConfig
from ..core.model import Service
from ..core.slots import Slot, candidates, free_slots_busy

EARLIEST = 4
NOON = 12

Month = dict[date, list[Slot]]
# (days, leave_out) -> the free times of those days from now on
MonthSource = Callable[[int, str | None], Month]


@dataclass
class DayTimes:
    day: date
    morning: list[Slot] = field(default_factory=list)
    afternoon: list[Slot] = field(default_factory=list)


@dataclass
class Week:
    first: date
    days: list[DayTimes]


@dataclass
class Proposals:
    earliest: list[Slot]
    weeks: list[Week]

    @property
    def empty(self) -> bool:
        return not self.earliest


@dataclass
class WeekPage:
    """The one week of the calendar a page shows, and the weeks before and after it."""

    week: Week
    previous: date | None
    next: date | None


def week_page(proposals: Proposals, asked: str | None) -> WeekPage | None:
    """The week starting on the Monday `asked` (ISO date); the first week with free times when
    that week has none, is past or is no date at all."""
    if not proposals.weeks:
        return None
    firsts = [week.first for week in proposals.weeks]
    try:
        index = firsts.index(date.fromisoformat(asked or ""))
    except ValueError:
        index = 0
    return WeekPage(
        proposals.weeks[index],
        firsts[index - 1] if index > 0 else None,
        firsts[index + 1] if index + 1 < len(firsts) else None,
    )


def month_of_slots(
    db: sqlite_utils.Database, config: OfficeConfig, *, service: Service, now: datetime, days: int,
    leave_out: str | None = None,
) -> Month:
    """Every free time of `service` from today on for `days` days (one read of the bookings)."""
    first = day_of(config, now)
    last = first + timedelta(days=days - 1)
    able = candidates(config.office, service)
    busy = busy_between(db, first, last, leave_out=leave_out, counters=[c.id for c in able])
    found: Month = {}
    for offset in range(days):
        day = first + timedelta(days=offset)
        slots = free_slots_busy(office=config.office, service=service, day=day, busy=busy.get(day, {}),
                                rules=config.appointments.slots, now=now, counters=able)
        if slots:
            found[day] = slots
    return found


def propose(
    db: sqlite_utils.Database, config: OfficeConfig, *, service: Service, now: datetime,
    leave_out: str | None = None, months: MonthSource | None = None,
) -> Proposals:
    """The proposals from `months` (the site's cache) or computed here."""
    weeks = config.booking.weeks
    if months is None:
        by_day = month_of_slots(db, config, service=service, now=now, days=weeks * 7, leave_out=leave_out)
    else:
        by_day = months(weeks * 7, leave_out)
    zone = ZoneInfo(config.office.timezone)
    earliest = [slot for slots in by_day.values() for slot in slots][:EARLIEST]
    today = day_of(config, now)
    monday = today - timedelta(days=today.weekday())
    grouped = []
    for index in range(weeks + 1):
        first = monday + timedelta(weeks=index)
        days = []
        for day in (first + timedelta(days=d) for d in range(7)):
            if day in by_day:
                times = DayTimes(day)
                for slot in by_day[day]:
                    morning = slot.start.astimezone(zone).hour < NOON
                    (times.morning if morning else times.afternoon).append(slot)
                days.append(times)
        if days:
            grouped.append(Week(first, days))
    return Proposals(earliest, grouped)
