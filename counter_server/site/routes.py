"""The booking site's pages: errand, free times, the booker's details, privacy notice.

Every page works as plain HTML forms; `static/site.js` only solves the proof of work
and so lifts the stricter limit of bookings without JavaScript.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..bookings import self_service
from ..bookings.parse import parse_start, service_of
from ..bookings.rows import day_of
from ..bookings.views import free_slots_of
from ..core.errors import DomainError
from ..core.model import Service
from ..core.slots import SlotUnavailable
from ..mail.notify import mail_configured
from .common import client_of, ctx_of, failure, guard, page_for
from .forms import BadForm, contact_from, read_form
from .guard import RateLimited
from .month_cache import cached_proposals, month_cache_of
from .proposals import week_page
from .render import Page, render

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303


def site_info(page: Page, service: Service) -> dict[str, Any]:
    site = page.config.booking.service(service.id)
    return {"service": service, "bring": site.bring_in(page.lang), "online_url": site.online_url,
            "minutes": service.slot_min * service.slots}


async def times_page(
    request: Request, page: Page, service: Service, *, action: str, method: str, here: str,
    taken: bool = False, leave_out: str | None = None, status: int = 200, heading: str = "step_time",
) -> HTMLResponse:
    """The earliest times and one week of the calendar (`?week=` its Monday); `here` is the
    address of this page, which the links to the other weeks point to."""
    ctx = ctx_of(request)
    now = ctx.clock.now()
    proposals = await ctx.read(cached_proposals(
        month_cache_of(request.app.state), ctx, service=service, now=now, leave_out=leave_out))
    shown = week_page(proposals, request.query_params.get("week"))
    return render(page, "times.html", status=status, proposals=proposals, shown=shown, here=here,
                  action=action, method=method, taken=taken, heading=heading,
                  waitlist=leave_out is None, **site_info(page, service))


@router.get("/book")
async def errands(request: Request) -> HTMLResponse:
    page = page_for(request)
    services = [site_info(page, s) for s in page.config.office.services]
    return render(page, "errands.html", services=services)


@router.get("/book/{service_id}")
async def times(request: Request, service_id: str) -> HTMLResponse:
    page = page_for(request)
    try:
        service = service_of(page.config, service_id)
    except DomainError as error:
        return failure(page, error)
    return await times_page(request, page, service, action=f"/book/{service.id}/details", method="get",
                            here=f"/book/{service.id}")


@router.get("/book/{service_id}/details")
async def details(request: Request, service_id: str) -> HTMLResponse:
    """The chosen time and the form for the booker's name (and e-mail)."""
    page = page_for(request)
    ctx = ctx_of(request)
    try:
        service = service_of(page.config, service_id)
        start = parse_start(request.query_params.get("start"), page.config)
        now = ctx.clock.now()
        free = await ctx.read(lambda db: free_slots_of(
            db, ctx.config, service=service, day=day_of(ctx.config, start), now=now))
    except DomainError as error:
        return failure(page, error)
    if not any(slot.start == start for slot in free):
        return await times_page(request, page, service, action=f"/book/{service.id}/details",
                                method="get", here=f"/book/{service.id}", taken=True, status=409)
    return render(page, "details.html", start=start, challenge=guard(request).challenge(ctx.config.booking),
                  action=f"/book/{service.id}/details", mail=mail_configured(ctx.config), **site_info(page, service))


@router.post("/book/{service_id}/details")
async def book(request: Request, service_id: str) -> Response:
    """Book the chosen time; on success the manage page, a taken time shows the next ones."""
    page = page_for(request)
    ctx = ctx_of(request)
    try:
        form = await read_form(request)
        page = page_for(request, form.get("lang"))
        service = service_of(page.config, service_id)
        contact = contact_from(form)
        proof = guard(request).proven(form.get("altcha"))
        guard(request).admit(client_of(request), proof=proof, settings=ctx.config.booking)
        _, secret = await ctx.write(lambda work: self_service.book_online(
            work, service_id=service.id, start=form.get("start"), contact=contact, lang=page.lang,
            proof=proof))
    except SlotUnavailable:
        return await times_page(request, page, service, action=f"/book/{service.id}/details",
                                method="get", here=f"/book/{service.id}", taken=True, status=409)
    except (DomainError, BadForm, RateLimited) as error:
        return failure(page, error)
    return RedirectResponse(page.url(self_service.manage_path(secret), new=1), status_code=SEE_OTHER)


@router.get("/privacy")
async def privacy(request: Request) -> HTMLResponse:
    """The privacy notice of the booking site, from office.toml `[privacy]`."""
    page = page_for(request)
    settings = page.config.booking.privacy
    return render(page, "privacy.html", privacy=settings,
                  controller=settings.controller or page.config.office.name,
                  days=page.config.appointments.contact_retention_days)


fallback = APIRouter(include_in_schema=False)


@fallback.api_route("/book/{rest:path}", methods=["GET", "POST"])
async def unknown_page(request: Request, rest: str) -> HTMLResponse:
    """A mistyped address under /book: a page that says so, not a JSON error."""
    page = page_for(request)
    return render(page, "error.html", status=404, message=page.t("error_not_found"))
