"""What every request handler needs, and the FastAPI dependencies that hand it over."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

import sqlite_utils
from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPBearer
from starlette.requests import HTTPConnection

from . import shifts
from .auth import Device, find_device
from .clock import Clock
from .config import OfficeConfig
from .device_cache import DeviceCache
from .errors import forbidden, unauthorized
from .events import Hub
from .idempotency import Answer, run_once
from .keys import KeyRing, keyring_for
from .store import Store, Tx
from .uow import Work

# named in the OpenAPI, so /docs shows the scheme; role() reads the header itself
BEARER_SCHEME = HTTPBearer(auto_error=False, description="a device token from `townhall device add`")
T = TypeVar("T")


@dataclass
class Context:
    """One office: its configuration, database, event hub, clock and keys."""

    config: OfficeConfig
    store: Store
    hub: Hub
    clock: Clock
    data_dir: Path
    # every request's token check (a revoked token is refused within a second: device_cache.py)
    devices: DeviceCache = field(init=False)
    # device id -> (when, address) of its last request in this run; saved by housekeeping
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)
    # configurations replaced by a reload: kept so no cache keyed by id() meets a reused id
    retired_configs: list[OfficeConfig] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.devices = DeviceCache(self.store, _device_or_shift)

    @functools.cached_property
    def keyring(self) -> KeyRing:
        """Asked by every write: found once (the ring itself reads key files again when they change)."""
        return keyring_for(self.data_dir)

    def work(self, tx: Tx, staff_id: str | None = None) -> Work:
        return Work(tx=tx, config=self.config, keyring=self.keyring, staff_id=staff_id)

    async def write(self, command: Callable[[Work], T], staff_id: str | None = None) -> T:
        """Run `command` in one write transaction at the office clock's now (for a clerk's shift:
        its events carry the staff id)."""
        return await self.store.write(lambda tx: command(self.work(tx, staff_id)), now=self.clock.now())

    def write_sync(self, command: Callable[[Work], T]) -> T:
        return self.store.write_sync(lambda tx: command(self.work(tx)), now=self.clock.now())

    async def read(self, view: Callable[[sqlite_utils.Database], T]) -> T:
        return await self.store.read(view)

    async def write_once(
        self, device: Device, key: str | None, request: str, act: Callable[[Work], Answer]
    ) -> Answer:
        """One idempotent write: `act` runs in a transaction unless `key` was seen before."""

        def write(work: Work) -> Answer:
            return run_once(work.tx, device_id=device.id, key=key, request=request, act=lambda: act(work))

        return await self.write(write, staff_id=device.staff_id)

    async def device_for(self, token: str) -> Device | None:
        return await self.devices.device_for(token)

    def forget_device_cache(self, device_id: str) -> None:
        self.devices.forget(device_id)

    def forget_device(self, device_id: str) -> None:
        """A device revoked or given a new token: refused from now on, its websockets closed."""
        self.forget_device_cache(device_id)
        self.hub.revoke(device_id)

    def saw(self, device: Device, connection: HTTPConnection) -> None:
        address = connection.client.host if connection.client else ""
        self.seen[device.id] = (self.clock.now().isoformat(), address)

    def replace_config(self, config: OfficeConfig) -> None:
        """Apply a changed office.toml without a restart: every later request reads the new one."""
        self.retired_configs.append(self.config)
        self.config = config


def _device_or_shift(db: sqlite_utils.Database, token: str) -> Device | None:
    """A device's token, or a clerk's shift token (it acts as its counter's device)."""
    return find_device(db, token) or shifts.find(db, token)


def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


async def context_dependency(request: Request) -> Context:
    """`context` as a dependency: a coroutine, which FastAPI calls on the event loop. (A plain
    function it would hand to a worker thread and back, for every request.)"""
    return context(request)


def bearer(connection: HTTPConnection, *, query: bool = False) -> str | None:
    """The device token from `Authorization: Bearer`; from `?token=` only where `query` says
    a browser cannot send a header (the websocket, an <audio> element's WAV)."""
    header = connection.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return (connection.query_params.get("token") or None) if query else None


def role(*roles: str, query_token: bool = False) -> Callable[[Request], Awaitable[Device]]:
    """A dependency that admits devices of the given roles (admin always)."""

    async def check(request: Request, _: Annotated[Any, Security(BEARER_SCHEME)] = None) -> Device:
        token = bearer(request, query=query_token)
        if not token:
            raise unauthorized()
        device = await context(request).device_for(token)
        if device is None:
            raise unauthorized("this device token is unknown or revoked")
        if device.role != "admin" and roles and device.role not in roles:
            raise forbidden(f"a {device.role} device may not do this")
        context(request).saw(device, request)
        return device

    return check


def own_counter(device: Device, counter_id: str) -> None:
    """A counter workstation acts for its own counter only."""
    if device.role == "counter" and device.counter_id != counter_id:
        raise forbidden(f"this workstation belongs to counter {device.counter_id}, not {counter_id}")


def status_url_base(ctx: Context, request: Request) -> str:
    """Where a visitor's status page lives: the configured public URL, else this server."""
    base = ctx.config.public_url or str(request.base_url).rstrip("/")
    return f"{base}/t/"


CtxDep = Annotated[Context, Depends(context_dependency)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
AnyDevice = Annotated[Device, Depends(role())]
KioskDevice = Annotated[Device, Depends(role("kiosk"))]
CounterDevice = Annotated[Device, Depends(role("counter"))]
DisplayDevice = Annotated[Device, Depends(role("display"))]
PrinterDevice = Annotated[Device, Depends(role("printer"))]
BookingDevice = Annotated[Device, Depends(role("booking"))]
Json = dict[str, Any]
