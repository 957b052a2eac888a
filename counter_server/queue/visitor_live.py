"""A visitor's own ticket, live: its public status pushed to the phone as server-sent events.

One feed serves every open status page. After a burst of queue events it reads the
status of every watched ticket in one read and sends each page only what changed
for its own ticket; a page that would get the same status again gets nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import sqlite_utils
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from .. import jsontext
from ..config import OfficeConfig
from ..context import Context
from ..core.errors import UnknownTicket
from ..store import Event
from .visitor import public_status

log = logging.getLogger(__name__)
DEFAULT_MAX_STREAMS = 500
HEARTBEAT_S = 15.0  # a comment line this often keeps proxies and phones from dropping an idle stream
SETTLE_S = 0.05  # wait this long after an event for the rest of its burst (Next ends one visit, calls the next)
REFRESH_S = 30.0  # estimates move with the clock too, and a refused offline number emits no event
RETRY_MS = 3000  # how soon a page's EventSource reconnects after a dropped connection
FINAL_STATES = frozenset({"done", "no_show", "cancelled", "expired", "refused"})
QUEUE_EVENTS = ("ticket.", "counter.", "appointment.")


class TooManyStreams(Exception):
    """Every stream slot is taken: the page follows its ticket by polling instead."""




class Watcher:
    """One open status page: the newest status it has not been sent yet (older ones are of no use)."""

    def __init__(self, public_id: str) -> None:
        self.public_id = public_id
        self.state = ""
        self.gone = False
        self._sent = ""
        self._latest: str | None = None
        self._changed = asyncio.Event()

    def offer(self, status: dict[str, Any] | None) -> None:
        if status is None:
            self.gone = True
        else:
            text = jsontext.text(status)
            if text == self._sent:
                return
            self._sent, self._latest, self.state = text, text, str(status["state"])
        self._changed.set()

    async def next(self, timeout: float) -> str | None:
        """The changed status, or None when nothing changed within `timeout` or the ticket is gone."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)
        return self.take()

    def take(self) -> str | None:
        """The changed status not sent yet, if any, without waiting."""
        self._changed.clear()
        latest, self._latest = self._latest, None
        return latest


def statuses_of(
    db: sqlite_utils.Database, config: OfficeConfig, public_ids: list[str], now: datetime
) -> dict[str, dict[str, Any] | None]:
    """The public status of each watched ticket (None for one that no longer exists), in one read."""
    found: dict[str, dict[str, Any] | None] = {}
    for public_id in public_ids:
        try:
            found[public_id] = public_status(db, config, public_id, now)
        except UnknownTicket:
            found[public_id] = None
    return found


class VisitorFeed:
    """The open status pages of this server, at most `max_streams` of them."""

    def __init__(self, ctx: Context, *, max_streams: int = DEFAULT_MAX_STREAMS) -> None:
        self.ctx = ctx
        self.max_streams = max_streams
        self.watchers: dict[str, set[Watcher]] = {}
        self._count = 0
        self._dirty = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.ctx.hub.listeners.append(self.events_published)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def join(self, public_id: str) -> Watcher:
        if self._count >= self.max_streams:
            raise TooManyStreams(f"all {self.max_streams} live status streams are taken; poll the status instead")
        watcher = Watcher(public_id)
        self.watchers.setdefault(public_id, set()).add(watcher)
        self._count += 1
        return watcher

    def leave(self, watcher: Watcher) -> None:
        same = self.watchers.get(watcher.public_id)
        if same is None or watcher not in same:
            return
        same.discard(watcher)
        self._count -= 1
        if not same:
            del self.watchers[watcher.public_id]

    def events_published(self, events: list[Event]) -> None:
        if self.watchers and any(e.type.startswith(QUEUE_EVENTS) for e in events):
            self._dirty.set()

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), REFRESH_S)
            await asyncio.sleep(SETTLE_S)
            self._dirty.clear()
            if not self.watchers:
                continue
            try:
                await self._refresh()
            except Exception:
                log.exception("visitors' statuses could not be read; their pages keep the last one")

    async def _refresh(self) -> None:
        now = self.ctx.clock.now()
        public_ids = list(self.watchers)
        found = await self.ctx.read(lambda db: statuses_of(db, self.ctx.config, public_ids, now))
        for public_id, status in found.items():
            for watcher in tuple(self.watchers.get(public_id, ())):
                watcher.offer(status)


def _message(text: str) -> str:
    return f"data: {text}\n\n"


async def status_stream(feed: VisitorFeed, watcher: Watcher, *, linger_s: float) -> AsyncIterator[str]:
    """The SSE text of one page: its status now, then each change; a heartbeat comment while
    nothing changes. A finished ticket's stream stays `linger_s` longer (the clerk may undo),
    then says `end`, so the page's EventSource does not reconnect."""
    loop = asyncio.get_running_loop()
    try:
        yield f"retry: {RETRY_MS}\n" + _message(watcher.take() or "{}")
        ends_at: float | None = loop.time() + linger_s if watcher.state in FINAL_STATES else None
        while not watcher.gone:
            wait = HEARTBEAT_S if ends_at is None else min(HEARTBEAT_S, ends_at - loop.time())
            if wait <= 0:
                break
            text = await watcher.next(wait)
            if text is None:
                yield ": heartbeat\n\n"
                continue
            yield _message(text)
            ends_at = loop.time() + linger_s if watcher.state in FINAL_STATES else None
        yield "event: end\ndata: {}\n\n"
    finally:
        feed.leave(watcher)


class StatusStreamResponse(StreamingResponse):
    """The stream of one page; its slot is given back however the response ends, even when the
    phone went away before the first byte (then the stream's generator never starts)."""

    def __init__(self, feed: VisitorFeed, watcher: Watcher, *, linger_s: float) -> None:
        # a proxy must neither cache nor hold back the stream
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        super().__init__(
            status_stream(feed, watcher, linger_s=linger_s), headers=headers, media_type="text/event-stream",
        )
        self.feed, self.watcher = feed, watcher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.feed.leave(self.watcher)
