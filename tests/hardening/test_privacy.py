"""Contact data is gone after its retention: from every table, the WAL file and a backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import LiveServer

DAY = "2026-12-01"
NAME = "Zyxwvu Privatmann"
EMAIL = "zyxwvu.privat@example.org"
MARKERS = ("Zyxwvu", "zyxwvu")


def _files_mention(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        if path.exists():
            data = path.read_bytes()
            found += [f"{path.name}: {m}" for m in MARKERS if m.encode() in data]
    return found


def _rows_mention(db: Path) -> list[str]:
    found = []
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                if any(m in str(row) for m in MARKERS):
                    found.append(table)
    return found


def test_a_contact_leaves_tables_wal_and_backup_after_its_retention(live_server: LiveServer, tmp_path: Path) -> None:
    with live_server.client("booking") as booking:
        answer = booking.post(
            "/api/v1/appointments",
            json={"service_id": "pass", "start": f"{DAY}T10:15", "contact": {"name": NAME, "email": EMAIL}},
            headers={"Idempotency-Key": "privacy-1"},
        )
    assert answer.status_code == 201, answer.text
    db = live_server.data_dir / "townhall.db"
    assert _rows_mention(db) == ["appointment_contacts"]  # stored once, for the booking's purpose only

    live_server.stop()
    live_server.start(clock="2026-12-04T09:00")  # two days of retention have passed
    with live_server.client("display") as display:
        assert display.get("/health").status_code == 200
    backup = tmp_path / "backup.db"
    with sqlite3.connect(db) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    live_server.stop()

    assert _rows_mention(db) == []
    assert _files_mention([db, db.with_name("townhall.db-wal"), backup]) == []
