"""A month of free times per errand, computed once per change of the bookings, not per request.

The version a month is kept under is (the store's count of committed writes, read before the
read transaction starts; the last event's seq, read inside it; the configuration; the office
day). Every booking, cancellation, move, hold and expiry is a committed write of this server,
and a write by another process that emits an event moves the seq, so a kept month is never
older than the data a reader would see. `now` only hides the times already past: a month is
computed from the start of the day and filtered per request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from ..bookings.rows import day_of
from ..config import OfficeConfig
from ..context import Context
from ..core.model import Service
from ..core.slots import Slot
from .proposals import Month, Proposals, month_of_slots, propose

MAX_MONTHS = 64  # errands x moved appointments kept for one version


class MonthCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[int, int, int, date] | None = None
        self._months: dict[tuple[str, str | None, int], Month] = {}

    def month(
        self, db: sqlite_utils.Database, config: OfficeConfig, *, commits: int, service: Service,
        now: datetime, days: int, leave_out: str | None = None,
    ) -> Month:
        """`month_of_slots` as of `now`; `commits` must be read before the read transaction."""
        today = day_of(config, now)
        last_seq = db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
        version = (commits, int(last_seq), id(config), today)
        key = (service.id, leave_out, days)
        with self._lock:
            if version != self._version or len(self._months) >= MAX_MONTHS:
                self._version, self._months = version, {}
            found = self._months.get(key)
        if found is None:
            midnight = datetime.combine(today, time(0), tzinfo=ZoneInfo(config.office.timezone))
            found = month_of_slots(db, config, service=service, now=midnight, days=days,
                                   leave_out=leave_out)
            with self._lock:
                if version == self._version:
                    self._months[key] = found
        return _from(found, now)


def _from(month: Month, now: datetime) -> Month:
    """The times of `month` that have not begun yet."""
    left: dict[date, list[Slot]] = {}
    for day, slots in month.items():
        kept = slots if slots[0].start >= now else [s for s in slots if s.start >= now]
        if kept:
            left[day] = kept
    return left


def month_cache_of(state: Any) -> MonthCache:
    """The app's one cache of free months (made on first use)."""
    cache = getattr(state, "month_cache", None)
    if cache is None:
        cache = state.month_cache = MonthCache()
    return cache


def cached_proposals(
    cache: MonthCache, ctx: Context, *, service: Service, now: datetime, leave_out: str | None = None,
) -> Callable[[sqlite_utils.Database], Proposals]:
    """A read view that proposes times from `cache`; call it right before `ctx.read`."""
    commits, config = ctx.store.commits, ctx.config  # before the read transaction begins

    def view(db: sqlite_utils.Database) -> Proposals:
        def months(days: int, out: str | None) -> Month:
            return cache.month(db, config, commits=commits, service=service, now=now, days=days,
                               leave_out=out)
        return propose(db, config, service=service, now=now, leave_out=leave_out, months=months)

    return view
