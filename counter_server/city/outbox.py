"""The office's outbox: one row per event, written in the event's own transaction.

A trigger on `events` writes the row, so every writer (the server, a command-line tool)
fills the outbox the same way; it exists only while `[city]` is configured. A row is
marked sent when the city's stream acknowledged the event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

TRIGGER = "city_outbox_on_event"
KEEP_SENT = 1000  # sent rows kept (the newest), to see what went out last; older ones are deleted


def m015_city_outbox(db: sqlite_utils.Database) -> None:
    """The city outbox: an event's seq and when the city's stream acknowledged it."""
    db.execute("CREATE TABLE IF NOT EXISTS city_outbox (seq INTEGER PRIMARY KEY, sent_at TEXT)")
    db.execute("CREATE INDEX IF NOT EXISTS city_outbox_unsent ON city_outbox (seq) WHERE sent_at IS NULL")


CITY_MIGRATIONS = [m015_city_outbox]


def configure(db: sqlite_utils.Database, *, enabled: bool) -> None:
    """Install the trigger when the office belongs to a city, remove it when it does not."""
    if enabled:
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} AFTER INSERT ON events"
            " BEGIN INSERT INTO city_outbox (seq) VALUES (NEW.seq); END"
        )
    else:
        db.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


@dataclass(frozen=True)
class Pending:
    seq: int
    at: str
    type: str
    data: dict[str, Any]


def pending(db: sqlite_utils.Database, limit: int) -> list[Pending]:
    """The oldest events the city has not acknowledged yet, in seq order."""
    rows = db.execute(
        "SELECT o.seq, e.at, e.type, e.data FROM city_outbox o JOIN events e ON e.seq = o.seq"
        " WHERE o.sent_at IS NULL ORDER BY o.seq LIMIT ?",
        [limit],
    ).fetchall()
    return [Pending(seq=seq, at=at, type=type_, data=json.loads(data)) for seq, at, type_, data in rows]


def mark_sent(db: sqlite_utils.Database, seqs: list[int], at: str) -> None:
    db.conn.executemany("UPDATE city_outbox SET sent_at = ? WHERE seq = ?", [(at, seq) for seq in seqs])


def prune(db: sqlite_utils.Database, keep: int = KEEP_SENT) -> int:
    """Delete sent rows but the newest `keep`; an unsent row is never deleted. How many went."""
    sent = "sent_at IS NOT NULL"
    if keep <= 0:
        return int(db.execute(f"DELETE FROM city_outbox WHERE {sent}").rowcount)
    cursor = db.execute(
        f"DELETE FROM city_outbox WHERE {sent} AND seq < coalesce(("
        f" SELECT seq FROM city_outbox WHERE {sent} ORDER BY seq DESC LIMIT 1 OFFSET ?), -1)",
        [keep - 1],
    )
    return int(cursor.rowcount)


def backlog(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT count(*) FROM city_outbox WHERE sent_at IS NULL").fetchone()
    return int(row[0])
