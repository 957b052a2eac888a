"""Which device a token belongs to, for every request's check, mostly without a read.

A token's answer is trusted for `FRESH_S` after it was read from the database. A refresher
reads again, every `REFRESH_S` and in one read, each token asked for in the last `KEEP_S`.
So a device that keeps working never waits for the read (a clerk's Next after a quiet
minute included), and a token revoked, a shift ended or a staff member disabled in the
database by another process is still refused within `FRESH_S`: when the refresher falls
behind, the request reads for itself, as without it. A revocation through this server
forgets the device at once (`forget`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from .auth import Device
from .store import Store

log = logging.getLogger("townhall")

FRESH_S = 1.0  # a revoked token is refused within this: no answer older is used
REFRESH_S = 0.4
KEEP_S = 600.0  # a token nobody asked for this long is read again only when it comes back

Lookup = Callable[[sqlite_utils.Database, str], Device | None]


@dataclass
class _Entry:
    device: Device
    read_at: float  # time.monotonic() of the read it comes from
    asked_at: float


class DeviceCache:
    """Devices by token, kept fresh in the background while they are asked for."""

    def __init__(self, store: Store, lookup: Lookup, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._lookup = lookup
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        # counts forgotten devices: a read begun before a forget may not bring its device back
        self._forgets = 0

    async def device_for(self, token: str) -> Device | None:
        now = self._clock()
        entry = self._entries.get(token)
        if entry is not None and now - entry.read_at < FRESH_S:
            entry.asked_at = now
            return entry.device
        forgets = self._forgets
        lookup = self._lookup
        device = await self._store.read(lambda db: lookup(db, token))
        if device is None:
            self._entries.pop(token, None)
        elif forgets == self._forgets:
            self._entries[token] = _Entry(device, read_at=now, asked_at=now)
        return device

    def forget(self, device_id: str) -> None:
        """A device revoked or given a new token here: no answer of the cache names it any more."""
        self._forgets += 1
        for token, entry in list(self._entries.items()):
            if entry.device.id == device_id:
                del self._entries[token]

    async def refresh(self) -> None:
        """Read again every token asked for in the last KEEP_S; drop the others."""
        now = self._clock()
        for token in [t for t, e in self._entries.items() if now - e.asked_at >= KEEP_S]:
            del self._entries[token]
        tokens = list(self._entries)
        if not tokens:
            return
        lookup = self._lookup
        found = await self._store.read(lambda db: [lookup(db, token) for token in tokens])
        for token, device in zip(tokens, found, strict=True):
            entry = self._entries.get(token)
            if entry is None or entry.read_at > now:
                continue  # forgotten meanwhile (the read may predate it), or read by a request since
            if device is None:
                del self._entries[token]
            else:
                entry.device, entry.read_at = device, now

    async def run(self) -> None:
        """The refresher, until cancelled."""
        while True:
            await asyncio.sleep(REFRESH_S)
            try:
                await self.refresh()
            except Exception:
                # the requests read for themselves meanwhile: nothing is answered from stale data
                log.exception("refreshing the device tokens failed; trying again in %ss", REFRESH_S)
