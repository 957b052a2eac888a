"""Read the statistics tables for a period and a choice of errands and counters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import sqlite_utils

from ..core import stats

PERIODS = ("day", "week", "month", "year")


class BadPeriod(ValueError):
    """A report asked for a period that does not exist."""


@dataclass(frozen=True)
class Selection:
    period: str
    first: date  # inclusive
    last: date  # inclusive
    services: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()  # clerks' staff ids ("" = no account): the report page only

    @property
    def title(self) -> str:
        if self.period == "day":
            return self.first.isoformat()
        if self.period == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.period == "month":
            return self.first.strftime("%Y-%m")
        return str(self.first.year)

    def query(self) -> str:
        parts = [f"period={self.period}", f"date={self.first.isoformat()}"]
        parts += [f"service={s}" for s in self.services] + [f"counter={c}" for c in self.counters]
        parts += [f"staff={quote(s)}" for s in self.staff]
        return "&".join(parts)

    def published(self) -> Selection:
        """The selection a download or anything published may show: never chosen by clerk."""
        return replace(self, staff=())


def select(period: str, day: date, services: list[str] | None = None, counters: list[str] | None = None,
           staff: list[str] | None = None) -> Selection:
    """The day, ISO week, month or year that contains `day`."""
    if period not in PERIODS:
        raise BadPeriod(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if period == "day":
        first = last = day
    elif period == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
    elif period == "month":
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    else:
        first, last = day.replace(month=1, day=1), day.replace(month=12, day=31)
    return Selection(period, first, last, tuple(services or ()), tuple(counters or ()), tuple(staff or ()))


def _where(sel: Selection, *, counters: bool = True) -> tuple[str, list[Any]]:
    sql, args = "office_day BETWEEN ? AND ?", [sel.first.isoformat(), sel.last.isoformat()]
    if sel.services:
        sql += f" AND service_id IN ({', '.join('?' for _ in sel.services)})"
        args += list(sel.services)
    if counters and sel.counters:
        sql += f" AND counter_id IN ({', '.join('?' for _ in sel.counters)})"
        args += list(sel.counters)
    if counters and sel.staff:
        sql += f" AND staff_id IN ({', '.join('?' for _ in sel.staff)})"
        args += list(sel.staff)
    return sql, args


def visits(db: sqlite_utils.Database, sel: Selection) -> list[stats.Visit]:
    where, args = _where(sel)
    names = stats.Visit._fields
    rows = db.execute(f"SELECT {', '.join(names)} FROM stats_visits WHERE {where}", args).fetchall()
    return [stats.Visit._make(row) for row in rows]


def refusals(db: sqlite_utils.Database, sel: Selection) -> list[dict[str, Any]]:
    where, args = _where(sel, counters=False)
    rows = db.execute(
        f"SELECT reason, offline, SUM(n) FROM stats_refusals WHERE {where} GROUP BY reason, offline"
        " ORDER BY reason, offline", args,
    ).fetchall()
    return [{"reason": r, "offline": bool(o), "n": n} for r, o, n in rows]


def open_hours(db: sqlite_utils.Database, sel: Selection) -> dict[int, float]:
    """Mean number of counters open in each local hour over the period's built days."""
    sql, args = "office_day BETWEEN ? AND ?", [sel.first.isoformat(), sel.last.isoformat()]
    if sel.counters:
        sql += f" AND counter_id IN ({', '.join('?' for _ in sel.counters)})"
        args += list(sel.counters)
    days = db.execute(
        "SELECT COUNT(*) FROM stats_days WHERE office_day BETWEEN ? AND ?", args[:2]
    ).fetchone()[0] or 1
    rows = db.execute(f"SELECT hour, SUM(open_s) FROM stats_open WHERE {sql} GROUP BY hour", args).fetchall()
    return {int(hour): total / 3600 / days for hour, total in rows}


def staff_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Staff id -> display name, for the report page (head and admin) only."""
    return {str(i): str(n or i) for i, n in db.execute("SELECT id, name FROM staff").fetchall()}


def daily_cells(db: sqlite_utils.Database, first: date, last: date) -> list[dict[str, Any]]:
    """Per day and errand, published (small cells suppressed): the open data's CSV."""
    sel = Selection("day", first, last)
    return [stats.suppress(c) for c in stats.cells(visits(db, sel), ["office_day", "service_id"])]
