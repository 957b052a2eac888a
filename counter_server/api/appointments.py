"""Booked visitors: free slots, booking, cancelling, the day's list, import, QR and confirmation."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from .. import appointments as store
from .. import repo
from ..appointment_confirmation import confirmation_html, qr_png
from ..appointment_import import import_rows, parse_rows, summary
from ..auth import Device
from ..context import Context, context, role
from ..core.appointments import Appointment
from ..errors import bad_request
from ..keys import keyring_for, public_key_text
from ..store import Tx

router = APIRouter()
MAX_IMPORT_BYTES = 2_000_000
IMPORT_CHUNK = 50
BOOKERS = ("booking",)


class BookingBody(BaseModel):
    service_id: str
    start: str
    contact: Any = None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bad_request(f"date must look like 2026-12-07, not {text!r}") from None


def _booked_answer(ctx: Context, appointment: Appointment) -> dict[str, Any]:
    token = store.token_for(ctx.config, keyring_for(ctx.data_dir), appointment)
    base = f"/api/v1/appointments/{appointment.id}"
    return {
        "appointment": store.appointment_json(ctx.config, appointment),
        "token": token,
        "qr_url": f"{base}/qr.png",
        "confirmation_url": f"{base}/confirmation",
    }


@router.get("/api/v1/slots")
async def list_slots(
    service_id: str,
    day_text: str = Query(alias="date"),
    ctx: Context = Depends(context),
    device: Device = Depends(role(*BOOKERS)),
) -> dict[str, Any]:
    day = _day(day_text)
    service = store.service_of(ctx.config, service_id)
    now = ctx.clock.now()
    store.check_horizon(day, now)
    slots = await ctx.store.read(
        lambda db: store.free_slots_of(db, ctx.config, service=service, day=day, now=now)
    )
    return {
        "service_id": service.id,
        "date": day.isoformat(),
        "slot_min": service.slot_min,
        "slots": [store.slot_json(ctx.config, s) for s in slots],
    }


@router.post("/api/v1/appointments", status_code=201)
async def book(
    body: BookingBody,
    ctx: Context = Depends(context),
    device: Device = Depends(role(*BOOKERS)),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JSONResponse:
    def act(tx: Tx) -> tuple[int, Any]:
        appointment = store.book(
            tx,
            config=ctx.config,
            service_id=body.service_id,
            start=body.start,
            contact=body.contact,
            device_id=device.id,
        )
        return 201, _booked_answer(ctx, appointment)

    status, answer = await ctx.write_once(device, idempotency_key, body.model_dump_json(), act)
    return JSONResponse(answer, status_code=status)


def _day_list(db: sqlite_utils.Database, ctx: Context, day: date, device: Device) -> dict[str, Any]:
    config = ctx.config
    found = store.appointments_of_day(db, day)
    contacts = store.contacts_of(db, [a.id for a in found])
    rows = []
    for appointment in found:
        row = store.appointment_json(config, appointment)
        ticket = repo.get_ticket(db, appointment.ticket_id) if appointment.ticket_id else None
        row["ticket"] = (
            {
                "id": ticket.id,
                "number": ticket.number,
                "state": ticket.state.value,
                "counter_id": ticket.counter_id,
            }
            if ticket
            else None
        )
        contact = contacts.get(appointment.id)
        # A clerk needs the name to greet the visitor, nothing to reach them by.
        if contact and device.role == "counter":
            contact = {"name": contact["name"]} if contact.get("name") else None
        row["contact"] = contact
        rows.append(row)
    counters = []
    for counter in config.office.counters:
        mine = [r for r in rows if r["counter_id"] == counter.id]
        counters.append(
            {
                "id": counter.id,
                "label": counter.label,
                "booked": sum(1 for r in mine if r["status"] != "cancelled"),
                "arrived": sum(1 for r in mine if r["arrived"]),
                "appointments": [r["id"] for r in mine],
            }
        )
    return {"date": day.isoformat(), "appointments": rows, "counters": counters}


@router.get("/api/v1/appointments")
async def list_day(
    day_text: str | None = Query(None, alias="date"),
    counter_id: str | None = None,
    ctx: Context = Depends(context),
    device: Device = Depends(role(*BOOKERS, "counter")),
) -> dict[str, Any]:
    now = ctx.clock.now()
    # Without a date: the office's today by the server's clock, so a clerk page left
    # open overnight (or one on a PC with a wrong clock) still shows the right day.
    day = _day(day_text) if day_text is not None else store.day_of(ctx.config, now)
    answer = await ctx.store.read(lambda db: _day_list(db, ctx, day, device))
    answer["now"] = now.astimezone(ZoneInfo(ctx.config.office.timezone)).isoformat()
    answer["timezone"] = ctx.config.office.timezone
    if counter_id is not None:
        answer["appointments"] = [
            a for a in answer["appointments"] if a["counter_id"] == counter_id
        ]
        answer["counters"] = [c for c in answer["counters"] if c["id"] == counter_id]
    return answer


@router.post("/api/v1/appointments/import")
async def import_day(
    request: Request,
    ctx: Context = Depends(context),
    device: Device = Depends(role(*BOOKERS)),
) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise bad_request(
            f"an import may be at most {MAX_IMPORT_BYTES} bytes", code="import_invalid"
        )
    rows = parse_rows(body, request.headers.get("content-type", ""))
    keyring = keyring_for(ctx.data_dir)
    report: list[dict[str, Any]] = []
    # Short transactions, so kiosks checking visitors in never wait behind a long import;
    # a retry after a failure is safe because rows are idempotent on their outside id.
    for first in range(0, len(rows), IMPORT_CHUNK):
        chunk = rows[first : first + IMPORT_CHUNK]

        def write(tx: Tx, chunk: list[Any] = chunk, first: int = first) -> list[dict[str, Any]]:
            return import_rows(
                tx,
                config=ctx.config,
                keyring=keyring,
                rows=chunk,
                device_id=device.id,
                first=first + 1,
            )

        report += await ctx.store.write(write, now=ctx.clock.now())
    return summary(report)


@router.get("/api/v1/appointments/{appointment_id}")
async def get_one(
    appointment_id: str,
    ctx: Context = Depends(context),
    device: Device = Depends(role(*BOOKERS)),
) -> dict[str, Any]:
    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        appointment = store.get_appointment(db, appointment_id)
        answer = _booked_answer(ctx, appointment)
        answer["appointment"]["contact"] = store.contacts_of(db, [appointment.id]).get(
            appointment.id
        )
        return answer

    return await ctx.store.read(read)


@router.post("/api/v1/appointments/{appointment_id}/cancel")
async def cancel(
    appointment_id: str,
    ctx: Context = Depends(context),
    device: Device = Depends(role(*BOOKERS)),
) -> dict[str, Any]:
    cancelled = await ctx.store.write(
        lambda tx: store.cancel(tx, appointment_id=appointment_id), now=ctx.clock.now()
    )
    return {"appointment": store.appointment_json(ctx.config, cancelled)}


@router.get("/api/v1/appointments/{appointment_id}/qr.png")
async def qr(
    appointment_id: str,
    ctx: Context = Depends(context),
    device: Device = Depends(role(*BOOKERS)),
) -> Response:
    appointment = await ctx.store.read(lambda db: store.get_appointment(db, appointment_id))
    token = store.token_for(ctx.config, keyring_for(ctx.data_dir), appointment)
    return Response(qr_png(token), media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/api/v1/appointments/{appointment_id}/confirmation")
async def confirmation(
    appointment_id: str,
    lang: str = "de",
    ctx: Context = Depends(context),
    device: Device = Depends(role(*BOOKERS)),
) -> HTMLResponse:
    appointment = await ctx.store.read(lambda db: store.get_appointment(db, appointment_id))
    page = confirmation_html(
        config=ctx.config,
        appointment=appointment,
        token=store.token_for(ctx.config, keyring_for(ctx.data_dir), appointment),
        window=store.settings_of(ctx.config).window,
        lang=lang,
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get("/api/v1/keys")
async def public_keys(
    ctx: Context = Depends(context),
    device: Device = Depends(role()),
) -> dict[str, Any]:
    """The public keys a kiosk needs to verify appointment QR codes offline."""
    ring = keyring_for(ctx.data_dir)
    current, _ = ring.signing()
    return {
        "office_id": ctx.config.office.id,
        "current": current,
        "keys": [
            {"kid": kid, "algorithm": "Ed25519", "public_key": public_key_text(key)}
            for kid, key in sorted(ring.public().items())
        ],
    }
