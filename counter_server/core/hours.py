"""Opening hours in the office's local time.

Spans are wall-clock times. On the two nights a year the clocks change, a wall time
may be read twice (October: 02:00-03:00) or never (March: 02:00-03:00), so a span's
start or end is turned into a moment by `readings`, and moments are compared in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .model import Interval, OpeningHours

_SEARCH_DAYS = 15


def local(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def spans_on(hours: OpeningHours, day: date) -> tuple[Interval, ...]:
    if day in hours.closed_dates:
        return ()
    return hours.weekly.get(day.weekday(), ())


def intervals_on(hours: OpeningHours, day_local: datetime) -> tuple[Interval, ...]:
    return spans_on(hours, day_local.date())


def is_open(hours: OpeningHours, now: datetime, timezone: str) -> bool:
    here = local(now, timezone)
    t = here.time()
    return any(i.start <= t < i.end for i in intervals_on(hours, here))


def _wall(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def readings(day: date, at: time, timezone: str) -> tuple[datetime, ...]:
    """The moments (UTC) the office's clock first shows `at` on `day`, earliest first.

    Usually one; two in the night the clocks go back; in the night they go forward,
    a skipped time is reached when the clock jumps past it.
    """
    tz = ZoneInfo(timezone)
    wall = datetime.combine(day, at)
    moments = sorted({wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)})
    shown = tuple(m for m in moments if _wall(m, tz) == wall)
    if shown:
        return shown
    before, after = moments  # the clock reads earlier than `at` at the first, later at the second
    while after - before > timedelta(microseconds=1):
        middle = before + (after - before) / 2
        if _wall(middle, tz) < wall:
            before = middle
        else:
            after = middle
    return (after,)


def closing_time(hours: OpeningHours, now: datetime, timezone: str) -> datetime | None:
    """End of today's last opening interval, or None when closed all day."""
    here = local(now, timezone)
    spans = intervals_on(hours, here)
    if not spans:
        return None
    end = max(i.end for i in spans)
    return readings(here.date(), end, timezone)[-1].astimezone(ZoneInfo(timezone))


def walk_in_until(hours: OpeningHours, now: datetime, timezone: str) -> datetime | None:
    """The last moment a walk-in ticket is issued today: real minutes before closing."""
    close = closing_time(hours, now, timezone)
    if close is None:
        return None
    until = close.astimezone(UTC) - timedelta(minutes=hours.last_walk_in_min)
    return until.astimezone(ZoneInfo(timezone))


def next_opening(hours: OpeningHours, now: datetime, timezone: str) -> datetime | None:
    """The next moment after `now` at which a span starts and the office is open, two weeks ahead."""
    here = local(now, timezone)
    for offset in range(_SEARCH_DAYS):
        day = here.date() + timedelta(days=offset)
        starts = [
            moment
            for span in spans_on(hours, day)
            for moment in readings(day, span.start, timezone)
            if moment > now and is_open(hours, moment, timezone)
        ]
        if starts:
            return min(starts).astimezone(ZoneInfo(timezone))
    return None
