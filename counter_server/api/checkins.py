"""Check-in at the kiosk (a walk-in ticket, or a booked visitor's appointment), and of a
booked visitor by booking code at a counter, for those the kiosk did not help."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from .. import appointments, operations, printjobs, repo
from ..auth import Device
from ..context import Context, context, own_counter, role
from ..core.errors import UnknownCounter
from ..core.model import Priority, Ticket
from ..errors import bad_request
from ..keys import keyring_for
from ..store import Tx

router = APIRouter()


class CheckinBody(BaseModel):
    service_id: str | None = None
    lang: str = "de"
    priority: str = "normal"
    appointment_token: str | None = None
    appointment_code: str | None = None


class CounterCheckinBody(BaseModel):
    """A clerk checks in a booked visitor by code; walk-ins and QR tokens stay with the kiosk."""

    model_config = ConfigDict(extra="forbid")

    appointment_code: str
    lang: str = "de"


def status_url_base(ctx: Context, request: Request) -> str:
    """Where a visitor's status page lives: the configured public URL, else this server."""
    base = ctx.config.public_url or str(request.base_url).rstrip("/")
    return f"{base}/t/"


def status_url(ctx: Context, request: Request, ticket: Ticket) -> str:
    return f"{status_url_base(ctx, request)}{ticket.public_id}"


def checkin_answer(tx: Tx, ctx: Context, request: Request, ticket: Ticket) -> dict[str, Any]:
    status = operations.ticket_status(tx.db, ctx.config, ticket, tx.now, in_write=True)
    return {"ticket": repo.ticket_json(ticket), **status, "status_url": status_url(ctx, request, ticket)}


def parse_priority(text: str, device: Device) -> Priority:
    """The requested priority; a kiosk may ask for help (assist), never mark itself urgent."""
    try:
        priority = Priority(text)
    except ValueError:
        raise bad_request(f"priority must be normal or assist, not {text!r}") from None
    if priority is Priority.URGENT and device.role == "kiosk":
        raise bad_request("only staff can mark a ticket urgent")
    return priority


def _check_in(tx: Tx, ctx: Context, request: Request, body: CheckinBody, device: Device) -> tuple[int, Any]:
    if body.appointment_token or body.appointment_code:
        ticket = appointments.check_in(
            tx, config=ctx.config, keyring=keyring_for(ctx.data_dir), token=body.appointment_token,
            code=body.appointment_code, lang=body.lang, device_id=device.id,
        )
        return 201, checkin_answer(tx, ctx, request, ticket)
    if not body.service_id:
        raise bad_request("service_id, appointment_token or appointment_code is required")
    ticket = operations.check_in_walk_in(
        tx, config=ctx.config, service_id=body.service_id, lang=body.lang,
        priority=parse_priority(body.priority, device), device_id=device.id,
    )
    return 201, checkin_answer(tx, ctx, request, ticket)


@router.post("/api/v1/checkins", status_code=201)
async def create_checkin(
    body: CheckinBody,
    request: Request,
    ctx: Context = Depends(context),
    device: Device = Depends(role("kiosk")),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JSONResponse:
    def act(tx: Tx) -> tuple[int, Any]:
        answer = _check_in(tx, ctx, request, body, device)
        return printjobs.enqueue_for_checkin(tx, config=ctx.config, device=device, answer=answer)

    status, answer = await ctx.write_once(device, idempotency_key, body.model_dump_json(), act)
    return JSONResponse(answer, status_code=status)


@router.post("/api/v1/counters/{counter_id}/checkins", status_code=201)
async def create_counter_checkin(
    counter_id: str,
    body: CounterCheckinBody,
    request: Request,
    ctx: Context = Depends(context),
    device: Device = Depends(role("counter")),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JSONResponse:
    """The kiosk's check-in by code, at a counter: same rules, same ticket, same events.

    `call_offered` says whether this counter may call the visitor at once
    (POST /api/v1/counters/{id}/call): open, free, and able to serve the errand.
    """
    own_counter(device, counter_id)
    if ctx.config.office.counter(counter_id) is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)

    def act(tx: Tx) -> tuple[int, Any]:
        ticket = appointments.check_in(
            tx, config=ctx.config, keyring=keyring_for(ctx.data_dir), token=None,
            code=body.appointment_code, lang=body.lang, device_id=device.id,
        )
        refusal = operations.call_refusal(tx.db, config=ctx.config, counter_id=counter_id, ticket=ticket)
        return 201, {**checkin_answer(tx, ctx, request, ticket), "call_offered": refusal is None}

    request_text = f"counter-checkin:{counter_id}:{body.model_dump_json()}"
    status, answer = await ctx.write_once(device, idempotency_key, request_text, act)
    return JSONResponse(answer, status_code=status)
