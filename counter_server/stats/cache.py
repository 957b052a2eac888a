"""Rendered report parts (the page's tables, its plots, the monthly PDF) kept per selection and statistics version.

A report is drawn from the statistics tables only, so what it shows changes only when a day
of its period is built again: the version of a period is read from `stats_days` (how many
days are built, the last build time, the last event seq and visits). Same selection, same
version, same names: the same bytes, served from memory instead of drawn again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import sqlite_utils

from .query import Selection

ENTRIES = 96  # five plots and a page for about fifteen selections
TODAY_FRESH_S = 60.0  # today's rows are rebuilt when events came, or at least this often


def version(db: sqlite_utils.Database, sel: Selection) -> tuple[Any, ...]:
    """What the period's statistics are now: changes whenever one of its days is rebuilt."""
    row = db.execute(
        "SELECT COUNT(*), MAX(built_at), MAX(last_seq), SUM(visits) FROM stats_days"
        " WHERE office_day BETWEEN ? AND ?", [sel.first.isoformat(), sel.last.isoformat()],
    ).fetchone()
    return tuple(row)


def last_seq(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT MAX(seq) FROM events").fetchone()
    return int(row[0] or 0)


class ReportCache:
    """A small LRU of rendered parts, and when today was last rebuilt."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self.parts: OrderedDict[Hashable, Any] = OrderedDict()
        self.today: tuple[str, int, float] | None = None  # (day, event seq, monotonic time) of the last build

    async def get(self, key: Hashable, make: Callable[[], Awaitable[Any]]) -> Any:
        if key in self.parts:
            self.parts.move_to_end(key)
            return self.parts[key]
        value = await make()
        self.parts[key] = value
        while len(self.parts) > self.entries:
            self.parts.popitem(last=False)
        return value

    def today_is_fresh(self, day: str, seq: int) -> bool:
        """No event since today's last build, and that build is recent."""
        return self.today is not None and self.today[:2] == (day, seq) \
            and time.monotonic() - self.today[2] < TODAY_FRESH_S

    def built_today(self, day: str, seq: int) -> None:
        self.today = (day, seq, time.monotonic())
