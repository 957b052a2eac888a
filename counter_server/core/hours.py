"""Opening hours in the office's local time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .model import Interval, OpeningHours


def local(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def intervals_on(hours: OpeningHours, day_local: datetime) -> tuple[Interval, ...]:
    if day_local.date() in hours.closed_dates:
        return ()
    return hours.weekly.get(day_local.weekday(), ())


def is_open(hours: OpeningHours, now: datetime, timezone: str) -> bool:
    here = local(now, timezone)
    t = here.time()
    return any(i.start <= t < i.end for i in intervals_on(hours, here))


def closing_time(hours: OpeningHours, now: datetime, timezone: str) -> datetime | None:
    """End of today's last opening interval, or None when closed all day."""
    here = local(now, timezone)
    spans = intervals_on(hours, here)
    if not spans:
        return None
    end = max(i.end for i in spans)
    return datetime.combine(here.date(), end, tzinfo=ZoneInfo(timezone))


def walk_in_until(hours: OpeningHours, now: datetime, timezone: str) -> datetime | None:
    """The last moment a walk-in ticket is issued today."""
    close = closing_time(hours, now, timezone)
    if close is None:
        return None
    return close - timedelta(minutes=hours.last_walk_in_min)


def next_opening(hours: OpeningHours, now: datetime, timezone: str) -> datetime | None:
    """The next local opening moment after `now`, searching two weeks ahead."""
    here = local(now, timezone)
    tz = ZoneInfo(timezone)
    for offset in range(15):
        day = (here + timedelta(days=offset)).replace(hour=0, minute=0, second=0, microsecond=0)
        for span in sorted(intervals_on(hours, day), key=lambda i: i.start):
            start = datetime.combine(day.date(), span.start, tzinfo=tz)
            if start > here:
                return start
    return None
