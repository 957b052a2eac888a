"""Check-in at the kiosk: a walk-in ticket, or a booked visitor's appointment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .. import appointments, operations, printjobs, repo
from ..auth import Device
from ..context import Context, context, role
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
