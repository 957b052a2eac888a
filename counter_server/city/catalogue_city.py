"""The catalogue at the city: each published version recorded in PostgreSQL, and each office's
report (its `catalogue.applied` or `catalogue.refused` event) landed in `catalogue_reports`,
the newest per office (by the office's seq, so a late redelivery never rolls it back).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from . import catalogue

_UPSERT_REPORT = (
    "INSERT INTO catalogue_reports AS r (office, version, state, added, changed, unchanged, skipped, reason, at, seq)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (office) DO UPDATE SET"
    " version = EXCLUDED.version, state = EXCLUDED.state, added = EXCLUDED.added, changed = EXCLUDED.changed,"
    " unchanged = EXCLUDED.unchanged, skipped = EXCLUDED.skipped, reason = EXCLUDED.reason, at = EXCLUDED.at,"
    " seq = EXCLUDED.seq WHERE r.seq < EXCLUDED.seq"
)
STATES = {"catalogue.applied": "applied", "catalogue.refused": "refused"}


def _ids(data: dict[str, Any], key: str) -> list[str]:
    return [str(v) for v in data.get(key) or []]


def report_row(body: dict[str, Any]) -> tuple[Any, ...] | None:
    state = STATES.get(body["type"])
    if state is None:
        return None
    data = body["data"]
    return (body["office"], int(data.get("version", 0)), state, *(_ids(data, k) for k in
            ("added", "changed", "unchanged", "skipped")), str(data.get("reason", "")), body["at"], body["seq"])


def land_reports(cur: psycopg.Cursor[Any], fresh: list[dict[str, Any]]) -> None:
    rows = [row for row in map(report_row, fresh) if row is not None]
    if rows:
        cur.executemany(_UPSERT_REPORT, rows)


def record_version(conn: psycopg.Connection[Any], errands: list[catalogue.Errand], *,
                   on_stream: int = 0) -> tuple[int, bool]:
    """The version for these errands: the newest one again when it says the same and is still the
    newest on the stream (`on_stream`: the version there), else a new one above both."""
    digest = catalogue.digest(errands)
    with conn.transaction():
        conn.execute("LOCK TABLE catalogue_versions IN EXCLUSIVE MODE")
        newest = conn.execute(
            "SELECT version, digest FROM catalogue_versions ORDER BY version DESC LIMIT 1").fetchone()
        if newest is not None and newest[1] == digest and newest[0] >= on_stream:
            return int(newest[0]), False
        version = max(int(newest[0]) if newest else 0, on_stream) + 1
        conn.execute("INSERT INTO catalogue_versions (version, digest, errands, body) VALUES (%s, %s, %s, %s)",
                     (version, digest, len(errands), json.dumps(errands, ensure_ascii=False)))
    return version, True


@dataclass(frozen=True)
class OfficeReport:
    office: str
    version: int
    state: str
    added: list[str]
    changed: list[str]
    unchanged: list[str]
    skipped: list[str]
    reason: str
    at: datetime


def newest_version(conn: psycopg.Connection[Any]) -> tuple[int, int, datetime] | None:
    """(version, errands, published at) of the newest published catalogue."""
    row = conn.execute("SELECT version, errands, published_at FROM catalogue_versions"
                       " ORDER BY version DESC LIMIT 1").fetchone()
    return (int(row[0]), int(row[1]), row[2]) if row else None


def reports(conn: psycopg.Connection[Any]) -> dict[str, OfficeReport]:
    rows = conn.execute("SELECT office, version, state, added, changed, unchanged, skipped, reason, at"
                        " FROM catalogue_reports ORDER BY office").fetchall()
    return {row[0]: OfficeReport(*row) for row in rows}
