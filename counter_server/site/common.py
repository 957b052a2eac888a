"""What every page of the booking site shares: its context, language, client and error pages."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from ..bookings.parse import AppointmentNotCancellable, InvalidAppointment
from ..bookings.self_service import ManageLinkUnknown, TooManyOpenBookings
from ..bookings.waitlist import OfferExpired, WaitlistLinkUnknown
from ..context import Context
from ..core.errors import DomainError, UnknownService
from ..text import BadText
from .forms import BadForm
from .guard import Guard, RateLimited, guard_of
from .render import Page, language, render

# domain error -> (status, text key of its plain explanation)
EXPLANATIONS: list[tuple[type[Exception], int, str]] = [
    (UnknownService, 404, "error_unknown_service"),
    (ManageLinkUnknown, 404, "error_link"),
    (WaitlistLinkUnknown, 404, "error_link"),
    (TooManyOpenBookings, 409, "error_too_many"),
    (OfferExpired, 409, "offer_gone"),
    (AppointmentNotCancellable, 409, "error_not_changeable"),
    (InvalidAppointment, 422, "error_time"),
]


def ctx_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def page_for(request: Request, lang: str | None = None) -> Page:
    ctx = ctx_of(request)
    asked = lang if lang is not None else request.query_params.get("lang")
    return Page(ctx.config, language(ctx.config, asked), request.url.path)


def guard(request: Request) -> Guard:
    return guard_of(request.app.state)


def client_of(request: Request) -> str:
    """The client's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


def explain(page: Page, key: str, *, status: int, **params: object) -> HTMLResponse:
    return render(page, "error.html", status=status, message=page.t(key, **params))


def failure(page: Page, error: Exception) -> HTMLResponse:
    """A refusal as a page that says in plain words what happened and what to do."""
    if isinstance(error, BadForm):
        limit = page.config.booking.max_open_per_email
        return explain(page, error.key, status=422, limit=limit)
    if isinstance(error, RateLimited):
        key = "error_rate_nojs" if error.without_js else "error_rate"
        return explain(page, key, status=429, limit=error.limit, minutes=error.wait_min)
    if isinstance(error, BadText):
        return explain(page, "error_form", status=422)
    for kind, status, key in EXPLANATIONS:
        if isinstance(error, kind):
            return explain(page, key, status=status, limit=page.config.booking.max_open_per_email)
    if isinstance(error, DomainError):
        return explain(page, "error_form", status=422)
    raise error
