"""Number leases for kiosks: reserve a block, and redeem what was issued offline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from ..checkin import leases
from ..checkin.commands import answer_for
from ..context import CtxDep, IdempotencyKey, KioskDevice, status_url_base
from ..errors import bad_request
from ..uow import Work
from .checkins import parse_priority
from .fields import Body, Count, Lang, Token, Word, one_of
from .models import RedeemAnswer, errors

router = APIRouter()


class LeaseBody(Body):
    per_service: Count = Field(default=5, ge=0, le=leases.MAX_PER_SERVICE)


class RedeemBody(Body):
    issued_at: datetime
    lang: Lang = "de"
    priority: Word = Field("normal", json_schema_extra=one_of("normal", "assist"))
    appointment_token: Token | None = None


@router.post("/api/v1/leases", responses=errors(401, 403, 422))
async def lease_numbers(
    body: LeaseBody, request: Request, ctx: CtxDep, device: KioskDevice, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """The kiosk's unused numbers of today, topped up per service, for issuing tickets offline."""
    base = status_url_base(ctx, request)

    def act(work: Work) -> tuple[int, Any]:
        answer = leases.top_up(work, device_id=device.id, per_service=body.per_service)
        return 200, {**answer, "status_url_base": base}

    status, answer = await ctx.write_once(device, idempotency_key, body.model_dump_json(), act)
    return JSONResponse(answer, status_code=status)


@router.post(
    "/api/v1/leases/{lease_id}/redeem", status_code=201, response_model=RedeemAnswer,
    responses=errors(401, 403, 404, 409, 422),
)
async def redeem_number(
    lease_id: str, body: RedeemBody, request: Request, ctx: CtxDep, device: KioskDevice,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A ticket for a number the kiosk issued offline; its arrival is when the kiosk issued it."""
    if body.issued_at.tzinfo is None:
        raise bad_request("issued_at needs a time zone offset")
    redemption = leases.Redemption(
        lease_id=lease_id,
        issued_at=body.issued_at,
        lang=body.lang,
        priority=parse_priority(body.priority, device),
        appointment_token=body.appointment_token,
    )
    base = status_url_base(ctx, request)

    def act(work: Work) -> tuple[int, Any]:
        ticket, refused = leases.redeem(work, device_id=device.id, redemption=redemption)
        # the kiosk printed this ticket itself while the server was away: no print job
        answer = answer_for(work, ticket, status_base=base).to_json()
        return 201, {**answer, "appointment_refused": refused}

    status, answer = await ctx.write_once(device, idempotency_key, f"{lease_id} {body.model_dump_json()}", act)
    return JSONResponse(answer, status_code=status)
