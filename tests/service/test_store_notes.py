"""Notes (Store.note): small writes nobody waits for ride along with the next write, or make
their own within NOTE_WAIT_S; a failing one never fails the write it rides with, and none
is lost to a rollback or a shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from counter_server import store as store_module
from counter_server.store import Store, Tx

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "office.sqlite")
    store.write_sync(lambda tx: tx.db.execute("CREATE TABLE marks (mark TEXT)"), now=NOW)
    yield store
    store.close()


def mark(text: str) -> Callable[[Tx], None]:
    return lambda tx: tx.db.execute("INSERT INTO marks VALUES (?)", [text])


def marks(store: Store) -> list[str]:
    return store.read_sync(lambda db: [r[0] for r in db.execute("SELECT mark FROM marks ORDER BY rowid")])


def test_a_note_rides_along_with_the_next_write(store: Store) -> None:
    async def run() -> tuple[list[str], int]:
        store.note(mark("told"))
        commits = store.commits
        await store.write(mark("next write"), now=NOW)
        return marks(store), store.commits - commits

    found, commits = asyncio.run(run())
    assert found == ["told", "next write"]
    assert commits == 1, "no transaction of its own"


def test_a_note_with_no_write_to_ride_with_makes_its_own(store: Store) -> None:
    async def run() -> list[str]:
        store.note(mark("told"))
        store.note(mark("told too"))
        assert marks(store) == []
        await asyncio.sleep(store_module.NOTE_WAIT_S + 0.3)
        return marks(store)

    assert asyncio.run(run()) == ["told", "told too"]


def test_a_failing_note_is_dropped_and_the_write_it_rides_with_stands(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(tx: Tx) -> None:
        tx.db.execute("INSERT INTO marks VALUES ('half done')")
        tx.db.execute("INSERT INTO no_such_table VALUES (1)")

    async def run() -> str:
        store.note(broken)
        store.note(mark("told"))
        return await store.write(lambda tx: (mark("next write")(tx), "answer")[1], now=NOW)

    with caplog.at_level(logging.ERROR, logger="counter_server.store"):
        assert asyncio.run(run()) == "answer"
    assert marks(store) == ["told", "next write"], "the broken note left nothing behind"
    assert "a note was dropped" in caplog.text


def test_notes_rolled_back_with_their_write_are_made_later(store: Store) -> None:
    class Refused(Exception):
        pass

    def refused(tx: Tx) -> None:
        mark("refused write")(tx)
        raise Refused

    async def run() -> list[str]:
        store.on_commit(lambda events: None, asyncio.get_running_loop())
        store.note(mark("told"))
        with pytest.raises(Refused):
            await store.write(refused, now=NOW)
        assert marks(store) == []
        await asyncio.sleep(store_module.NOTE_WAIT_S + 0.3)
        return marks(store)

    assert asyncio.run(run()) == ["told"]


def test_notes_waiting_at_shutdown_are_written(tmp_path: Path) -> None:
    store = Store(tmp_path / "office.sqlite")
    store.write_sync(lambda tx: tx.db.execute("CREATE TABLE marks (mark TEXT)"), now=NOW)

    async def run() -> None:
        store.note(mark("told"))
        store.close()

    asyncio.run(run())
    reopened = Store(tmp_path / "office.sqlite")
    try:
        assert marks(reopened) == ["told"]
    finally:
        reopened.close()
