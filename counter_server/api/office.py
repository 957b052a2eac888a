"""Health, services and counters: what every device reads to draw itself."""

from __future__ import annotations

from fastapi import APIRouter

from ..context import AnyDevice, CtxDep
from ..events import last_seq
from ..queue.views import counters_list, services_list
from .answer import JsonAnswer
from .models import CountersList, DeviceOut, Health, ServicesList, errors

router = APIRouter()


@router.get("/health", response_model=Health)
async def health(ctx: CtxDep) -> JsonAnswer:
    """Whether the server answers, for which office, its newest event and its clock."""
    seq = await ctx.read(last_seq)
    return JsonAnswer({"status": "ok", "office": ctx.config.office.id, "seq": seq, "now": ctx.clock.now().isoformat()})


@router.get("/api/v1/devices/me", response_model=DeviceOut, responses=errors(401))
async def who_am_i(device: AnyDevice) -> JsonAnswer:
    """Who this token is; a clerk's shift also gives its `staff_id`."""
    return JsonAnswer({"id": device.id, "name": device.name, "role": device.role, "counter_id": device.counter_id,
                         "staff_id": device.staff_id})


@router.get("/api/v1/services", response_model=ServicesList, responses=errors(401))
async def list_services(ctx: CtxDep, _: AnyDevice) -> JsonAnswer:
    """The errands, whether each takes walk-ins now, and who waits for it."""
    now = ctx.clock.now()
    return JsonAnswer(await ctx.read(lambda db: services_list(db, ctx.config, now)))


@router.get("/api/v1/counters", response_model=CountersList, responses=errors(401))
async def list_counters(ctx: CtxDep, _: AnyDevice) -> JsonAnswer:
    """Every counter with its state and current ticket."""
    return JsonAnswer({"counters": await ctx.read(lambda db: counters_list(db, ctx.config))})
