"""/api/v1/supervisor: the office head's view and actions as JSON (issue 17), for role head and
admin. The actions are the supervisor page's (console/supervisor_actions.py), audited alike."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from ..auth import Device
from ..console import supervisor_actions as actions
from ..console.audit import Actor
from ..console.supervisor import supervisor_state
from ..context import CtxDep, role
from ..queue.shapes import counter_json, ticket_json
from ..uow import Work
from .answer import JsonAnswer
from .fields import Body, Id, Word, one_of
from .models import CounterAnswer, Open, TicketAnswer, errors

router = APIRouter(prefix="/api/v1/supervisor")
HeadDevice = Annotated[Device, Depends(role("head", "admin"))]


class StateBody(Body):
    state: Word = Field(json_schema_extra=one_of("open", "paused", "closed"))


class MoveBody(Body):
    service_id: Id | None = None
    counter_id: Id | None = None


class WalkInsBody(Body):
    stopped: bool


class SupervisorState(Open):
    now: str
    counters: list[dict[str, Any]]
    waiting: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    due: list[dict[str, Any]]
    printers: list[dict[str, Any]]
    kiosks: list[dict[str, Any]]
    alerts: list[dict[str, Any]]


class WalkInsAnswer(Open):
    service_id: str
    walk_in_stopped: bool


def _actor(device: Device) -> Actor:
    return Actor(id=device.id, name=device.name, role=device.role)


@router.get("", response_model=SupervisorState, responses=errors(401, 403))
async def supervisor(ctx: CtxDep, _: HeadDevice) -> JsonAnswer:
    """What /supervisor shows: every counter, the waiting per errand, due bookings, printers,
    kiosks and the alerts of `[alerts]`."""
    now, seen, online = ctx.clock.now(), dict(ctx.seen), ctx.hub.online()
    state = await ctx.read(lambda db: supervisor_state(db, ctx.config, now, seen=seen, online=online))
    return JsonAnswer(state)


@router.post("/counters/{counter_id}/state", response_model=CounterAnswer, responses=errors(401, 403, 404, 422))
async def counter_state(counter_id: str, body: StateBody, ctx: CtxDep, head: HeadDevice) -> JsonAnswer:
    """Open, pause or close any counter (audited as `counter.state`)."""
    counter = await ctx.write(lambda work: actions.counter_state(work, _actor(head), counter_id, body.state))
    return JsonAnswer({"counter": counter_json(counter)})


@router.post("/tickets/{ticket_id}/move", response_model=TicketAnswer, responses=errors(401, 403, 404, 409, 422))
async def move_ticket(ticket_id: str, body: MoveBody, ctx: CtxDep, head: HeadDevice) -> JsonAnswer:
    """Move a waiting or called ticket to another errand and/or counter (audited as `ticket.move`)."""
    def act(work: Work) -> Any:
        return actions.move_ticket(work, _actor(head), ticket_id, body.service_id, body.counter_id)

    return JsonAnswer({"ticket": ticket_json(await ctx.write(act))})


@router.post("/services/{service_id}/walk-ins", response_model=WalkInsAnswer, responses=errors(401, 403, 404, 422))
async def walk_ins(service_id: str, body: WalkInsBody, ctx: CtxDep, head: HeadDevice) -> JsonAnswer:
    """Stop (`stopped: true`) walk-in tickets for an errand for the rest of the day, or resume them."""
    stopped = await ctx.write(lambda work: actions.walk_ins(work, _actor(head), service_id, stop=body.stopped))
    return JsonAnswer({"service_id": service_id, "walk_in_stopped": stopped})
