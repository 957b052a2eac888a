"""Number leases for kiosks: reserve a block, and redeem what was issued offline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .. import leases
from ..auth import Device
from ..context import Context, context, role
from ..errors import bad_request
from ..keys import keyring_for
from ..store import Tx
from .checkins import checkin_answer, parse_priority, status_url_base

router = APIRouter()


class LeaseBody(BaseModel):
    per_service: int = Field(default=5, ge=0, le=leases.MAX_PER_SERVICE)


class RedeemBody(BaseModel):
    issued_at: datetime
    lang: str = "de"
    priority: str = "normal"
    appointment_token: str | None = None


@router.post("/api/v1/leases")
async def lease_numbers(
    body: LeaseBody,
    request: Request,
    ctx: Context = Depends(context),
    device: Device = Depends(role("kiosk")),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JSONResponse:
    def act(tx: Tx) -> tuple[int, Any]:
        answer = leases.top_up(
            tx, config=ctx.config, device_id=device.id, per_service=body.per_service
        )
        return 200, {**answer, "status_url_base": status_url_base(ctx, request)}

    status, answer = await ctx.write_once(device, idempotency_key, body.model_dump_json(), act)
    return JSONResponse(answer, status_code=status)


@router.post("/api/v1/leases/{lease_id}/redeem", status_code=201)
async def redeem_number(
    lease_id: str,
    body: RedeemBody,
    request: Request,
    ctx: Context = Depends(context),
    device: Device = Depends(role("kiosk")),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JSONResponse:
    if body.issued_at.tzinfo is None:
        raise bad_request("issued_at needs a time zone offset")
    redemption = leases.Redemption(
        lease_id=lease_id,
        issued_at=body.issued_at,
        lang=body.lang,
        priority=parse_priority(body.priority, device),
        appointment_token=body.appointment_token,
    )

    def act(tx: Tx) -> tuple[int, Any]:
        ticket, refused = leases.redeem(
            tx, config=ctx.config, keyring=keyring_for(ctx.data_dir), device_id=device.id,
            redemption=redemption,
        )
        answer = checkin_answer(tx, ctx, request, ticket)
        return 201, {**answer, "appointment_refused": refused}

    status, answer = await ctx.write_once(
        device, idempotency_key, f"{lease_id} {body.model_dump_json()}", act
    )
    return JSONResponse(answer, status_code=status)

