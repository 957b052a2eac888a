"""/api/v1/devices: the admin's list of devices; add, rename, revoke, rotate (issue 17).
Every change is in the audit log (`GET /api/v1/audit`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from ..auth import ROLES, Device
from ..console import device_actions
from ..console.audit import Actor, recent
from ..console.pairing import pairing_text
from ..context import CtxDep, role
from .answer import JsonAnswer
from .fields import Body, Id, Note, Word, one_of
from .models import Open, errors

router = APIRouter(prefix="/api/v1")
AdminDevice = Annotated[Device, Depends(role("admin"))]


class NewDevice(Body):
    role: Word = Field(json_schema_extra=one_of(*ROLES))
    name: Note = ""
    counter_id: Id | None = None


class Rename(Body):
    name: Note


class DeviceList(Open):
    devices: list[dict[str, object]]


class NewToken(Open):
    device: dict[str, object]
    token: str
    pairing: str


class AuditList(Open):
    entries: list[dict[str, object]]


def _actor(device: Device) -> Actor:
    return Actor(id=device.id, name=device.name, role=device.role)


def _device_json(device: Device) -> dict[str, object]:
    return {"id": device.id, "name": device.name, "role": device.role, "counter_id": device.counter_id}


@router.get("/devices", response_model=DeviceList, responses=errors(401, 403))
async def list_devices(ctx: CtxDep, _: AdminDevice) -> JsonAnswer:
    """Every device: role, name, counter, last seen and from where, connected now, revoked."""
    return JsonAnswer({"devices": await device_actions.listing(ctx)})


@router.post("/devices", response_model=NewToken, status_code=201, responses=errors(401, 403, 422))
async def add_device(body: NewDevice, ctx: CtxDep, admin: AdminDevice, request: Request) -> JsonAnswer:
    """A new device; its token is in this answer only (and `pairing`, the text of its QR code)."""
    device, token = await device_actions.add(ctx, _actor(admin), role=body.role, name=body.name or body.role,
                                             counter_id=body.counter_id)
    base = str(request.base_url).rstrip("/")
    return JsonAnswer({"device": _device_json(device), "token": token,
                         "pairing": pairing_text(base, device.role, token)}, status_code=201)


@router.post("/devices/{device_id}/rename", responses=errors(401, 403, 404, 422))
async def rename_device(device_id: str, body: Rename, ctx: CtxDep, admin: AdminDevice) -> JsonAnswer:
    """Give the device another name."""
    await device_actions.rename(ctx, _actor(admin), device_id, body.name)
    return JsonAnswer({"id": device_id, "name": " ".join(body.name.split())})


@router.post("/devices/{device_id}/revoke", responses=errors(401, 403, 404))
async def revoke_device(device_id: str, ctx: CtxDep, admin: AdminDevice) -> JsonAnswer:
    """Refuse this device's token from now on and close its websockets."""
    await device_actions.revoke(ctx, _actor(admin), device_id)
    return JsonAnswer({"id": device_id, "revoked": True})


@router.post("/devices/{device_id}/rotate", response_model=NewToken, responses=errors(401, 403, 404, 422))
async def rotate_device(device_id: str, ctx: CtxDep, admin: AdminDevice, request: Request) -> JsonAnswer:
    """A new token for the device (shown once); the old one is refused at once."""
    token = await device_actions.rotate(ctx, _actor(admin), device_id)
    rows = [d for d in await device_actions.listing(ctx) if d["id"] == device_id]
    device = rows[0]
    base = str(request.base_url).rstrip("/")
    return JsonAnswer({"device": {k: device[k] for k in ("id", "name", "role", "counter_id")}, "token": token,
                         "pairing": pairing_text(base, str(device["role"]), token)})


@router.get("/audit", response_model=AuditList, responses=errors(401, 403))
async def audit_log(ctx: CtxDep, _: AdminDevice) -> JsonAnswer:
    """The newest 200 admin and office-head actions: who, what, when."""
    return JsonAnswer({"entries": await ctx.read(lambda db: recent(db, 200))})
