"""An office takes the city's errand catalogue: the newest version on the catalogue's stream,
merged into office.toml (catalogue_merge.py), checked by the office's own parser, written
atomically and applied without a restart, and reported back as a `catalogue.applied` event
(or `catalogue.refused` with the reason, changing nothing). The report travels to the city
like every other event, through the outbox and the office's stream.

The last version the office handled is the one in its newest report, so a version is taken
once; a newer one is read when it is published, when the link comes back, and every POLL_S.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import nats
import sqlite_utils
import tomlkit

from ..config import ConfigError, parse_text
from ..console import audit
from ..console.office_file import document, write_atomically
from ..context import Context
from ..queue.counters import sync_counters
from ..uow import Work
from . import catalogue
from .catalogue_merge import Merged, merge
from .publisher import connect
from .streams import CATALOGUE_STREAM, CATALOGUE_SUBJECT

log = logging.getLogger(__name__)
POLL_S = 30.0
REPORTS = ("catalogue.applied", "catalogue.refused")
CITY = audit.Actor(id="city", name="Stadt: Errand-Katalog", role="city", kind="city")


def handled_version(db: sqlite_utils.Database) -> int:
    row = db.execute(
        "SELECT data FROM events WHERE type IN (?, ?) ORDER BY seq DESC LIMIT 1", list(REPORTS)).fetchone()
    return int(json.loads(row[0]).get("version", 0)) if row else 0


async def refuse(ctx: Context, version: int, reason: str) -> None:
    log.warning("city catalogue version %s refused: %s", version, reason)

    def write(work: Work) -> None:
        audit.record(work.db, work.now, CITY, "catalogue.refused", f"version {version}", reason=reason)
        work.emit("catalogue.refused", {"version": version, "reason": reason})

    await ctx.write(write)


def _record(work: Work, merged: Merged) -> None:
    if merged.touched:
        sync_counters(work)
        audit.record(work.db, work.now, CITY, "catalogue.applied", f"version {merged.version}",
                     added=merged.added, changed=merged.changed)
        work.emit("office.changed", {"sections": ["services"]})
    work.emit("catalogue.applied", merged.data())


async def apply(ctx: Context, version: int, errands: list[catalogue.Errand]) -> Merged | None:
    """Merge, check, write and report; None (and a `catalogue.refused`) when the result is refused."""
    assert ctx.config.city is not None
    path = ctx.config.path
    try:
        doc = document(path)
        merged = merge(doc, version, errands, set(ctx.config.city.skip_errands))
        text = tomlkit.dumps(doc)
        config = parse_text(path, text)
    except ConfigError as error:
        await refuse(ctx, version, str(error))
        return None
    if merged.touched:
        write_atomically(path, text)
        ctx.replace_config(config)
    await ctx.write(lambda work: _record(work, merged))
    log.info("city catalogue version %s applied: %s", version, merged.data())
    return merged


async def take_newest(ctx: Context, js: Any, handled: int) -> int:
    """Take the stream's newest catalogue when it is above `handled`; the version handled now."""
    try:
        message = await js.get_last_msg(CATALOGUE_STREAM, CATALOGUE_SUBJECT)
    except nats.js.errors.NotFoundError:
        return handled  # no catalogue published yet
    raw = bytes(message.data or b"")
    claimed = catalogue.version_of(raw)
    if 0 < claimed <= handled:
        return handled
    try:
        version, errands = catalogue.decode(raw)
    except ConfigError as error:
        if claimed > 0:
            await refuse(ctx, claimed, str(error))
            return claimed
        log.warning("city catalogue without a version ignored: %s", error)
        return handled
    await apply(ctx, version, errands)
    return version


async def run(ctx: Context) -> None:
    """The catalogue task of `townhall serve` (with `[city]` and `catalogue = true`)."""
    assert ctx.config.city is not None
    wake = asyncio.Event()

    async def on_message(_: Any) -> None:
        wake.set()

    async def on_reconnect() -> None:  # back after a lost link: what was published meanwhile, at once
        wake.set()

    while True:
        nc = None
        try:
            nc = await connect(ctx.config.city, reconnected_cb=on_reconnect)
            await nc.subscribe(CATALOGUE_SUBJECT, cb=on_message)
            js = nc.jetstream(timeout=5, domain=ctx.config.city.jetstream_domain)
            handled = await ctx.read(handled_version)
            while True:
                wake.clear()
                with contextlib.suppress(nats.errors.Error, TimeoutError):
                    handled = await take_newest(ctx, js, handled)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), POLL_S)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("city catalogue task failed; restarting in 5 s")
            await asyncio.sleep(5)
        finally:
            if nc is not None:
                with contextlib.suppress(Exception):
                    await nc.close()
