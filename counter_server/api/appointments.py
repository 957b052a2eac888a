"""Booked visitors: free slots, booking, cancelling, the day's list, import, QR and confirmation."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import sqlite_utils
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..auth import Device
from ..bookings import commands as bookings
from ..bookings.confirmation import confirmation_html, qr_png
from ..bookings.import_files import parse_rows
from ..bookings.importing import import_rows, summary
from ..bookings.parse import service_of, within_horizon
from ..bookings.rows import appointment_json, contacts_of, day_of, get_appointment, slot_json
from ..bookings.views import booked_answer, day_list, free_slots_of
from ..config import LANGUAGES
from ..context import AnyDevice, BookingDevice, CtxDep, IdempotencyKey, role
from ..errors import bad_request
from ..keys import public_key_text
from ..uow import Work
from .answer import JsonAnswer
from .fields import DATE, AnyJson, Body, Code, Id, one_of
from .models import errors

router = APIRouter()
MAX_IMPORT_BYTES = 2_000_000
BOOKERS = ("booking",)


class BookingBody(Body):
    service_id: Id
    start: Code
    contact: AnyJson = None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bad_request(f"date must look like 2026-12-07, not {text!r}") from None


BookerOrCounter = Annotated[Device, Depends(role(*BOOKERS, "counter"))]
# a page a browser opens by its address: the token may come as ?token= (it cannot send a header)
BookingPage = Annotated[Device, Depends(role(*BOOKERS, query_token=True))]


@router.get("/api/v1/slots", responses=errors(401, 403, 404, 422))
async def list_slots(
    service_id: str, ctx: CtxDep, device: BookingDevice,
    day_text: str = Query(alias="date", json_schema_extra=DATE),
) -> dict[str, Any]:
    """Free appointment start times of one errand on one day (none before today or past the horizon)."""
    day = _day(day_text)
    service = service_of(ctx.config, service_id)
    now = ctx.clock.now()
    bookable = day_of(ctx.config, now) <= day and within_horizon(day, now)
    slots = await ctx.read(lambda db: free_slots_of(db, ctx.config, service=service, day=day, now=now)) if bookable else []
    return {
        "service_id": service.id,
        "date": day.isoformat(),
        "slot_min": service.slot_min,
        "slots": [slot_json(ctx.config, s) for s in slots],
    }


@router.post("/api/v1/appointments", status_code=201, responses=errors(401, 403, 404, 409, 422))
async def book(
    body: BookingBody, ctx: CtxDep, device: BookingDevice, idempotency_key: IdempotencyKey = None
) -> JsonAnswer:
    """Book a free time; the answer carries the QR token and the confirmation's address."""
    def act(work: Work) -> tuple[int, Any]:
        appointment = bookings.book(
            work, service_id=body.service_id, start=body.start, contact=body.contact, device_id=device.id
        )
        return 201, booked_answer(work.config, work.keyring, appointment)

    status, answer = await ctx.write_once(device, idempotency_key, body.model_dump_json(), act)
    return JsonAnswer(answer, status_code=status)


@router.get("/api/v1/appointments", responses=errors(401, 403, 422))
async def list_day(
    ctx: CtxDep,
    device: BookerOrCounter,
    day_text: str | None = Query(None, alias="date", json_schema_extra=DATE),
    counter_id: str | None = None,
) -> dict[str, Any]:
    """The day's appointments (a counter sees names only, nothing to reach a visitor by)."""
    now = ctx.clock.now()
    # Without a date: the office's today by the server's clock, so a clerk page left
    # open overnight (or one on a PC with a wrong clock) still shows the right day.
    day = _day(day_text) if day_text is not None else day_of(ctx.config, now)
    answer = await ctx.read(lambda db: day_list(db, ctx.config, day, device))
    answer["now"] = now.astimezone(ZoneInfo(ctx.config.office.timezone)).isoformat()
    answer["timezone"] = ctx.config.office.timezone
    if counter_id is not None:
        answer["appointments"] = [a for a in answer["appointments"] if a["counter_id"] == counter_id]
        answer["counters"] = [c for c in answer["counters"] if c["id"] == counter_id]
    return answer


