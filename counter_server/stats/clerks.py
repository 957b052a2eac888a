"""Per-clerk figures, straight from the event log: who called and finished how many visits.

Only shifts of staff accounts count (their events carry `staff_id`); a workstation token
without an account adds nothing here. Names stay in the `staff` table, joined for the console."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def per_clerk(db: sqlite_utils.Database, since: str) -> dict[str, dict[str, int]]:
    """staff id -> {"called", "finished", "no_show"} for the events at or after `since` (ISO)."""
    rows = db.execute(
        "SELECT json_extract(data, '$.staff_id') AS staff, type, COUNT(*) FROM events"
        " WHERE at >= ? AND type IN ('ticket.called', 'ticket.finished', 'ticket.no_show')"
        " AND json_extract(data, '$.staff_id') IS NOT NULL GROUP BY staff, type",
        [since],
    ).fetchall()
    figures: dict[str, dict[str, int]] = {}
    for staff_id, type_, count in rows:
        figures.setdefault(str(staff_id), {"called": 0, "finished": 0, "no_show": 0})[type_.split(".")[1]] = count
    return figures


def named(db: sqlite_utils.Database, since: str) -> list[dict[str, Any]]:
    """The figures with each clerk's name, most calls first."""
    names = {row["id"]: row["name"] for row in db.query("SELECT id, name FROM staff")}
    figures = per_clerk(db, since)
    return sorted(({"staff_id": s, "name": names.get(s, s), **f} for s, f in figures.items()),
                  key=lambda r: -int(r["called"]))
