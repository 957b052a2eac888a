"""`townhall city`: every office's stream into the city's PostgreSQL read model.

One durable pull consumer per office stream. A batch is applied in one PostgreSQL
transaction and acknowledged only after the commit: a consumer killed before the
commit leaves the batch unacknowledged (JetStream delivers it again), one killed
between commit and ack gets it again and finds every event already recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import nats
import psycopg
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from . import payload, readmodel, stats_store

log = logging.getLogger(__name__)
DISCOVER_S = 5.0
FETCH_WAIT_S = 1.0


@dataclass(frozen=True)
class Options:
    nats_url: str
    dsn: str
    batch: int = 200
    ack_wait_s: float = 30.0
    durable: str = "city"
    credentials: str | None = None


def _pg(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn)


def store_batch(conn: psycopg.Connection[Any], bodies: list[dict[str, Any]]) -> int:
    """Apply a batch in one transaction; how many events were new."""
    with conn.transaction(), conn.cursor() as cur:
        return readmodel.apply_batch(cur, bodies)


def _decode(msgs: list[Msg]) -> list[dict[str, Any]]:
    bodies = []
    for msg in msgs:
        try:
            bodies.append(payload.decode(msg.data))
        except ValueError as error:  # not ours: logged and acknowledged, never blocks the stream
            log.warning("city: dropping a message on %s: %s", msg.subject, error)
    return bodies


async def acknowledge(msgs: list[Msg]) -> None:
    """Only after the batch's commit: a batch never acknowledged is delivered again."""
    for msg in msgs:
        await msg.ack()


async def consume_stream(js: JetStreamContext, stream: str, subject: str, options: Options) -> None:
    config = ConsumerConfig(durable_name=options.durable, ack_policy=AckPolicy.EXPLICIT,
                            deliver_policy=DeliverPolicy.ALL, ack_wait=options.ack_wait_s,
                            max_ack_pending=options.batch * 4)
    sub = await js.pull_subscribe(subject, durable=options.durable, stream=stream, config=config)
    conn = await asyncio.to_thread(_pg, options.dsn)
    try:
        while True:
            try:
                msgs = await sub.fetch(options.batch, timeout=FETCH_WAIT_S)
            except nats.errors.TimeoutError:
                continue
            await asyncio.to_thread(store_batch, conn, _decode(msgs))
            await acknowledge(msgs)
    finally:
        await asyncio.to_thread(conn.close)


async def _streams(js: JetStreamContext) -> dict[str, str]:
    """Stream name -> its townhall event subject, for every office stream on the server."""
    found = {}
    for info in await js.streams_info():
        for subject in info.config.subjects or []:
            with contextlib.suppress(ValueError):
                payload.office_of(subject)
                found[str(info.config.name)] = subject
    return found


async def _connect(options: Options) -> Client:
    extra: dict[str, Any] = {"user_credentials": options.credentials} if options.credentials else {}
    return await nats.connect(options.nats_url, max_reconnect_attempts=-1, reconnect_time_wait=1,
                              name="townhall-city", **extra)


async def run(options: Options) -> None:
    conn = await asyncio.to_thread(_pg, options.dsn)
    await asyncio.to_thread(readmodel.create_schema, conn)
    await asyncio.to_thread(stats_store.create_stats_schema, conn)
    await asyncio.to_thread(conn.close)
    nc = await _connect(options)
    js = nc.jetstream()
    tasks: dict[str, asyncio.Task[None]] = {}
    try:
        while True:
            with contextlib.suppress(Exception):
                for stream, subject in (await _streams(js)).items():
                    task = tasks.get(stream)
                    if task is None or task.done():
                        if task is not None and not task.cancelled() and task.exception():
                            log.warning("city: stream %s: %s; restarting", stream, task.exception())
                        tasks[stream] = asyncio.create_task(consume_stream(js, stream, subject, options))
            await asyncio.sleep(DISCOVER_S)
    finally:
        for task in tasks.values():
            task.cancel()
        await nc.close()