IMPORT_ROW = {
    "type": "object",
    "required": ["external_id", "service_id", "start"],
    "properties": {
        "external_id": {"type": "string", "minLength": 1, "maxLength": 100},
        "service_id": {"type": "string"},
        "start": {"type": "string", "format": "date-time"},
        "duration_min": {"type": "integer", "minimum": 1, "maximum": 480},
        "name": {"type": "string", "maxLength": 200},
        "email": {"type": "string", "maxLength": 200},
        "phone": {"type": "string", "maxLength": 200},
    },
}
# CSV (comma or semicolon, the same columns) and iCalendar files are taken too; a file that
# cannot be read at all is refused whole with 422 import_invalid.
IMPORT_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "array", "minItems": 1, "maxItems": 5000, "items": IMPORT_ROW}},
}}}


@router.post("/api/v1/appointments/import", responses=errors(401, 403, 413, 422), openapi_extra=IMPORT_BODY)
async def import_day(request: Request, ctx: CtxDep, device: BookingDevice) -> dict[str, Any]:
    """Bookings from an outside system as CSV, JSON or iCalendar; one report line per row."""
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise bad_request(f"an import may be at most {MAX_IMPORT_BYTES} bytes", code="import_invalid")
    rows = parse_rows(body, request.headers.get("content-type", ""))
    # One transaction: a request imports its rows or, should anything unforeseen fail, none.
    # A row the office cannot take is reported as rejected; the others are kept.
    report = await ctx.write(lambda work: import_rows(work, rows=rows, device_id=device.id))
    return summary(report)


@router.get("/api/v1/appointments/{appointment_id}", responses=errors(401, 403, 404))
async def get_one(appointment_id: str, ctx: CtxDep, device: BookingDevice) -> dict[str, Any]:
    """One booking with its contact, QR token and confirmation's address."""
    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        appointment = get_appointment(db, appointment_id)
        answer = booked_answer(ctx.config, ctx.keyring, appointment)
        answer["appointment"]["contact"] = contacts_of(db, [appointment.id]).get(appointment.id)
        return answer

    return await ctx.read(read)


@router.post("/api/v1/appointments/{appointment_id}/cancel", responses=errors(401, 403, 404, 409))
async def cancel(appointment_id: str, ctx: CtxDep, device: BookingDevice) -> dict[str, Any]:
    """Cancel a booking; its time is free again at once."""
    cancelled = await ctx.write(lambda work: bookings.cancel(work, appointment_id=appointment_id))
    return {"appointment": appointment_json(ctx.config, cancelled)}


@router.get("/api/v1/appointments/{appointment_id}/qr.png", responses=errors(401, 403, 404))
async def qr(appointment_id: str, ctx: CtxDep, device: BookingDevice) -> Response:
    """The booking's QR code for the kiosk, as PNG."""
    appointment = await ctx.read(lambda db: get_appointment(db, appointment_id))
    token = bookings.token_for(ctx.config, ctx.keyring, appointment)
    return Response(qr_png(token), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/api/v1/appointments/{appointment_id}/confirmation", responses=errors(401, 403, 404))
async def confirmation(
    appointment_id: str, ctx: CtxDep, device: BookingPage, lang: str = Query("de", json_schema_extra=one_of(*LANGUAGES))
) -> HTMLResponse:
    """A printable confirmation page with the booking code and QR code."""
    appointment = await ctx.read(lambda db: get_appointment(db, appointment_id))
    page = confirmation_html(
        config=ctx.config,
        appointment=appointment,
        token=bookings.token_for(ctx.config, ctx.keyring, appointment),
        window=ctx.config.appointments.window,
        lang=lang,
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get("/api/v1/keys", responses=errors(401))
async def public_keys(ctx: CtxDep, device: AnyDevice) -> dict[str, Any]:
    """The public keys a kiosk needs to verify appointment QR codes offline."""
    ring = ctx.keyring
    current, _ = ring.signing()
    return {
        "office_id": ctx.config.office.id,
        "current": current,
        "keys": [
            {"kid": kid, "algorithm": "Ed25519", "public_key": public_key_text(key)}
            for kid, key in sorted(ring.public().items())
        ],
    }
