"""A clerk's counter: open, pause, close, and call the next visitor."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from .. import operations, repo
from ..auth import Device
from ..context import Context, context, own_counter, role
from ..core.model import CounterState
from ..errors import bad_request
from ..store import Tx

router = APIRouter(prefix="/api/v1/counters")


class StateBody(BaseModel):
    state: str


def _state(text: str) -> CounterState:
    try:
        return CounterState(text)
    except ValueError:
        raise bad_request(f"state must be open, paused or closed, not {text!r}") from None


def _answer(status: int, body: Any) -> Response:
    if status == 204:
        return Response(status_code=204)
    return JSONResponse(body, status_code=status)


@router.post("/{counter_id}/state")
async def set_state(
    counter_id: str,
    body: StateBody,
    ctx: Context = Depends(context),
    device: Device = Depends(role("counter")),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Response:
    own_counter(device, counter_id)
    state = _state(body.state)

    def act(tx: Tx) -> tuple[int, Any]:
        counter = operations.set_counter_state(tx, config=ctx.config, counter_id=counter_id, state=state)
        return 200, {"counter": operations.counter_json(counter, operations.current_ticket(tx.db, counter_id))}

    return _answer(*await ctx.write_once(device, idempotency_key, f"state:{counter_id}:{state.value}", act))


@router.post("/{counter_id}/next")
async def call_next(
    counter_id: str,
    ctx: Context = Depends(context),
    device: Device = Depends(role("counter")),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Response:
    own_counter(device, counter_id)

    def act(tx: Tx) -> tuple[int, Any]:
        ticket = operations.call_next(tx, config=ctx.config, counter_id=counter_id)
        if ticket is None:
            return 204, None
        return 200, {"ticket": repo.ticket_json(ticket)}

    return _answer(*await ctx.write_once(device, idempotency_key, f"next:{counter_id}", act))


@router.get("/{counter_id}/queue")
async def counter_queue(
    counter_id: str,
    ctx: Context = Depends(context),
    device: Device = Depends(role("counter")),
) -> dict[str, Any]:
    """What the clerk sees: the current ticket and who waits for this counter."""
    own_counter(device, counter_id)
    now = ctx.clock.now()

    def read(db: Any) -> dict[str, Any]:
        return operations.counter_view(db, ctx.config, counter_id, now)

    return await ctx.store.read(read)
