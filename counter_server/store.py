"""The one source of truth: a SQLite file, one writer thread, readers that never block it.

Every write runs `fn(tx)` inside `BEGIN IMMEDIATE ... COMMIT` on the writer thread.
Events a write emits get their `seq` in the same transaction and are handed to the
publisher only after the commit, so no screen hears of what could still roll back; the
writer then syncs the WAL (walsync.py) before the write's answer is given.

A note (`Store.note`) is a small write nobody waits for: it rides along with the next
write's transaction, or makes its own once it has waited `NOTE_WAIT_S`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from .jsontext import text
from .migrations import migrate
from .walsync import WalSync

T = TypeVar("T")
log = logging.getLogger(__name__)
# how long a note waits for a write to ride along with before it makes its own
NOTE_WAIT_S = 0.2


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    at: str
    data: dict[str, Any]

    def to_json(self) -> str:
        """The event as screens are sent it (once per broadcast, the same text for all)."""
        return text({"seq": self.seq, "type": self.type, "at": self.at, "data": self.data})


@dataclass
class Tx:
    """One write transaction: the database and the events it will publish."""

    db: sqlite_utils.Database
    now: datetime
    events: list[Event] = field(default_factory=list)
    # what in-memory caches keep for this transaction; thrown away with a rollback
    memo: dict[str, Any] = field(default_factory=dict)
    committed: list[Callable[[], None]] = field(default_factory=list)

    def emit(self, type_: str, data: dict[str, Any]) -> Event:
        at = self.now.isoformat()
        cursor = self.db.conn.execute(
            "INSERT INTO events (at, type, data) VALUES (?, ?, ?)",
            (at, type_, json.dumps(data, ensure_ascii=False, separators=(",", ":"))),
        )
        seq = cursor.lastrowid
        assert seq is not None
        event = Event(seq=seq, type=type_, at=at, data=data)
        self.events.append(event)
        return event


    def amend(self, event: Event, extra: dict[str, Any]) -> None:
        """Add fields to an event of this transaction before anyone has seen it."""
        event.data.update(extra)
        self.db.conn.execute(
            "UPDATE events SET data = ? WHERE seq = ?",
            (json.dumps(event.data, ensure_ascii=False, separators=(",", ":")), event.seq),
        )


def connect(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    # Deleted rows (contact data past its retention) are overwritten, not just unlinked.
    conn.execute("PRAGMA secure_delete=ON")
    return sqlite_utils.Database(conn)


Publisher = Callable[[list[Event]], None]


class Store:
    """SQLite behind one writer thread and a small pool of reader threads."""

    def __init__(self, path: Path, *, readers: int = 4) -> None:
        self.path = path
        self._writer_db = connect(path)
        migrate(self._writer_db)
        # the commit writes the WAL; `_sync` puts it on disk after the events are handed on
        self._writer_db.conn.execute("PRAGMA synchronous=NORMAL")
        self._sync = WalSync(path)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="sqlite-reader")
        self._local = threading.local()
        self._publish: Publisher | None = None
        # committed writes so far (bumped by the one writer thread): a version for caches
        self.commits = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._notes: deque[Callable[[Tx], None]] = deque()
        self._note_timer: asyncio.TimerHandle | None = None
        self._note_flushes: set[asyncio.Task[None]] = set()

    def on_commit(self, publish: Publisher, loop: asyncio.AbstractEventLoop) -> None:
        """Hand committed events to `publish` on `loop`, in commit order."""
        self._publish, self._loop = publish, loop

    def _write(self, fn: Callable[[Tx], T], now: datetime) -> T:
        db = self._writer_db
        db.conn.execute("BEGIN IMMEDIATE")
        tx = Tx(db=db, now=now)
        notes: list[Callable[[Tx], None]] = []
        try:
            self._apply_notes(tx, notes)
            result = fn(tx)
            db.conn.execute("COMMIT")
        except BaseException:
            db.conn.execute("ROLLBACK")
            self._give_back(notes)
            raise
        self.commits += 1  # after the commit: a reader that saw this count sees the data
        for hook in tx.committed:
            hook()
        if tx.events and self._publish is not None and self._loop is not None:
            # Scheduled from the single writer thread, so the loop sees commit order.
            self._loop.call_soon_threadsafe(self._publish, tx.events)
        self._sync()  # the answer waits for the disk; the screens need not (walsync.py)
        return result

    def note(self, fn: Callable[[Tx], None]) -> None:
        """`fn` in the next write's transaction, or in one of its own within `NOTE_WAIT_S`.

        For what nobody waits for (what an answer already given leaves for the statistics
        and for a retry): it saves the answer a transaction, and a burst many. `fn` must
        not emit events. Lost only if the process dies before it is made; one that fails
        is logged and dropped, and never fails the write it rides with. On the event loop.
        """
        self._notes.append(fn)
        self._flush_notes_later()

    def _flush_notes_later(self) -> None:
        if self._note_timer is None:
            self._note_timer = asyncio.get_running_loop().call_later(NOTE_WAIT_S, self._flush_notes)

    def _flush_notes(self) -> None:
        self._note_timer = None
        if self._notes:
            # a note emits no event, so its transaction's clock is never read
            task = asyncio.get_running_loop().create_task(self.write(_nothing, now=datetime.now(UTC)))
            self._note_flushes.add(task)
            task.add_done_callback(self._note_flushed)

    def _note_flushed(self, task: asyncio.Task[None]) -> None:
        self._note_flushes.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("the write of notes failed: %s", task.exception())

    def _apply_notes(self, tx: Tx, taken: list[Callable[[Tx], None]]) -> None:
        """The notes waiting, each in a savepoint of `tx`, into `taken`: a failing note is
        dropped alone; should the savepoints themselves fail, the write rolls back and gives
        back all it has taken."""
        while self._notes:
            note = self._notes.popleft()
            taken.append(note)
            tx.db.conn.execute("SAVEPOINT note")
            try:
                note(tx)
            except Exception:  # noqa: BLE001 - a note must never fail the write it rides with
                log.exception("a note was dropped")
                taken.pop()
                tx.db.conn.execute("ROLLBACK TO note")
            tx.db.conn.execute("RELEASE note")

    def _give_back(self, notes: list[Callable[[Tx], None]]) -> None:
        """Notes rolled back with the write they rode with wait for the next one."""
        if notes:
            self._notes.extendleft(reversed(notes))
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._flush_notes_later)

    async def write(self, fn: Callable[[Tx], T], *, now: datetime) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, self._write, fn, now)

    def write_sync(self, fn: Callable[[Tx], T], *, now: datetime) -> T:
        return self._writer.submit(self._write, fn, now).result()

    def checkpoint(self) -> None:
        """Copy the WAL into the database and empty it, so deleted data leaves the WAL file too."""
        self._writer.submit(self._writer_db.execute, "PRAGMA wal_checkpoint(TRUNCATE)").result()

    def _reader_db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path)
            self._local.db = db
        return db

    def _read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        db = self._reader_db()
        db.conn.execute("BEGIN")
        try:
            return fn(db)
        finally:
            db.conn.execute("COMMIT")

    async def read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, fn)

    def read_sync(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        return self._readers.submit(self._read, fn).result()

    def close(self) -> None:
        if self._note_timer is not None:
            self._note_timer.cancel()
        if self._notes:
            try:
                self.write_sync(_nothing, now=datetime.now(UTC))
            except sqlite3.Error as error:
                log.error("%d notes not written at shutdown: %s", len(self._notes), error)
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self._writer_db.conn.close()
        self._sync.close()


def _nothing(_tx: Tx) -> None:
    """A write of its own for the notes waiting."""
