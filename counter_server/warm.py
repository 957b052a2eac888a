"""The estimate of every waiting ticket, made once right after each burst of commits.

Every read model of the queue (board, clerk view, status pages, the pushed board, the
kiosk's answer after its commit) takes the estimates from one cache per committed state
(queue/estimates.py). Made here as soon as a write commits, the first of those reads finds
them made or in the making (the cache makes each state's once; its lock lets the others
wait for it) instead of starting the forward run over the whole queue itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import sqlite_utils

from .context import Context
from .queue.estimates import READ_ESTIMATES
from .store import Event

log = logging.getLogger(__name__)


class EstimateWarmer:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._dirty = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.ctx.hub.listeners.append(self.events_published)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def events_published(self, events: list[Event]) -> None:
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._warm_while_dirty())

    async def _warm_while_dirty(self) -> None:
        # one at a time: commits during a run are covered by the next, on the newest state
        while self._dirty:
            self._dirty = False
            try:
                await self.ctx.read(self._warm)
            except Exception:
                log.exception("estimates could not be made ahead; the next read makes them")
                return

    def _warm(self, db: sqlite_utils.Database) -> None:
        READ_ESTIMATES.get(db, self.ctx.config, self.ctx.clock.now())
