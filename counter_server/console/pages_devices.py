"""/admin/devices and /admin/audit: the console's device list and its actions, and the log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..auth import ROLES
from ..context import context
from ..core.errors import DomainError
from ..errors import ApiError
from . import device_actions
from .audit import recent
from .pairing import pairing_text, qr_svg
from .web import ADMIN, Caller, form_of, guard, render

router = APIRouter(include_in_schema=False)
ROLE_NAMES = {
    "kiosk": "Kiosk", "counter": "Schalter (Arbeitsplatz)", "display": "Anzeige", "printer": "Drucker-Agent",
    "booking": "Buchungssystem", "head": "Amtsleitung (Aufsicht)", "admin": "Verwaltung",
}


async def _list_page(request: Request, caller: Caller, *, error: str = "", done: str = "",
                     status: int = 200) -> Response:
    ctx = context(request)
    return render(
        "devices.html", status=status, session=caller.session, csrf=caller.csrf, error=error, done=done,
        devices=await device_actions.listing(ctx), roles=ROLES, role_names=ROLE_NAMES,
        counters=ctx.config.office.counters, audit=await ctx.read(lambda db: recent(db, 20)),
    )


def _message(error: Exception) -> str:
    return error.message if isinstance(error, ApiError | DomainError) else str(error)


def _token_page(request: Request, caller: Caller, *, name: str, role: str, token: str, rotated: bool) -> Response:
    base = str(request.base_url).rstrip("/")
    pairing = pairing_text(base, role, token)
    return render("device_token.html", session=caller.session, csrf=caller.csrf, name=name, role=role,
                  role_names=ROLE_NAMES, token=token, pairing=pairing, qr=qr_svg(pairing), rotated=rotated)


@router.get("/admin/devices")
async def devices_page(request: Request, done: str = "") -> Response:
    caller = await guard(request, ADMIN)
    return await _list_page(request, caller, done=done[:100])


@router.post("/admin/devices/add")
async def add_device(request: Request) -> Response:
    form = await form_of(request)
    caller = await guard(request, ADMIN, form=form)
    role = str(form.get("role", ""))
    try:
        device, token = await device_actions.add(
            context(request), caller.actor, role=role, name=str(form.get("name", "")) or role,
            counter_id=str(form.get("counter_id") or "") or None)
    except (ApiError, DomainError) as error:
        return await _list_page(request, caller, error=_message(error), status=422)
    return _token_page(request, caller, name=device.name, role=device.role, token=token, rotated=False)


@router.post("/admin/devices/{device_id}/{action}")
async def device_action(device_id: str, action: str, request: Request) -> Response:
    form = await form_of(request)
    caller = await guard(request, ADMIN, form=form)
    ctx = context(request)
    try:
        if action == "rename":
            await device_actions.rename(ctx, caller.actor, device_id, str(form.get("name", "")))
            return RedirectResponse("/admin/devices?done=Umbenannt", status_code=303)
        if action == "revoke":
            await device_actions.revoke(ctx, caller.actor, device_id)
            return RedirectResponse("/admin/devices?done=Gesperrt", status_code=303)
        if action == "rotate":
            token = await device_actions.rotate(ctx, caller.actor, device_id)
            device = next(d for d in await device_actions.listing(ctx) if d["id"] == device_id)
            return _token_page(request, caller, name=str(device["name"]), role=str(device["role"]), token=token,
                               rotated=True)
    except (ApiError, DomainError) as error:
        return await _list_page(request, caller, error=_message(error), status=422)
    return await _list_page(request, caller, error=f"Unbekannte Aktion {action!r}", status=404)


@router.get("/admin/audit")
async def audit_page(request: Request) -> Response:
    caller = await guard(request, ADMIN)
    entries = await context(request).read(lambda db: recent(db, 500))
    return render("audit.html", session=caller.session, csrf=caller.csrf, audit=entries)
