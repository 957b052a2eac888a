"""Health, services and counters: what every device reads to draw itself."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from .. import operations, repo
from ..auth import Device
from ..context import Context, context, role
from ..core import admission, hours
from ..core.numbering import office_day

router = APIRouter()


@router.get("/health")
async def health(ctx: Context = Depends(context)) -> dict[str, Any]:
    seq = await ctx.store.read(repo.last_seq)
    return {"status": "ok", "office": ctx.config.office.id, "seq": seq, "now": ctx.clock.now().isoformat()}


def _services(ctx: Context, db: Any) -> dict[str, Any]:
    office = ctx.config.office
    now = ctx.clock.now()
    issued = repo.walk_ins_issued(db, office_day(now, office.timezone))
    board = operations.board(db, ctx.config, now, calls=0)
    waiting = {w["service_id"]: w for w in board["waiting"]}
    until = hours.walk_in_until(office.hours, now, office.timezone)
    services = []
    for service in office.services:
        reason = admission.refusal_reason(
            office=office, service=service, now=now, issued_today=issued.get(service.id, 0)
        )
        services.append({
            "id": service.id,
            "names": service.names,
            "prefix": service.prefix,
            "walk_in": service.walk_in,
            "duration_min": service.duration_min,
            "daily_walk_in_cap": service.daily_walk_in_cap,
            "available": reason is None,
            "unavailable_reason": reason,
            "waiting": waiting[service.id]["waiting"],
            "eta_min": waiting[service.id]["eta_min"],
        })
    opening = hours.next_opening(office.hours, now, office.timezone)
    return {
        "office": {
            "id": office.id,
            "name": office.name,
            "languages": list(office.languages),
            "timezone": office.timezone,
            "now": now.isoformat(),
            "open_now": hours.is_open(office.hours, now, office.timezone),
            "walk_in_until": until.isoformat() if until else None,
            "next_opening": opening.isoformat() if opening else None,
        },
        "services": services,
    }


@router.get("/api/v1/devices/me")
async def who_am_i(device: Device = Depends(role())) -> dict[str, Any]:
    return {"id": device.id, "name": device.name, "role": device.role, "counter_id": device.counter_id}


@router.get("/api/v1/services")
async def list_services(
    ctx: Context = Depends(context), _: Device = Depends(role())
) -> dict[str, Any]:
    return await ctx.store.read(lambda db: _services(ctx, db))


@router.get("/api/v1/counters")
async def list_counters(
    ctx: Context = Depends(context), _: Device = Depends(role())
) -> dict[str, Any]:
    def read(db: Any) -> dict[str, Any]:
        counters = operations.counters_now(db, ctx.config.office)
        return {
            "counters": [
                operations.counter_json(c, operations.current_ticket(db, c.id)) for c in counters
            ]
        }

    return await ctx.store.read(read)
