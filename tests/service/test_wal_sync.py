"""The writer syncs the WAL itself after each commit (walsync.py): the commit's events are
handed on first, the write's answer only after the sync, and a failed sync is a storage error."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from counter_server import walsync
from counter_server.store import Store, Tx
from counter_server.walsync import WalSync

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Loop:
    """Stands in for the event loop: notes when the events were handed on."""

    def __init__(self, steps: list[str]) -> None:
        self.steps = steps

    def call_soon_threadsafe(self, fn: Any, events: Any) -> None:
        self.steps.append(f"events {[event.type for event in events]}")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "office.sqlite")
    yield store
    store.close()


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every fsync, by the path of the file it synced."""
    steps: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        steps.append(f"fsync {Path(os.readlink(f'/proc/self/fd/{fd}')).name}")
        real(fd)

    monkeypatch.setattr(walsync.os, "fsync", fsync)
    return steps


def _call(tx: Tx) -> str:
    tx.emit("ticket.called", {"ticket_id": "t1"})
    return "answer"


def test_events_are_handed_on_before_the_wal_sync_and_the_answer_after_it(store: Store, synced: list[str]) -> None:
    store.on_commit(lambda events: None, Loop(synced))  # type: ignore[arg-type]
    store.write_sync(_call, now=NOW)
    synced.append("answer")
    store.write_sync(_call, now=NOW)
    assert synced[-2:] == ["events ['ticket.called']", "fsync office.sqlite-wal"]
    assert synced.index("answer") > synced.index("fsync office.sqlite-wal")
    # SQLite itself does not sync the WAL at commit on the writer's connection
    assert store._writer_db.execute("PRAGMA synchronous").fetchone()[0] == 1


def test_the_wal_is_synced_after_a_truncating_checkpoint_too(store: Store, synced: list[str]) -> None:
    store.write_sync(_call, now=NOW)
    store.checkpoint()
    synced.clear()
    store.write_sync(_call, now=NOW)
    assert synced == ["fsync office.sqlite-wal"]
    assert store.read_sync(lambda db: db.execute("SELECT count(*) FROM events").fetchone()[0]) == 2


def test_a_replaced_wal_file_is_opened_anew(tmp_path: Path, synced: list[str]) -> None:
    database = tmp_path / "office.sqlite"
    wal = Path(f"{database}-wal")
    wal.write_bytes(b"first")
    sync = WalSync(database)
    sync()
    wal.unlink()
    wal.write_bytes(b"second")
    sync()
    sync.close()
    # each new file: its directory once, then the file
    assert synced == [f"fsync {tmp_path.name}", "fsync office.sqlite-wal"] * 2


def test_a_failed_sync_is_a_storage_error_and_the_commit_stays(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(walsync.os, "fsync", broken)
    with pytest.raises(sqlite3.OperationalError, match="WAL file could not be synced"):
        store.write_sync(_call, now=NOW)
    monkeypatch.undo()
    # committed, perhaps not on disk: a retry under the same Idempotency-Key replays it
    assert store.read_sync(lambda db: db.execute("SELECT type FROM events").fetchall()) == [("ticket.called",)]
    assert store.write_sync(_call, now=NOW) == "answer"
