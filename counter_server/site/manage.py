"""A booker's own appointment behind its secret link: see, move (one step), cancel, .ics, print."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..bookings import self_service
from ..bookings.commands import token_for
from ..bookings.confirmation import confirmation_html, qr_png
from ..bookings.parse import service_of
from ..bookings.rows import contacts_of
from ..core.appointments import Appointment
from ..core.booking_code import display_code
from ..core.errors import DomainError
from ..core.slots import SlotUnavailable
from ..mail.notify import mail_configured
from .calendar_file import ics_of
from .common import ctx_of, failure, page_for
from .forms import BadForm, read_form
from .render import NO_STORE, render
from .routes import SEE_OTHER, site_info, times_page

router = APIRouter(include_in_schema=False)


async def _appointment(request: Request, secret: str) -> Appointment:
    return await ctx_of(request).read(lambda db: self_service.find_by_secret(db, secret))


@router.get("/book/manage/{secret}")
async def manage(request: Request, secret: str) -> HTMLResponse:
    page = page_for(request)
    ctx = ctx_of(request)
    try:
        appointment = await _appointment(request, secret)
        service = service_of(ctx.config, appointment.service_id)
    except DomainError as error:
        return failure(page, error)
    if "lang" not in request.query_params:  # the link from the e-mail: the booking's own language
        page = page_for(request, await ctx.read(lambda db: self_service.lang_of(db, appointment.id)))
    contact = await ctx.read(lambda db: contacts_of(db, [appointment.id]))
    mailed = mail_configured(ctx.config) and bool(contact.get(appointment.id, {}).get("email"))
    qr = base64.b64encode(qr_png(token_for(ctx.config, ctx.keyring, appointment))).decode("ascii")
    return render(
        page, "manage.html", appointment=appointment, code=display_code(appointment.code), qr=qr,
        base=f"/book/manage/{secret}", new=request.query_params.get("new") == "1",
        moved=request.query_params.get("moved") == "1", mail=mail_configured(ctx.config), mailed=mailed,
        window=ctx.config.appointments.window, **site_info(page, service),
    )


@router.get("/book/manage/{secret}/move")
async def move_times(request: Request, secret: str) -> HTMLResponse:
    page = page_for(request)
    try:
        appointment = await _appointment(request, secret)
        service = service_of(page.config, appointment.service_id)
    except DomainError as error:
        return failure(page, error)
    return await times_page(request, page, service, action=f"/book/manage/{secret}/move",
                            method="post", here=f"/book/manage/{secret}/move", leave_out=appointment.id, heading="move_title")


@router.post("/book/manage/{secret}/move")
async def move(request: Request, secret: str) -> Response:
    page = page_for(request)
    ctx = ctx_of(request)
    try:
        form = await read_form(request)
        page = page_for(request, form.get("lang"))
        await ctx.write(lambda work: self_service.move_online(work, secret=secret, start=form.get("start")))
    except SlotUnavailable:
        appointment = await _appointment(request, secret)
        service = service_of(page.config, appointment.service_id)
        return await times_page(request, page, service, action=f"/book/manage/{secret}/move",
                                method="post", here=f"/book/manage/{secret}/move", leave_out=appointment.id, taken=True, status=409,
                                heading="move_title")
    except (DomainError, BadForm) as error:
        return failure(page, error)
    return RedirectResponse(page.url(f"/book/manage/{secret}", moved=1), status_code=SEE_OTHER)


@router.post("/book/manage/{secret}/cancel")
async def cancel(request: Request, secret: str) -> Response:
    page = page_for(request)
    try:
        form = await read_form(request)
        page = page_for(request, form.get("lang"))
        await ctx_of(request).write(lambda work: self_service.cancel_online(work, secret=secret))
    except (DomainError, BadForm) as error:
        return failure(page, error)
    return RedirectResponse(page.url(f"/book/manage/{secret}"), status_code=SEE_OTHER)


@router.get("/book/manage/{secret}/calendar.ics")
async def calendar_file(request: Request, secret: str) -> Response:
    page = page_for(request)
    try:
        appointment = await _appointment(request, secret)
    except DomainError as error:
        return failure(page, error)
    body = ics_of(page, appointment, manage_url=f"{page.config.public_url}/book/manage/{secret}")
    headers = {**NO_STORE, "Content-Disposition": 'attachment; filename="termin.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


@router.get("/book/manage/{secret}/print")
async def printable(request: Request, secret: str) -> HTMLResponse:
    page = page_for(request)
    ctx = ctx_of(request)
    try:
        appointment = await _appointment(request, secret)
    except DomainError as error:
        return failure(page, error)
    html = confirmation_html(config=ctx.config, appointment=appointment,
                             token=token_for(ctx.config, ctx.keyring, appointment),
                             window=ctx.config.appointments.window, lang=page.lang)
    return HTMLResponse(html, headers=NO_STORE)
