"""The board, pushed: computed once per burst of events and sent as the same bytes to
every display that asked for it (`?board=1` on the websocket).

Without it every display refetched the whole board after every event: 200 displays
meant 200 board reads per event. Now the server reads it once, a moment after the
burst (events come in bursts: Next closes one visit and calls the next), and the
displays render what they are sent. At most one board every `EVERY_S`, however many events
come: under a rush every board is a full estimate of the queue, and a screen read from
across the room loses nothing by half a second (the call's chime and voice follow the event
itself, not the board).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from .context import Context
from .events import Subscriber
from .jsontext import text
from .queue.views import board
from .store import Event

log = logging.getLogger(__name__)
SETTLE_S = 0.05  # wait this long after an event for the rest of its burst
EVERY_S = 0.5  # and this long after the last board was read


def _wants_board(subscriber: Subscriber) -> bool:
    return subscriber.wants_board


class BoardFeed:
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
        if not self.ctx.hub.wants_board():
            return
        self._dirty = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._send_while_dirty())

    async def _send_while_dirty(self) -> None:
        hub = self.ctx.hub
        while self._dirty:
            await asyncio.sleep(max(SETTLE_S, hub.board_paced_until - time.monotonic()))
            self._dirty = False
            hub.board_paced_until = time.monotonic() + EVERY_S
            try:
                text = await self._board_text()
            except Exception:
                log.exception("the board could not be read; displays keep their last one")
                return
            self.ctx.hub.send_derived(text, to=_wants_board)

    async def _board_text(self) -> str:
        now = self.ctx.clock.now()
        data = await self.ctx.read(lambda db: board(db, self.ctx.config, now))
        message = {"seq": data["seq"], "type": "board", "at": now.isoformat(), "data": data}
        return text(message)
