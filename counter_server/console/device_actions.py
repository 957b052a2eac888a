"""Device changes as one call each, shared by the API (/api/v1/devices) and the console page:
the write with its audit row, then the change made effective in this process at once."""

from __future__ import annotations

from typing import Any

from ..auth import Device, DeviceError
from ..context import Context
from ..errors import bad_request
from . import devices
from .audit import Actor


def _invalid(error: DeviceError) -> Exception:
    return bad_request(str(error), code="invalid_device")


async def listing(ctx: Context) -> list[dict[str, Any]]:
    seen, online = dict(ctx.seen), ctx.hub.online()
    return await ctx.read(lambda db: devices.list_devices(db, seen, online))


async def add(ctx: Context, actor: Actor, *, role: str, name: str, counter_id: str | None) -> tuple[Device, str]:
    counter_ids = {c.id for c in ctx.config.office.counters}
    try:
        return await ctx.store.write(
            lambda tx: devices.create(tx.db, tx.now, actor, role=role, name=name, counter_id=counter_id,
                                      counter_ids=counter_ids),
            now=ctx.clock.now())
    except DeviceError as error:
        raise _invalid(error) from None


async def rename(ctx: Context, actor: Actor, device_id: str, name: str) -> None:
    try:
        await ctx.store.write(lambda tx: devices.rename(tx.db, tx.now, actor, device_id, name), now=ctx.clock.now())
    except DeviceError as error:
        raise _invalid(error) from None
    ctx.forget_device_cache(device_id)


async def revoke(ctx: Context, actor: Actor, device_id: str) -> None:
    await ctx.store.write(lambda tx: devices.revoke(tx.db, tx.now, actor, device_id), now=ctx.clock.now())
    ctx.forget_device(device_id)


async def rotate(ctx: Context, actor: Actor, device_id: str) -> str:
    try:
        token = await ctx.store.write(lambda tx: devices.rotate(tx.db, tx.now, actor, device_id),
                                      now=ctx.clock.now())
    except DeviceError as error:
        raise _invalid(error) from None
    ctx.forget_device(device_id)
    return token
