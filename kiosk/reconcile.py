"""Keeping the kiosk's offline desk in step with the server whenever it is reachable.

In this order: hand the outbox to the server (tickets issued during an outage keep
their number and arrival), then top up the leased numbers, then refresh the public
keys for offline QR checks. One run at a time; a run that finds the server away
stops and leaves everything for the next one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk.flow import ServicesLoaded
from kiosk.offline import OfflineDesk, OfflineStorageError
from kiosk.ports import OutboxServer

log = logging.getLogger(__name__)

KEYS_REFRESH_S = 3600.0
# a lease the server cannot fill (a closed day) is not asked for again at every event
LEASE_RETRY_S = 60.0


class OfflineSync:
    def __init__(
        self, *, desk: OfflineDesk | None, per_service: int, new_key: Callable[[], str]
    ) -> None:
        self.desk = desk
        self.per_service = per_service
        self._new_key = new_key
        self._running = False
        self._keys_at: float | None = None
        self._lease_at: float | None = None
        self._service_ids: tuple[str, ...] = ()

    def remember(self, loaded: ServicesLoaded, *, clock_offset: timedelta) -> None:
        """The errands the server offers now and its clock: kept for a restart during an outage."""
        self._service_ids = tuple(s.id for s in loaded.services)
        if self.desk is None:
            return
        try:
            self.desk.take_services(loaded)
            self.desk.take_clock(clock_offset)
        except OfflineStorageError as error:
            log.error("errand list not kept for outages: %s", error)

    async def run(self, server: OutboxServer, *, now: datetime) -> None:
        if self.desk is None or self._running:
            return
        self._running = True
        try:
            if await self._hand_in(server):
                await self._top_up(server, now)
                await self._refresh_keys(server)
        except OfflineStorageError as error:
            log.error("offline desk not updated: %s", error)
        finally:
            self._running = False

    async def _hand_in(self, server: OutboxServer) -> bool:
        """Redeem the outbox in issue order; False when the server went away meanwhile."""
        assert self.desk is not None
        for entry in self.desk.outbox:
            result = await server.redeem(entry)
            if not result.done:
                return False
            self.desk.redeemed(entry.key, refusal=result.refusal)
            self._lease_at = None  # numbers were used: top up now
            log.info("offline ticket %s handed to the server", entry.number)
        return True

    async def _top_up(self, server: OutboxServer, now: datetime) -> None:
        assert self.desk is not None
        if not self.desk.wants_numbers(self.per_service, self._service_ids, now):
            return
        if self._lease_at is not None and time.monotonic() - self._lease_at < LEASE_RETRY_S:
            return
        self._lease_at = time.monotonic()
        release = self.desk.to_release(now)
        answer = await server.lease(
            per_service=self.per_service, idempotency_key=self._new_key(), release=release
        )
        if answer is not None:
            self.desk.take_lease(answer)

    async def _refresh_keys(self, server: OutboxServer) -> None:
        assert self.desk is not None
        fresh = self._keys_at is not None and time.monotonic() - self._keys_at < KEYS_REFRESH_S
        if fresh:
            return
        answer = await server.public_keys()
        if answer is not None:
            self.desk.take_keys(answer)
            self._keys_at = time.monotonic()
