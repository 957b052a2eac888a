"""Clerk actions on a ticket, and a visitor's own ticket status."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from .. import text
from ..auth import Device
from ..context import CounterDevice, CtxDep, IdempotencyKey
from ..core import lifecycle
from ..core.model import Office, Ticket
from ..errors import ApiError, bad_request, forbidden
from ..queue import commands, rows, undo
from ..queue.shapes import ticket_json
from ..queue.visitor import public_status
from ..queue.visitor_live import StatusStreamResponse, TooManyStreams, VisitorFeed
from ..uow import Work
from .answer import JsonAnswer
from .models import ErrorBody, PublicTicket, TicketAnswer, errors

router = APIRouter(prefix="/api/v1/tickets")
ACTIONS = (*lifecycle.ACTIONS, "transfer", "reopen")


def _owner_check(device: Device, ticket: Ticket, office: Office) -> None:
    """A clerk acts on tickets of their own counter, or on a waiting one for an errand it serves."""
    if device.role != "counter":
        return
    owner = ticket.counter_id or ticket.target_counter_id
    if owner is not None and owner != device.counter_id:
        raise forbidden(f"ticket {ticket.number} is at counter {owner}")
    counter = office.counter(device.counter_id or "")
    if owner is None and (counter is None or not counter.can_serve(ticket.service_id)):
        raise forbidden(f"ticket {ticket.number} is for an errand this counter does not serve")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = text.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "malformed_json", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    for key in ("service_id", "counter_id"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            raise bad_request(f"{key} must be a string")
    return body


@router.post("/{ticket_id}/{action}", response_model=TicketAnswer, responses=errors(400, 401, 403, 404, 409, 422))
async def act_on_ticket(
    ticket_id: str, action: str, request: Request, ctx: CtxDep, device: CounterDevice,
    idempotency_key: IdempotencyKey = None,
) -> JsonAnswer:
    """recall, start, finish, no_show, park, return, cancel; transfer takes `service_id` and/or `counter_id`;
    reopen takes back a finish or no-show within office.toml `undo_s` (409 `undo_expired` after that),
    and the call Next made after it."""
    if action not in ACTIONS:
        raise ApiError(404, "unknown_action", f"unknown action {action!r} (actions: {', '.join(ACTIONS)})")
    body = await _body(request)

    def act(work: Work) -> tuple[int, Any]:
        ticket = rows.load_ticket(work.db, ticket_id)
        _owner_check(device, ticket, work.office)
        if action == "reopen":
            changed = undo.reopen(work, ticket=ticket)
        else:
            changed = commands.ticket_action(
                work, ticket=ticket, action=action,
                service_id=body.get("service_id"), counter_id=body.get("counter_id"),
            )
        return 200, {"ticket": ticket_json(changed)}

    fingerprint = f"{action}:{ticket_id}:{json.dumps(body, sort_keys=True)}"
    status, answer = await ctx.write_once(device, idempotency_key, fingerprint, act)
    return JsonAnswer(answer, status_code=status)


@router.get("/public/{public_id}", response_model=PublicTicket, responses=errors(404))
async def get_public(public_id: str, ctx: CtxDep) -> JsonAnswer:
    """A visitor's own ticket; no token, the id is unguessable."""
    now = ctx.clock.now()
    return JsonAnswer(await ctx.read(lambda db: public_status(db, ctx.config, public_id, now)))


@router.get(
    "/public/{public_id}/stream", response_class=StatusStreamResponse, status_code=200,
    responses={
        200: {"content": {"text/event-stream": {}}}, **errors(404),
        503: {"model": ErrorBody, "description": "every live status stream is taken (`too_many_streams`): poll"},
    },
)
async def stream_public(public_id: str, request: Request, ctx: CtxDep) -> StatusStreamResponse:
    """A visitor's own ticket, live (server-sent events): its public status now and at each change,
    `: heartbeat` comments while nothing changes, `event: end` once the ticket is finished.
    503 `too_many_streams` when every stream is taken: poll `GET /api/v1/tickets/public/{public_id}`."""
    feed: VisitorFeed = request.app.state.visitor_feed
    try:
        watcher = feed.join(public_id)
    except TooManyStreams as error:
        raise ApiError(503, "too_many_streams", str(error)) from None
    now = ctx.clock.now()
    try:
        watcher.offer(await ctx.read(lambda db: public_status(db, ctx.config, public_id, now)))
    except BaseException:
        feed.leave(watcher)
        raise
    linger_s = ctx.config.clerk.undo_s + 2.0  # a no-show or finish may still be taken back
    return StatusStreamResponse(feed, watcher, linger_s=linger_s)
