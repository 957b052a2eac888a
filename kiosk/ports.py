"""What the kiosk needs from the things around it, as protocols.

The App and the effect runner are typed against these, not against the
concrete classes, so tests and the benchmark can hand in another server
(`tests/kiosk/scenarios.py`) and a machine without a printer or speech hands in
None. The real ones are `client.ServerClient`, `printing.KioskPrinter` and
`speech.Speaker`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from kiosk.flow import (
    CheckinFailed,
    CheckinRequest,
    CheckinSucceeded,
    ServerUnreachable,
    ServicesLoaded,
)
from kiosk.outbox import OutboxEntry
from printers.words import TicketContent

CheckinAnswer = CheckinSucceeded | CheckinFailed | ServerUnreachable


class Redemption(Protocol):
    """How handing one offline ticket to the server went."""

    @property
    def done(self) -> bool: ...

    @property
    def refusal(self) -> Mapping[str, Any] | None: ...


class OutboxServer(Protocol):
    """The server as the offline desk's sync sees it: outbox, leases and public keys."""

    async def redeem(self, entry: OutboxEntry) -> Redemption: ...

    async def lease(
        self, *, per_service: int, idempotency_key: str, release: tuple[str, ...] = ()
    ) -> dict[str, Any] | None: ...

    async def public_keys(self) -> dict[str, Any] | None: ...


class Server(OutboxServer, Protocol):
    """The counter server as the kiosk uses it (contract v1).

    `clock_offset` is the server's clock minus the kiosk's: `now()` is the kiosk's
    clock plus it. It is learned from every answer and kept in the offline file.
    """

    clock_offset: timedelta

    async def services(self) -> ServicesLoaded | None: ...

    async def check_in(self, *, idempotency_key: str, request: CheckinRequest) -> CheckinAnswer: ...

    async def watch(
        self,
        *,
        on_event: Callable[[Mapping[str, Any]], None],
        on_status: Callable[[bool], None],
    ) -> None: ...

    async def close(self) -> None: ...

    def now(self) -> datetime: ...


class Printer(Protocol):
    """The kiosk's own ticket printer; both calls answer, neither raises."""

    async def print_ticket(self, *, content: TicketContent) -> bool: ...

    async def ready(self) -> bool: ...


class Speaker(Protocol):
    """Read-aloud; a new sentence interrupts the one before."""

    async def say(self, text: str, *, lang: str) -> None: ...
