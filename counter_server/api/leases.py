"""Number leases for kiosks: reserve a block, and redeem what was issued offline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BeforeValidator, Field

from ..auth import Device
from ..checkin import leases, refusals
from ..checkin.commands import answer_for
from ..context import CtxDep, IdempotencyKey, KioskDevice, role, status_url_base
from ..core.errors import DomainError
from ..core.numbering import office_day
from ..errors import ApiError, bad_request
from ..idempotency import key_taken, run_once
from ..uow import Work
from .answer import JsonAnswer
from .checkins import parse_priority
from .fields import Body, Id, Lang, Note, Token, Word, number_not_flag, one_of
from .models import RedeemAnswer, errors

router = APIRouter()


StaffDevice = Annotated[Device, Depends(role("counter"))]


class LeaseBody(Body):
    # at most this many per errand; without it the server sizes the kiosk's share
    # the bounds before the check, so the OpenAPI shows them as minimum/maximum
    per_service: Annotated[int, Field(ge=0, le=leases.MAX_PER_SERVICE), BeforeValidator(number_not_flag)] | None = None
    # leased numbers the kiosk gives back unspent
    release: list[Id] = Field(default_factory=list, max_length=1000)


class RedeemBody(Body):
    issued_at: datetime
    lang: Lang = "de"
    priority: Word = Field("normal", json_schema_extra=one_of("normal", "assist"))
    appointment_token: Token | None = None
    # the key of the check-in whose answer was lost, when this ticket stands in for it
    checkin_key: Note | None = None


@router.post("/api/v1/leases", responses=errors(401, 403, 422))
async def lease_numbers(
    body: LeaseBody, request: Request, ctx: CtxDep, device: KioskDevice, idempotency_key: IdempotencyKey = None
) -> JsonAnswer:
    """The kiosk's unused numbers of today, topped up per service, for issuing tickets offline."""
    base = status_url_base(ctx, request)

    def act(work: Work) -> tuple[int, Any]:
        answer = leases.top_up(
            work, device_id=device.id, per_service=body.per_service, release=tuple(body.release)
        )
        return 200, {**answer, "status_url_base": base}

    status, answer = await ctx.write_once(device, idempotency_key, body.model_dump_json(), act)
    return JsonAnswer(answer, status_code=status)


@router.post(
    "/api/v1/leases/{lease_id}/redeem", status_code=201, response_model=RedeemAnswer,
    responses=errors(401, 403, 404, 409, 422),
)
async def redeem_number(
    lease_id: str, body: RedeemBody, request: Request, ctx: CtxDep, device: KioskDevice,
    idempotency_key: IdempotencyKey = None,
) -> JsonAnswer:
    """A ticket for a number the kiosk issued offline; its arrival is when the kiosk issued it.

    `checkin_key` names a check-in that got no answer before the kiosk issued this
    number: a ticket the server made for it is cancelled, and this one takes its place.
    """
    if body.issued_at.tzinfo is None:
        raise bad_request("issued_at needs a time zone offset")
    priority = parse_priority(body.priority, device)
    base = status_url_base(ctx, request)
    request_text = f"{lease_id} {body.model_dump_json()}"

    def write(work: Work) -> tuple[int, Any]:
        key, checkin_key = idempotency_key, body.checkin_key
        if key and key_taken(work.tx, device_id=device.id, key=key, request=request_text):
            # an older kiosk redeems under the key of the check-in whose answer was lost
            key, checkin_key = f"{key}:redeem", key
        redemption = leases.Redemption(
            lease_id=lease_id, issued_at=body.issued_at, lang=body.lang, priority=priority,
            appointment_token=body.appointment_token, checkin_key=checkin_key,
        )

        def act() -> tuple[int, Any]:
            ticket, refused = leases.redeem(work, device_id=device.id, redemption=redemption)
            # the kiosk printed this ticket itself while the server was away: no print job
            answer = answer_for(work, ticket, status_base=base).to_json()
            return 201, {**answer, "appointment_refused": refused}

        return run_once(work.tx, device_id=device.id, key=key, request=request_text, act=act)

    try:
        status, answer = await ctx.write(write)
    except (DomainError, ApiError) as error:
        code = str(getattr(error, "code", ""))
        await ctx.write(lambda work: refusals.record(
            work, device_id=device.id, lease_id=lease_id, code=code, issued_at=body.issued_at
        ))
        raise
    return JsonAnswer(answer, status_code=status)


@router.get("/api/v1/leases/refused", responses=errors(401, 403, 422))
async def refused_numbers(ctx: CtxDep, device: StaffDevice, day: date | None = None) -> dict[str, Any]:
    """Offline tickets the server refused on `day` (today): visitors who hold a number
    that will not be called and need to be helped at the desk."""
    tz = ctx.config.office.timezone
    wanted = day or office_day(ctx.clock.now(), tz)
    rows = await ctx.read(lambda db: refusals.refused_on(db, wanted, tz))
    return {"day": wanted.isoformat(), "refused": rows}
