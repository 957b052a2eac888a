"""Clerk actions on a ticket, and a visitor's own ticket status."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from .. import leases, operations, repo
from ..auth import Device
from ..context import Context, context, role
from ..core import lifecycle
from ..core.errors import UnknownTicket
from ..core.model import Ticket
from ..errors import ApiError, bad_request, forbidden
from ..store import Tx

router = APIRouter(prefix="/api/v1/tickets")
ACTIONS = (*lifecycle.ACTIONS, "transfer")


def _owner_check(device: Device, ticket: Ticket) -> None:
    owner = ticket.counter_id or ticket.target_counter_id
    if device.role == "counter" and owner is not None and owner != device.counter_id:
        raise forbidden(f"ticket {ticket.number} is at counter {owner}")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "malformed_json", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    for key in ("service_id", "counter_id"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            raise bad_request(f"{key} must be a string")
    return body


@router.post("/{ticket_id}/{action}")
async def act_on_ticket(
    ticket_id: str,
    action: str,
    request: Request,
    ctx: Context = Depends(context),
    device: Device = Depends(role("counter")),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JSONResponse:
    if action not in ACTIONS:
        raise ApiError(404, "unknown_action", f"unknown action {action!r} (actions: {', '.join(ACTIONS)})")
    body = await _body(request)

    def act(tx: Tx) -> tuple[int, Any]:
        ticket = operations.load_ticket(tx.db, ticket_id)
        _owner_check(device, ticket)
        changed = operations.ticket_action(tx, config=ctx.config, ticket=ticket, action=action, body=body)
        return 200, {"ticket": repo.ticket_json(changed)}

    fingerprint = f"{action}:{ticket_id}:{json.dumps(body, sort_keys=True)}"
    status, answer = await ctx.write_once(device, idempotency_key, fingerprint, act)
    return JSONResponse(answer, status_code=status)


def public_status(db: Any, ctx: Context, public_id: str) -> dict[str, Any]:
    ticket = repo.get_ticket_by_public_id(db, public_id)
    if ticket is None:
        return _pending_status(db, ctx, public_id)
    office = ctx.config.office
    service = office.service(ticket.service_id)
    counter = office.counter(ticket.counter_id) if ticket.counter_id else None
    return {
        "number": ticket.number,
        "state": ticket.state.value,
        "service": {"id": ticket.service_id, "names": service.names if service else {}},
        "lang": ticket.lang,
        "counter": {"label": counter.label, "room": counter.room} if counter else None,
        "created_at": ticket.created_at.isoformat(),
        "appointment_at": ticket.appointment_at.isoformat() if ticket.appointment_at else None,
        **operations.ticket_status(db, ctx.config, ticket, ctx.clock.now()),
        "office": {"name": office.name},
    }


def _pending_status(db: Any, ctx: Context, public_id: str) -> dict[str, Any]:
    """A number a kiosk issued during an outage and has not handed in yet."""
    row = leases.unredeemed_by_public_id(db, public_id)
    if row is None:
        raise UnknownTicket("no ticket with this id")
    office = ctx.config.office
    service = office.service(row["service_id"])
    return {
        "number": row["number"],
        "state": "pending",
        "service": {"id": row["service_id"], "names": service.names if service else {}},
        "lang": "de",
        "counter": None,
        "created_at": row["leased_at"],
        "appointment_at": None,
        "position": None,
        "eta_min": None,
        "office": {"name": office.name},
    }


@router.get("/public/{public_id}")
async def get_public(public_id: str, ctx: Context = Depends(context)) -> dict[str, Any]:
    return await ctx.store.read(lambda db: public_status(db, ctx, public_id))
