"""Read the city's statistics tables for a period, the whole city or chosen offices.

The figures come from `core.stats` over the stored visits, exactly as an office's do:
the city's cell of an office is the office's own; the city's cell is the same figures
over every office's visits together (a median over all visits, not a mean of medians).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from ..core import stats
from ..stats.exports import published
from ..stats.query import Selection
from .stats_store import VISIT_COLUMNS


def _where(sel: Selection, offices: Sequence[str]) -> tuple[str, list[Any]]:
    sql, args = "office_day BETWEEN %s AND %s AND office = ANY(%s)", [sel.first.isoformat(), sel.last.isoformat(),
                                                                     list(offices)]
    if sel.services:
        sql += " AND service_id = ANY(%s)"
        args.append(list(sel.services))
    return sql, args


def visits_by_office(conn: psycopg.Connection[Any], sel: Selection,
                     offices: Sequence[str]) -> dict[str, list[stats.Visit]]:
    """Office -> its visits of the selection (every office asked for has a list)."""
    where, args = _where(sel, offices)
    # every field of a Visit in its order (the city keeps no clerk: "" as for a workstation token)
    columns = ", ".join(c if c in VISIT_COLUMNS else "'' AS staff_id" for c in stats.Visit._fields)
    rows = conn.execute(f"SELECT office, {columns} FROM city_stats_visits WHERE {where}", args).fetchall()
    found: dict[str, list[stats.Visit]] = {office: [] for office in offices}
    make = stats.Visit._make
    for row in rows:
        found[row[0]].append(make(row[1:]))
    return found


def refusals(conn: psycopg.Connection[Any], sel: Selection, offices: Sequence[str]) -> list[dict[str, Any]]:
    where, args = _where(sel, offices)
    rows = conn.execute(f"SELECT reason, offline, SUM(n) FROM city_stats_refusals WHERE {where}"
                        " GROUP BY reason, offline ORDER BY reason, offline", args).fetchall()
    return [{"reason": r, "offline": bool(o), "n": int(n)} for r, o, n in rows]


def version(conn: psycopg.Connection[Any], sel: Selection, offices: Sequence[str]) -> tuple[Any, ...]:
    """What the period's figures are now: changes whenever one of its office days is built again."""
    row = conn.execute(
        "SELECT COUNT(*), MAX(built_at), SUM(built_seq), SUM(visits) FROM city_stats_days"
        " WHERE office_day BETWEEN %s AND %s AND office = ANY(%s)",
        (sel.first.isoformat(), sel.last.isoformat(), list(offices))).fetchone()
    return tuple(row or ())


def all_visits(by_office: dict[str, list[stats.Visit]]) -> list[stats.Visit]:
    return [visit for visits in by_office.values() for visit in visits]


def per_office(by_office: dict[str, list[stats.Visit]]) -> list[dict[str, Any]]:
    """One published cell per office, with its id."""
    return [{"office": office, **stats.suppress(stats.figures(visits))} for office, visits in by_office.items()]


def daily_rows(by_office: dict[str, list[stats.Visit]], office: str | None) -> list[dict[str, Any]]:
    """The open data's daily cells (day x errand): of one office, or of the whole city."""
    visits = by_office.get(office, []) if office else all_visits(by_office)
    return published(visits, ["office_day", "service_id"])


def open_hours(conn: psycopg.Connection[Any], sel: Selection, offices: Sequence[str]) -> dict[int, float]:
    """Mean number of counters open in each local hour over the period's built days, all offices
    together (an office's own figure when one office is asked for)."""
    args = (sel.first.isoformat(), sel.last.isoformat(), list(offices))
    row = conn.execute("SELECT COUNT(DISTINCT office_day) FROM city_stats_days"
                       " WHERE office_day BETWEEN %s AND %s AND office = ANY(%s)", args).fetchone()
    days = int(row[0]) if row and row[0] else 1
    rows = conn.execute("SELECT hour, SUM(open_s) FROM city_stats_open WHERE office_day BETWEEN %s AND %s"
                        " AND office = ANY(%s) GROUP BY hour", args).fetchall()
    return {int(hour): float(total) / 3600 / days for hour, total in rows}
