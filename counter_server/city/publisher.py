"""The office's outbox to its JetStream stream, in seq order, marked sent only on the ack.

While the city cannot be reached the office works on and the outbox grows; the
publisher keeps trying and drains the backlog when the link is back. A retry after a
lost ack sends the same Nats-Msg-Id, so the stream keeps one copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext

from ..config import CitySettings
from ..context import Context
from . import outbox, payload, streams

log = logging.getLogger(__name__)
BATCH = 500
ACK_TIMEOUT_S = 5.0
IDLE_S = 5.0  # look at the outbox at least this often, even without a new event
RETRY_S = (0.5, 1.0, 2.0, 5.0)


async def _quiet(error: Exception) -> None:
    log.debug("city NATS: %s", error)


async def connect(settings: CitySettings, **callbacks: Any) -> Client:
    """A connection that reconnects for ever (the office must never stop for the city)."""
    options: dict[str, Any] = dict(
        max_reconnect_attempts=-1, reconnect_time_wait=1, connect_timeout=2, error_cb=_quiet,
        name="townhall-office", **callbacks,
    )
    if settings.credentials is not None:
        options["user_credentials"] = str(settings.credentials)
    return await nats.connect(settings.nats_url, **options)


async def ensure_stream(js: JetStreamContext, stream: str, office_id: str) -> None:
    await streams.ensure(js, streams.office_stream(office_id, stream))


async def publish_batch(js: JetStreamContext, office_id: str, rows: list[outbox.Pending]) -> list[int]:
    """Publish in order; the seqs acknowledged, a prefix of `rows` (stops at the first failure)."""
    futures = []
    for row in rows:
        body = payload.encode(office_id, row.seq, row.type, row.at, row.data)
        futures.append(await js.publish_async(
            payload.subject(office_id), body, headers={"Nats-Msg-Id": payload.msg_id(office_id, row.seq)}))
    done: list[int] = []
    for row, future in zip(rows, futures, strict=True):
        try:
            await asyncio.wait_for(future, ACK_TIMEOUT_S)
        except Exception as error:  # a timeout, no stream, a lost connection: retry later
            log.info("city: event %s not acknowledged (%s); retrying later", row.seq, error)
            for rest in futures:
                rest.cancel()
            break
        done.append(row.seq)
    return done


def _mark_sent(db: Any, seqs: list[int], at: str) -> None:
    outbox.mark_sent(db, seqs, at)
    outbox.prune(db)


class Publisher:
    def __init__(self, ctx: Context, settings: CitySettings) -> None:
        self.ctx, self.settings = ctx, settings
        self.office_id = ctx.config.office.id
        self.wake = asyncio.Event()
        self.failures = 0

    def on_events(self, events: list[Any]) -> None:
        self.wake.set()

    async def run(self) -> None:
        self.ctx.hub.listeners.append(self.on_events)
        nc = await connect(self.settings)
        try:
            js = nc.jetstream(timeout=ACK_TIMEOUT_S, domain=self.settings.jetstream_domain)
            await self._until_stream(js)
            while True:
                await self._step(js)
        finally:
            self.ctx.hub.listeners.remove(self.on_events)
            with contextlib.suppress(Exception):
                await nc.close()

    async def _until_stream(self, js: JetStreamContext) -> None:
        while True:
            try:
                await ensure_stream(js, self.settings.stream, self.office_id)
                return
            except Exception as error:
                log.info("city: stream %s not ready (%s)", self.settings.stream, error)
                await self._pause()

    async def _step(self, js: JetStreamContext) -> None:
        self.wake.clear()
        rows = await self.ctx.store.read(lambda db: outbox.pending(db, BATCH))
        if not rows:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), IDLE_S)
            return
        sent = await publish_batch(js, self.office_id, rows)
        if sent:
            at = datetime.now(UTC).isoformat()
            await self.ctx.store.write(lambda tx: _mark_sent(tx.db, sent, at), now=self.ctx.clock.now())
            self.failures = 0
        if len(sent) < len(rows):
            await self._pause()

    async def _pause(self) -> None:
        await asyncio.sleep(RETRY_S[min(self.failures, len(RETRY_S) - 1)])
        self.failures += 1


async def run(ctx: Context, settings: CitySettings) -> None:
    """The publisher task of `townhall serve`; logs and restarts on anything unexpected."""
    while True:
        try:
            await Publisher(ctx, settings).run()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("city publisher failed; restarting in 5 s")
            await asyncio.sleep(5)
