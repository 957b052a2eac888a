"""The device cache (device_cache.py): a device that keeps working is answered without a read,
its token stays fresh through the refresher, and a revocation is still refused within FRESH_S,
whether another process made it or this server did while a read was under way."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from counter_server import device_cache
from counter_server.auth import Device, add_device, find_device
from counter_server.device_cache import FRESH_S, KEEP_S, DeviceCache
from counter_server.migrations import migrate
from counter_server.store import Store

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Lookups:
    """find_device, counting its calls; `hold` keeps a call's answer (read already) until released,
    `failing` makes the calls fail as a broken disk would."""

    def __init__(self) -> None:
        self.calls = 0
        self.failing = False
        self.hold: threading.Event | None = None
        self.entered = threading.Event()

    def __call__(self, db: sqlite_utils.Database, token: str) -> Device | None:
        self.calls += 1
        if self.failing:
            raise sqlite3.OperationalError("disk I/O error")
        found = find_device(db, token)
        self.entered.set()
        if self.hold is not None:
            assert self.hold.wait(10)
        return found


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    """A real database with one counter device, and a cache over it on a clock the test moves."""

    store: Store
    path: Path
    token: str
    lookups: Lookups
    clock: Clock
    cache: DeviceCache

    def revoke_elsewhere(self) -> None:
        """A revocation by another process: a plain connection of its own."""
        with sqlite3.connect(self.path) as conn:
            conn.execute("UPDATE devices SET revoked_at = ?", [NOW.isoformat()])


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    path = tmp_path / "office.sqlite"
    store = Store(path)
    store.write_sync(lambda tx: migrate(tx.db), now=NOW)
    _, token = store.write_sync(lambda tx: add_device(tx.db, role="counter", name="Schalter 1", now=NOW, counter_id="1"),
                                now=NOW)
    lookups, clock = Lookups(), Clock()
    yield Rig(store, path, token, lookups, clock, DeviceCache(store, lookups, clock=clock))
    store.close()


def test_a_device_kept_fresh_by_the_refresher_is_answered_without_a_read(rig: Rig) -> None:
    cache, lookups, clock, token = rig.cache, rig.lookups, rig.clock, rig.token

    async def run() -> None:
        assert (await cache.device_for(token)).name == "Schalter 1"  # type: ignore[union-attr]
        assert lookups.calls == 1
        for _ in range(10):  # ten quiet seconds: the refresher reads, no request does
            clock.now += 0.4
            await cache.refresh()
            calls = lookups.calls
            assert await cache.device_for(token) is not None
            assert lookups.calls == calls
        assert lookups.calls == 11

    asyncio.run(run())


def test_without_the_refresher_an_answer_is_trusted_for_fresh_s_only(rig: Rig) -> None:
    cache, lookups, clock, token = rig.cache, rig.lookups, rig.clock, rig.token

    async def run() -> None:
        await cache.device_for(token)
        clock.now += FRESH_S * 0.9
        await cache.device_for(token)
        assert lookups.calls == 1
        clock.now += FRESH_S * 0.2
        await cache.device_for(token)
        assert lookups.calls == 2

    asyncio.run(run())


def test_a_token_revoked_by_another_process_is_refused_after_the_next_refresh(rig: Rig) -> None:
    cache, clock, token = rig.cache, rig.clock, rig.token

    async def run() -> None:
        assert await cache.device_for(token) is not None
        rig.revoke_elsewhere()
        clock.now += 0.4
        await cache.refresh()
        assert await cache.device_for(token) is None

    asyncio.run(run())


@pytest.mark.parametrize("reader", ["refresher", "request"])
def test_a_read_begun_before_a_forget_does_not_bring_the_device_back(rig: Rig, reader: str) -> None:
    cache, lookups, clock, token = rig.cache, rig.lookups, rig.clock, rig.token

    async def run() -> None:
        device = await cache.device_for(token)
        assert device is not None
        clock.now += FRESH_S  # the request below reads for itself
        lookups.hold, lookups.entered = threading.Event(), threading.Event()
        reading = asyncio.create_task(cache.refresh() if reader == "refresher" else cache.device_for(token))
        assert await asyncio.to_thread(lookups.entered.wait, 10)
        # revoked through this server while the read in flight still sees the device
        rig.revoke_elsewhere()
        cache.forget(device.id)
        lookups.hold.set()
        await reading
        lookups.hold = None
        assert await cache.device_for(token) is None

    asyncio.run(run())


def test_a_token_nobody_asked_for_in_keep_s_is_no_longer_read(rig: Rig) -> None:
    cache, lookups, clock, token = rig.cache, rig.lookups, rig.clock, rig.token

    async def run() -> None:
        await cache.device_for(token)
        clock.now += KEEP_S
        await cache.refresh()
        assert lookups.calls == 1
        await cache.device_for(token)  # back again: read as a new one
        assert lookups.calls == 2

    asyncio.run(run())


def test_a_refresh_that_fails_is_logged_and_the_requests_read_for_themselves(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    cache, lookups, clock, token = rig.cache, rig.lookups, rig.clock, rig.token
    monkeypatch.setattr(device_cache, "REFRESH_S", 0.01)

    async def run() -> None:
        await cache.device_for(token)
        lookups.failing = True
        refresher = asyncio.create_task(cache.run())
        await asyncio.sleep(0.1)
        assert not refresher.done()  # it goes on trying
        refresher.cancel()
        clock.now += FRESH_S  # what the failed refreshes left is too old to trust: a request reads
        with pytest.raises(sqlite3.OperationalError):
            await cache.device_for(token)
        lookups.failing = False
        assert await cache.device_for(token) is not None

    with caplog.at_level(logging.ERROR, logger="townhall"):
        asyncio.run(run())
    assert "refreshing the device tokens failed" in caplog.text
