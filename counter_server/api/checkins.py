"""Check-in at the kiosk (a walk-in ticket, or a booked visitor's appointment), and of a
booked visitor by booking code at a counter, for those the kiosk did not help.

The whole use case (ticket, answer, print job) is `checkin.commands`; these routes
parse, authorise and call it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from ..auth import Device
from ..checkin import kiosk
from ..checkin.commands import (
    KioskCheckin,
    check_in_at_counter,
    note_refused_walk_in,
)
from ..context import (
    CounterDevice,
    CtxDep,
    IdempotencyKey,
    KioskDevice,
    own_counter,
    status_url_base,
)
from ..core.errors import UnknownCounter, WalkInRefused
from ..core.model import Priority
from ..errors import bad_request
from ..uow import Work
from .answer import JsonAnswer
from .fields import Body, Code, Id, Lang, Token, Word, one_of
from .models import CheckinAnswer, CounterCheckinAnswer, errors

router = APIRouter()


class WalkInCheckin(Body):
    """A walk-in chooses an errand."""

    service_id: Id
    lang: Lang = "de"
    priority: Word = Field("normal", json_schema_extra=one_of("normal", "assist"))


class TokenCheckin(Body):
    """A booked visitor scans the QR code of their confirmation."""

    appointment_token: Token
    lang: Lang = "de"
    priority: Word = Field("normal", json_schema_extra=one_of("normal"))


class CodeCheckin(Body):
    """A booked visitor types the booking code."""

    appointment_code: Code
    lang: Lang = "de"
    priority: Word = Field("normal", json_schema_extra=one_of("normal"))


CheckinBody = WalkInCheckin | TokenCheckin | CodeCheckin


class CounterCheckinBody(Body):
    """A clerk checks in a booked visitor by code; walk-ins and QR tokens stay with the kiosk."""

    appointment_code: Code
    lang: Lang = "de"


def parse_priority(text: str, device: Device) -> Priority:
    """The requested priority; a kiosk may ask for help (assist), never mark itself urgent."""
    try:
        priority = Priority(text)
    except ValueError:
        raise bad_request(f"priority must be normal or assist, not {text!r}") from None
    if priority is Priority.URGENT and device.role == "kiosk":
        raise bad_request("only staff can mark a ticket urgent")
    return priority


def _checkin(body: CheckinBody, device: Device) -> KioskCheckin:
    if isinstance(body, WalkInCheckin):
        priority = parse_priority(body.priority, device)
        return KioskCheckin(service_id=body.service_id, lang=body.lang, priority=priority)
    # a booked visitor's ticket is never urgent nor assisted: only a walk-in's priority counts
    if isinstance(body, TokenCheckin):
        return KioskCheckin(appointment_token=body.appointment_token, lang=body.lang)
    return KioskCheckin(appointment_code=body.appointment_code, lang=body.lang)


@router.post(
    "/api/v1/checkins", status_code=201, response_model=CheckinAnswer,
    responses=errors(401, 403, 404, 409, 422),
)
async def create_checkin(
    body: CheckinBody, request: Request, ctx: CtxDep, device: KioskDevice, idempotency_key: IdempotencyKey = None
) -> JsonAnswer:
    """A walk-in ticket for an errand, or a booked visitor's ticket by QR token or booking code."""
    base = status_url_base(ctx, request)
    try:
        answer = await kiosk.check_in(ctx, device=device, request=_checkin(body, device), status_base=base,
                                      key=idempotency_key, body=body.model_dump_json())
    except WalkInRefused as error:
        if isinstance(body, WalkInCheckin):
            service_id, reason = body.service_id, error.code
            await ctx.write(lambda work: note_refused_walk_in(work, service_id=service_id, reason=reason))
        raise
    return JsonAnswer(answer, status_code=201)


@router.post(
    "/api/v1/counters/{counter_id}/checkins", status_code=201, response_model=CounterCheckinAnswer,
    responses=errors(401, 403, 404, 409, 422),
)
async def create_counter_checkin(
    counter_id: str, body: CounterCheckinBody, request: Request, ctx: CtxDep, device: CounterDevice,
    idempotency_key: IdempotencyKey = None,
) -> JsonAnswer:
    """The kiosk's check-in by code, at a counter: same rules, same ticket, same events.

    `call_offered` says whether this counter may call the visitor at once
    (POST /api/v1/counters/{id}/call): open, free, and able to serve the errand.
    """
    own_counter(device, counter_id)
    if ctx.config.office.counter(counter_id) is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    base = status_url_base(ctx, request)

    def act(work: Work) -> tuple[int, Any]:
        checked_in, offered = check_in_at_counter(
            work, device=device, counter_id=counter_id, code=body.appointment_code, lang=body.lang,
            status_base=base,
        )
        return 201, {**checked_in.to_json(), "call_offered": offered}

    request_text = f"counter-checkin:{counter_id}:{body.model_dump_json()}"
    status, answer = await ctx.write_once(device, idempotency_key, request_text, act)
    return JsonAnswer(answer, status_code=status)
