"""What every request handler needs, and the FastAPI dependencies that hand it over."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from .auth import Device, find_device
from .clock import Clock
from .config import OfficeConfig
from .errors import forbidden, unauthorized
from .events import Hub
from .idempotency import Answer, run_once
from .store import Store, Tx

DEVICE_CACHE_S = 30.0


@dataclass
class Context:
    config: OfficeConfig
    store: Store
    hub: Hub
    clock: Clock
    data_dir: Path
    _devices: dict[str, tuple[float, Device]] = field(default_factory=dict)

    async def write_once(
        self, device: Device, key: str | None, request: str, act: Callable[[Tx], Answer]
    ) -> Answer:
        """One idempotent write: `act` runs in a transaction unless `key` was seen before."""

        def write(tx: Tx) -> Answer:
            return run_once(tx, device_id=device.id, key=key, request=request, act=lambda: act(tx))

        return await self.store.write(write, now=self.clock.now())

    async def device_for(self, token: str) -> Device | None:
        cached = self._devices.get(token)
        if cached and time.monotonic() - cached[0] < DEVICE_CACHE_S:
            return cached[1]
        device = await self.store.read(lambda db: find_device(db, token))
        if device is not None:
            self._devices[token] = (time.monotonic(), device)
        return device


def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.query_params.get("token")


def role(*roles: str) -> Callable[[Request], Awaitable[Device]]:
    """A dependency that admits devices of the given roles (admin always)."""

    async def check(request: Request) -> Device:
        token = bearer(request)
        if not token:
            raise unauthorized()
        device = await context(request).device_for(token)
        if device is None:
            raise unauthorized("this device token is unknown or revoked")
        if device.role != "admin" and roles and device.role not in roles:
            raise forbidden(f"a {device.role} device may not do this")
        return device

    return check


def own_counter(device: Device, counter_id: str) -> None:
    """A counter workstation acts for its own counter only."""
    if device.role == "counter" and device.counter_id != counter_id:
        raise forbidden(f"this workstation belongs to counter {device.counter_id}, not {counter_id}")
