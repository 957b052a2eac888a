"""The event hub: committed events to every connected websocket, in seq order.

A client that (re)connects with `since=N` first gets what it missed from the
log, then live events; one that is too far behind gets a snapshot instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import sqlite_utils

from .frames import FrameWriter, text_frame
from .store import Event

log = logging.getLogger(__name__)
MAX_REPLAY = 2000
QUEUE_SIZE = 5000


# an outbox item: the event's seq (0 for a derived message such as the board) and its text
Item = tuple[int, str]


class Subscriber:
    """One connected client's outbox. Overflow means the client is too slow: drop it."""

    def __init__(self, *, wants_board: bool = False, device_id: str | None = None) -> None:
        self.queue: asyncio.Queue[Item] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = asyncio.Event()
        self.wants_board = wants_board
        self.device_id = device_id
        # set when the device is revoked or its token rotated: the websocket is closed
        self.revoked = asyncio.Event()
        # once caught up, the hub writes to the socket itself (frames.py); until then, the queue
        self.direct: FrameWriter | None = None
        self.last_sent = 0  # the newest event's seq written directly (or by the pump before)

    def offer(self, items: list[Item], frames: Frames) -> None:
        """`items` (one commit's events in seq order, or one derived message): written at once
        when caught up, else queued for the pump."""
        if self.direct is not None:
            self._write(items, frames)
            return
        try:
            for item in items:
                self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed.set()

    def _write(self, items: list[Item], frames: Frames) -> None:
        assert self.direct is not None
        first, newest = items[0][0], items[-1][0]
        if first == 0 or first > self.last_sent:
            data = frames.bytes()
        else:
            # committed before the catch-up read them, published after the pump handed over:
            # sent already
            data = Frames([text for seq, text in items if seq > self.last_sent]).bytes()
        if data and not self.direct.write(data):
            self.overflowed.set()
        self.last_sent = max(self.last_sent, newest)


class Frames:
    """The websocket frames of some messages, one after the other: made on first use, then
    the same bytes, in one write, for every socket."""

    __slots__ = ("_texts", "_bytes")

    def __init__(self, texts: list[str]) -> None:
        self._texts = texts
        self._bytes: bytes | None = None

    def bytes(self) -> bytes:
        if self._bytes is None:
            self._bytes = b"".join(text_frame(text) for text in self._texts)
        return self._bytes


class Hub:
    """Committed events to every subscriber: each serialised once, the same text for all."""

    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self.listeners: list[Callable[[list[Event]], None]] = []
        # (time.monotonic) the board feed reads no board before this: see feeds.py
        self.board_paced_until = 0.0

    def join(self, *, wants_board: bool = False, device_id: str | None = None) -> Subscriber:
        subscriber = Subscriber(wants_board=wants_board, device_id=device_id)
        self.subscribers.add(subscriber)
        return subscriber

    def leave(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def revoke(self, device_id: str) -> int:
        """Close every websocket of this device; returns how many there were."""
        mine = [s for s in tuple(self.subscribers) if s.device_id == device_id]
        for subscriber in mine:
            subscriber.revoked.set()
        return len(mine)

    def wants_board(self) -> bool:
        """Whether a display follows the board (the board feed then reads it after bursts, at its pace)."""
        return any(s.wants_board for s in tuple(self.subscribers))

    def board_read_soon(self) -> bool:
        """Whether the board feed will read the state committed now: a display follows the
        board, and the feed's pace lets it read right after this burst (under a rush it reads
        at most every `feeds.EVERY_S`, and the state will have moved on by then)."""
        return self.wants_board() and time.monotonic() >= self.board_paced_until

    def online(self) -> set[str]:
        """The devices with an open websocket now."""
        return {s.device_id for s in tuple(self.subscribers) if s.device_id}

    def publish(self, events: list[Event]) -> None:
        # one commit's events: to a caught-up socket in one write (several events per Next)
        items = [(event.seq, event.to_json()) for event in events]
        frames = Frames([text for _, text in items])
        for subscriber in tuple(self.subscribers):
            subscriber.offer(items, frames)
        for listener in self.listeners:
            listener(events)

    def send_derived(self, text: str, *, to: Callable[[Subscriber], bool]) -> None:
        """A message that is no event (it has no seq of its own): to the subscribers that want it."""
        items, frames = [(0, text)], Frames([text])
        for subscriber in tuple(self.subscribers):
            if to(subscriber):
                subscriber.offer(items, frames)


def events_after(db: sqlite_utils.Database, since: int) -> tuple[list[str], int, bool]:
    """The stored events after `since` as JSON texts, the newest seq, and whether replay fits."""
    first, last = db.execute("SELECT min(seq), max(seq) FROM events").fetchone()
    last = int(last or 0)
    if since > last or (first is not None and since < first - 1) or last - since > MAX_REPLAY:
        return [], last, False
    rows = db.execute(
        "SELECT seq, at, type, data FROM events WHERE seq > ? ORDER BY seq", [since]
    ).fetchall()
    texts = [Event(seq=seq, type=type_, at=at, data=json.loads(data)).to_json() for seq, at, type_, data in rows]
    return texts, last, True


def last_seq(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT max(seq) FROM events").fetchone()
    return int(row[0] or 0)


# what printers and refused walk-ins report changes neither a ticket, a counter nor a booking
_BESIDE_THE_QUEUE = ("print.job", "print.dropped", "printer.status", "checkin.refused")


def queue_seq(db: sqlite_utils.Database, *, before: int | None = None) -> int:
    """The seq of the last event that may have changed the queue (tickets, counters,
    bookings, the office): a version for what is computed from the queue alone, which a
    printer's job or status does not make stale. `before`: as of just before that seq."""
    marks = ", ".join("?" * len(_BESIDE_THE_QUEUE))
    row = db.execute(
        f"SELECT seq FROM events WHERE seq < ? AND type NOT IN ({marks}) ORDER BY seq DESC LIMIT 1",
        [before if before is not None else 2**62, *_BESIDE_THE_QUEUE],
    ).fetchone()
    return int(row[0]) if row else 0


Sender = Callable[[str], Any]


async def pump(subscriber: Subscriber, send: Sender, last_sent: int, direct: FrameWriter | None = None) -> None:
    """Send live events newer than `last_sent` until the client goes away or overflows.

    `direct`: once the queue is empty (the client has caught up and its last send is
    written), the hub writes the following ones to the socket itself, in the same order."""
    while not subscriber.overflowed.is_set():
        if direct is not None and subscriber.queue.empty():
            subscriber.direct, subscriber.last_sent = direct, last_sent
            await subscriber.overflowed.wait()
            return
        seq, text = await subscriber.queue.get()
        if seq == 0:
            await send(text)  # a derived message (the board): not part of the event order
            continue
        if seq <= last_sent:
            continue
        await send(text)
        last_sent = seq


async def until_first(*coroutines: Any) -> None:
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
