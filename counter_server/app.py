"""The FastAPI application: one office, one data directory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from . import errors, idempotency, keys, metrics, pages, request_log
from .api import (
    announce,
    board,
    calendar,
    checkins,
    counters,
    leases,
    office,
    open_data,
    printers,
    reports,
    shifts,
    texts,
    tickets,
)
from .api import appointments as appointments_api
from .bookings.commands import housekeeping as booking_housekeeping
from .city import outbox as city_outbox
from .clock import Clock
from .config import load_config
from .console import alert_mail
from .console import devices as console_devices
from .console.router import install_console
from .context import Context
from .events import Hub
from .fastapi_app import fastapi_app
from .feeds import BoardFeed
from .frames import KeepProtocol
from .limits import BodyLimit
from .mail import reminders as mail_reminders
from .mail import sender as mail_sender
from .paths import DataDir, StartRefused
from .printing import jobs as print_jobs
from .queue.commands import expire_past_days
from .queue.counters import sync_counters
from .queue.visitor_live import DEFAULT_MAX_STREAMS, VisitorFeed
from .request_log import Observer, RequestLog, log_events
from .site import manage as site_manage
from .site import routes as site_routes
from .site import waiting as site_waiting
from .stats.job import build_missing
from .store import Store
from .uow import Work

log = logging.getLogger(__name__)
HOUSEKEEPING_S = 30.0


def open_context(data_dir: Path, clock: Clock) -> Context:
    files = DataDir(data_dir)
    config = load_config(files.config)
    # No signing key means no init: refuse rather than run with a key nobody set up.
    keys.check_keys(data_dir)
    if not files.db.exists():
        # a new empty database would quietly void every device token: never make one here
        raise StartRefused(
            f"{files.db}: missing. Run `townhall init --data-dir {data_dir}` for a new office,"
            " or restore the database from a backup"
        )
    for path in files.too_open():
        log.warning("%s can be read by other users: chmod %s %s", path, "700" if path.is_dir() else "600", path)
    if config.mail is not None and not config.public_url:
        # alert mails to staff work without it; a citizen's mail would carry a link without an address
        log.warning("[mail] is set but [office] public_url is empty: the booking e-mails' links"
                    " (manage a booking, take a waiting-list offer) cannot be opened; set public_url")
    store = Store(files.db)
    # the outbox fills only while the office belongs to a city
    store.write_sync(lambda tx: city_outbox.configure(tx.db, enabled=config.city is not None), now=clock.now())
    # print jobs a stopped server left between a check-in's commit and its estimate
    store.write_sync(lambda tx: print_jobs.release_unfinished(tx.db), now=clock.now())
    return Context(config=config, store=store, hub=Hub(), clock=clock, data_dir=data_dir)


def day_end(work: Work) -> int:
    """Day-end work that must also happen after a server was off over night.

    Returns how many rows holding personal data (contacts, remembered requests) it deleted.
    """
    sync_counters(work)
    expire_past_days(work)
    build_missing(work.db, work.office.timezone, now=work.now)
    return booking_housekeeping(work) + idempotency.purge(work.tx) + mail_reminders.housekeeping(work)


def housekeeping(ctx: Context) -> None:
    seen = dict(ctx.seen)
    ctx.store.write_sync(lambda tx: console_devices.save_sightings(tx.db, seen), now=ctx.clock.now())
    alert_mail.housekeeping(ctx)
    if ctx.write_sync(day_end):
        # the deleted rows' old pages may still sit in the WAL file: write it back and empty it
        ctx.store.checkpoint()


async def _housekeeping_loop(ctx: Context) -> None:
    while True:
        await asyncio.sleep(HOUSEKEEPING_S)
        try:
            await asyncio.get_running_loop().run_in_executor(None, housekeeping, ctx)
        except Exception:
            log.exception("housekeeping failed; retrying in %ss", HOUSEKEEPING_S)


ROUTERS = (office, calendar, checkins, counters, tickets, board, appointments_api, printers, leases, announce, texts, reports,
           open_data, shifts)


def create_app(ctx: Context, *, max_status_streams: int = DEFAULT_MAX_STREAMS) -> FastAPI:
    visitors = VisitorFeed(ctx, max_streams=max_status_streams)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx.store.on_commit(ctx.hub.publish, asyncio.get_running_loop())
        feed = BoardFeed(ctx)
        feed.start()
        visitors.start()
        housekeeping(ctx)
        tasks = [asyncio.create_task(_housekeeping_loop(ctx)), asyncio.create_task(mail_sender.run(ctx)),
                 asyncio.create_task(ctx.devices.run())]
        if ctx.config.city is not None:
            from .city import publisher

            tasks.append(asyncio.create_task(publisher.run(ctx, ctx.config.city)))
            if ctx.config.city.catalogue:
                from .city import catalogue_office

                tasks.append(asyncio.create_task(catalogue_office.run(ctx)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await feed.stop()
            await visitors.stop()
            ctx.store.close()
            request_log.info("stopped", data_dir=str(ctx.data_dir))

    # /docs and /redoc come from pages.py, with their assets from this package (no CDN)
    app = fastapi_app(title="townhall-queue", version="1", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.ctx = ctx
    app.state.visitor_feed = visitors
    errors.install(app)
    app.add_middleware(BodyLimit)
    observers: list[Observer] = []
    app.state.request_observers = observers
    app.add_middleware(RequestLog, observers=observers)  # outermost: sees every answer, 413s too
    metrics.install(app, ctx, observers)
    app.add_middleware(KeepProtocol)  # outermost: a websocket's connection, for frames.py
    ctx.hub.listeners.append(log_events)
    for module in ROUTERS:
        app.include_router(module.router)
    app.include_router(pages.router)
    install_console(app)
    for site_router in (site_routes.router, site_manage.router, site_waiting.router, site_routes.fallback):
        app.include_router(site_router)
    pages.mount_static(app)
    return app
