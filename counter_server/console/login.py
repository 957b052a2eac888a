"""/admin/login and /admin/logout: a console session from an admin or office-head device
token, or from a staff account."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..context import context
from ..store import Tx
from . import sessions
from .audit import Actor, record
from .staff import LoginResult
from .staff_login import DirectoryUnavailable, login_staff
from .web import SUPERVISOR, form_of, guard, render

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "thq_login"
LOCKED_TEXT = "Zu viele falsche Passwörter: dieses Konto ist für einige Minuten gesperrt."
DIRECTORY_TEXT = ("Das Verzeichnis der Stadt (LDAP) ist gerade nicht erreichbar: bitte gleich noch einmal versuchen"
                  " oder die IT anrufen.")


def _next(value: str) -> str:
    # only a path of this server: never a redirect elsewhere
    return value if value.startswith("/") and not value.startswith("//") else "/admin"


def _login_page(next_path: str, error: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(16)
    response = render("login.html", status=status, session=None, csrf="", login_csrf=token, next=next_path,
                      error=error)
    response.set_cookie(LOGIN_COOKIE, token, max_age=1800, httponly=True, samesite="strict", path="/admin/login")
    return response


@router.get("/admin/login")
async def login_form(next: str = "/admin") -> Response:
    return _login_page(_next(next))


async def _actor(request: Request, form: dict[str, str]) -> LoginResult:
    ctx = context(request)
    if form.get("token"):
        device = await ctx.device_for(form["token"].strip())
        return LoginResult(Actor(id=device.id, name=device.name, role=device.role) if device else None)
    if form.get("login") and form.get("password"):
        return await login_staff(ctx, form["login"], form["password"])
    return LoginResult(None)


@router.post("/admin/login")
async def login(request: Request) -> Response:
    ctx = context(request)
    form = {k: v if isinstance(v, str) else v[0] for k, v in (await form_of(request)).items()}
    next_path = _next(form.get("next", "/admin"))
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, form.get("csrf", "")):
        return _login_page(next_path, "Das Formular ist abgelaufen. Bitte noch einmal anmelden.", 403)
    try:
        result = await _actor(request, form)
    except DirectoryUnavailable:
        return _login_page(next_path, DIRECTORY_TEXT, 503)
    actor = result.actor
    if result.locked_until is not None:
        return _login_page(next_path, LOCKED_TEXT, 429)
    if actor is None:
        return _login_page(next_path, "Anmeldung fehlgeschlagen: Schlüssel oder Passwort stimmt nicht.", 401)
    if actor.role not in SUPERVISOR:
        return _login_page(next_path, f"Die Rolle „{actor.role}“ darf die Verwaltung nicht öffnen.", 403)
    if actor.role != "admin" and next_path.startswith("/admin"):
        next_path = "/supervisor"
    now = ctx.clock.now()

    def start(tx: Tx) -> str:
        token, _ = sessions.create(tx.db, now, actor)
        record(tx.db, now, actor, "session.login", actor.kind)
        return token

    token = await ctx.store.write(start, now=now)
    response = RedirectResponse(next_path, status_code=303)
    sessions.set_cookie(response, token)
    response.delete_cookie(LOGIN_COOKIE, path="/admin/login")
    return response


@router.post("/admin/logout")
async def logout(request: Request) -> Response:
    ctx = context(request)
    await guard(request, SUPERVISOR, form=await form_of(request))
    token = request.cookies.get(sessions.COOKIE, "")
    await ctx.store.write(lambda tx: sessions.end(tx.db, token), now=ctx.clock.now())
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response
