"""What every console page shares: templates, who is asking (session or bearer token), the
role check and the CSRF check. Every page and action goes through `guard`."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..context import Context, bearer, context
from . import sessions
from .audit import Actor
from .sessions import Session

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined,
)
ADMIN = ("admin",)
SUPERVISOR = ("admin", "head")
NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; img-src 'self' data:"}


class Refused(Exception):
    """A console request that may not go on: answered with this response."""

    def __init__(self, response: Response) -> None:
        super().__init__("refused")
        self.response = response


def render(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(**values)
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def refusal(status: int, message: str) -> HTMLResponse:
    return render("refused.html", status=status, message=message, session=None, csrf="")


class Caller:
    """Who asks: a console session (cookie) or a device token (Bearer, for scripts)."""

    def __init__(self, actor: Actor, session: Session | None) -> None:
        self.actor, self.session = actor, session

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""


async def _caller(ctx: Context, request: Request) -> Caller | None:
    token = bearer(request)
    if token:
        device = await ctx.device_for(token)
        if device is None:
            raise Refused(refusal(401, "Dieser Geräteschlüssel ist unbekannt oder gesperrt."))
        ctx.saw(device, request)
        return Caller(Actor(id=device.id, name=device.name, role=device.role), None)
    session = await sessions.current(ctx, request)
    return Caller(session.actor, session) if session else None


async def guard(request: Request, roles: tuple[str, ...], *, form: dict[str, Any] | None = None) -> Caller:
    """The caller, when their role may use this page; with `form`, the CSRF token checked too."""
    ctx = context(request)
    caller = await _caller(ctx, request)
    if caller is None:
        target = quote(request.url.path, safe="/")
        raise Refused(RedirectResponse(f"/admin/login?next={target}", status_code=303))
    if caller.actor.role not in roles:
        raise Refused(refusal(403, f"Diese Seite ist der Rolle „{caller.actor.role}“ nicht erlaubt."))
    if form is not None and caller.session is not None:
        given = form.get("csrf") or request.headers.get("x-csrf-token")
        if not sessions.csrf_ok(caller.session, str(given) if given else None):
            raise Refused(refusal(403, "Das Formular ist abgelaufen (CSRF). Bitte die Seite neu laden."))
    return caller


async def form_of(request: Request) -> dict[str, Any]:
    """The posted form as a dict (a field given more than once: a list)."""
    data = await request.form()
    values: dict[str, Any] = {}
    for key in data:
        items = [str(v) for v in data.getlist(key)]
        values[key] = items if len(items) > 1 else items[0]
    return values


async def _refused(_: Request, error: Exception) -> Response:
    assert isinstance(error, Refused)
    return error.response


def install(app: FastAPI) -> None:
    app.add_exception_handler(Refused, _refused)
