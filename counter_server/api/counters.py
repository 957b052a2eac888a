"""A clerk's counter: open, pause, close, call the next visitor, or the one just checked in here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field

from ..context import CounterDevice, CtxDep, IdempotencyKey, own_counter
from ..core.model import CounterState
from ..errors import bad_request
from ..queue import commands, counters, rows
from ..queue.shapes import counter_json, hold_json, ticket_json
from ..queue.views import counter_view
from ..uow import Work
from .answer import JsonAnswer
from .fields import Body, Id, Word, one_of
from .models import CounterAnswer, CounterView, NextAnswer, TicketAnswer, errors

router = APIRouter(prefix="/api/v1/counters")


class StateBody(Body):
    state: Word = Field(json_schema_extra=one_of("open", "paused", "closed"))


class CallBody(Body):
    ticket_id: Id


def _state(text: str) -> CounterState:
    try:
        return CounterState(text)
    except ValueError:
        raise bad_request(f"state must be open, paused or closed, not {text!r}") from None


def _flag(name: str, text: str | None, *, default: bool) -> bool:
    if text is None:
        return default
    if text.lower() in ("true", "1"):
        return True
    if text.lower() in ("false", "0"):
        return False
    raise bad_request(f"{name} must be true or false, not {text!r}", field=name)


def _outcome(text: str | None) -> commands.Outcome | None:
    if text is None or text == "":
        return None
    if text == "done":
        return "done"
    if text == "no_show":
        return "no_show"
    raise bad_request(f"previous must be done or no_show, not {text!r}", field="previous")


class Unrecorded(Exception):
    """An answer that wrote nothing and must not be kept for its Idempotency-Key.

    Raised out of the write so its transaction rolls back (there is nothing to keep)
    and the key stays unused: a retry decides afresh instead of replaying it.
    """

    def __init__(self, status: int, body: Any) -> None:
        super().__init__("answer not recorded")
        self.status, self.body = status, body


def _answer(status: int, body: Any) -> Response:
    if status == 204:
        return Response(status_code=204)
    return JsonAnswer(body, status_code=status)


@router.post("/{counter_id}/state", response_model=CounterAnswer, responses=errors(401, 403, 404, 422))
async def set_state(
    counter_id: str, body: StateBody, ctx: CtxDep, device: CounterDevice, idempotency_key: IdempotencyKey = None
) -> Response:
    """Open, pause or close this counter."""
    own_counter(device, counter_id)
    state = _state(body.state)

    def act(work: Work) -> tuple[int, Any]:
        counter = counters.set_counter_state(work, counter_id=counter_id, state=state)
        return 200, {"counter": counter_json(counter, rows.current_ticket(work.db, counter_id))}

    return _answer(*await ctx.write_once(device, idempotency_key, f"state:{counter_id}:{state.value}", act))


@router.post(
    "/{counter_id}/next", response_model=NextAnswer,
    responses={204: {"description": "nobody waits for this counter"}, **errors(401, 403, 404, 409, 422)},
)
async def call_next(
    counter_id: str,
    ctx: CtxDep,
    device: CounterDevice,
    hold: str | None = Query(
        None, description="false: call someone even where the slot guard would hold",
        json_schema_extra=one_of("true", "false", "1", "0"),
    ),
    previous: str | None = Query(
        None, description="done or no_show: how the visit called but not started ended",
        json_schema_extra=one_of("done", "no_show"),
    ),
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """200 with the ticket called; 204 when nobody waits; with guard_slots on, 200 with
    `"ticket": null` and `held_for` when the counter stays free for a booked visitor.

    Next ends the counter's current visit. One only called, never started, ends as
    `previous` says; without it as office.toml `[queue] next_on_called` says, and with
    its default `ask`, 409 `previous_outcome_needed` (nothing changed)."""
    own_counter(device, counter_id)
    may_hold = _flag("hold", hold, default=True)
    outcome = _outcome(previous)

    def act(work: Work) -> tuple[int, Any]:
        decision = commands.call_next(work, counter_id=counter_id, hold=may_hold, previous=outcome)
        if decision.ticket is not None:
            return 200, {"ticket": ticket_json(decision.ticket)}
        if decision.held_for is None:
            return 204, None
        body = {"ticket": None, "held_for": hold_json(work.office, decision.held_for)}
        if not work.events:
            # A hold is a passing state: a retry after the booked visitor checked in
            # should call them, not replay "held". Nothing was written, so nothing repeats.
            raise Unrecorded(200, body)
        # Next closed the current visit as well: that happened once, and its answer is kept.
        return 200, body

    request = f"next:{counter_id}" + ("" if may_hold else ":hold=false") + (f":previous={outcome}" if outcome else "")
    try:
        return _answer(*await ctx.write_once(device, idempotency_key, request, act))
    except Unrecorded as answer:
        return _answer(answer.status, answer.body)


@router.post("/{counter_id}/call", response_model=TicketAnswer, responses=errors(401, 403, 404, 409, 422))
async def call_checked_in(
    counter_id: str, body: CallBody, ctx: CtxDep, device: CounterDevice, idempotency_key: IdempotencyKey = None
) -> Response:
    """Call the visitor this workstation just checked in by code: they stand at the counter.

    200 with the ticket called; 409 when the counter is not open, still has a visit or does
    not serve the errand; 403 `call_not_offered` for a ticket another device issued.
    """
    own_counter(device, counter_id)

    def act(work: Work) -> tuple[int, Any]:
        called = commands.call_checked_in(
            work, counter_id=counter_id, ticket_id=body.ticket_id, device_id=device.id
        )
        return 200, {"ticket": ticket_json(called)}

    request = f"call:{counter_id}:{body.ticket_id}"
    return _answer(*await ctx.write_once(device, idempotency_key, request, act))


@router.get("/{counter_id}/queue", response_model=CounterView, responses=errors(401, 403, 404))
async def counter_queue(counter_id: str, ctx: CtxDep, device: CounterDevice) -> JsonAnswer:
    """What the clerk sees: the current ticket and who waits for this counter."""
    own_counter(device, counter_id)
    now = ctx.clock.now()
    return JsonAnswer(await ctx.read(lambda db: counter_view(db, ctx.config, counter_id, now)))
