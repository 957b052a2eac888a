"""/supervisor: the office head's live view of the whole office, and its actions.

The page is rendered on the server; supervisor.js follows the event stream (live.js, with the
session's cookie) and swaps in a freshly rendered panel after each burst of events."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..context import Context, context
from ..core.errors import DomainError
from ..uow import Work
from . import supervisor_actions as actions
from .supervisor import supervisor_state
from .web import SUPERVISOR, Caller, form_of, guard, render

router = APIRouter(include_in_schema=False)
STATE_NAMES = {"open": "offen", "paused": "Pause", "closed": "geschlossen"}


async def _state(ctx: Context) -> dict[str, Any]:
    now, seen, online = ctx.clock.now(), dict(ctx.seen), ctx.hub.online()
    return await ctx.read(lambda db: supervisor_state(db, ctx.config, now, seen=seen, online=online))


async def _values(request: Request, caller: Caller, **extra: Any) -> dict[str, Any]:
    ctx = context(request)
    return {"session": caller.session, "csrf": caller.csrf, "s": await _state(ctx), "state_names": STATE_NAMES,
            "counters": ctx.config.office.counters, "services": ctx.config.office.services,
            "office": ctx.config.office.name, **extra}


@router.get("/supervisor")
async def supervisor_page(request: Request, error: str = "") -> Response:
    caller = await guard(request, SUPERVISOR)
    return render("supervisor.html", **await _values(request, caller, error=error[:300]))


@router.get("/supervisor/panel")
async def supervisor_panel(request: Request) -> Response:
    caller = await guard(request, SUPERVISOR)
    html = render("_supervisor_panel.html", **await _values(request, caller, error=""))
    return HTMLResponse(html.body, headers=dict(html.headers))


async def _act(request: Request, act: Any) -> Response:
    form = await form_of(request)
    caller = await guard(request, SUPERVISOR, form=form)
    ctx = context(request)
    try:
        await ctx.write(lambda work: act(work, caller, form))
    except DomainError as error:
        return RedirectResponse(f"/supervisor?error={quote(error.message)}", status_code=303)
    return RedirectResponse("/supervisor", status_code=303)


@router.post("/supervisor/counters/{counter_id}/state")
async def counter_state(counter_id: str, request: Request) -> Response:
    def act(work: Work, caller: Caller, form: dict[str, Any]) -> None:
        actions.counter_state(work, caller.actor, counter_id, str(form.get("state", "")))

    return await _act(request, act)


@router.post("/supervisor/tickets/{ticket_id}/move")
async def move_ticket(ticket_id: str, request: Request) -> Response:
    def act(work: Work, caller: Caller, form: dict[str, Any]) -> None:
        actions.move_ticket(work, caller.actor, ticket_id, str(form.get("service_id") or "") or None,
                            str(form.get("counter_id") or "") or None)

    return await _act(request, act)


@router.post("/supervisor/services/{service_id}/walk-ins")
async def walk_ins(service_id: str, request: Request) -> Response:
    def act(work: Work, caller: Caller, form: dict[str, Any]) -> None:
        actions.walk_ins(work, caller.actor, service_id, stop=form.get("stop") == "1")

    return await _act(request, act)
