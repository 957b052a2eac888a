"""Calendar feeds for the clerks: `.ics` of the office and of each counter (read-only).

Calendar programs (Thunderbird, Outlook) subscribe by address and cannot send a
header, so the token may come as `?token=`. A counter workstation reads the office's
feed and its own counter's; admin every feed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ..auth import Device
from ..bookings.calendar_feed import feed_ics
from ..context import CtxDep, own_counter, role
from ..core.errors import UnknownCounter
from .models import errors

router = APIRouter()
CalendarDevice = Annotated[Device, Depends(role("counter", query_token=True))]
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
MEDIA = "text/calendar; charset=utf-8"


@router.get("/api/v1/calendar/office.ics", response_class=Response, responses=errors(401, 403))
async def office_calendar(ctx: CtxDep, device: CalendarDevice, token: str = "") -> Response:
    """Every booked time of the office: errand and booking code (`?token=` accepted)."""
    now = ctx.clock.now()
    body = await ctx.read(lambda db: feed_ics(db, ctx.config, now=now))
    return Response(body, media_type=MEDIA, headers=HEADERS)


@router.get("/api/v1/calendar/counters/{counter_id}.ics", response_class=Response,
            responses=errors(401, 403, 404))
async def counter_calendar(counter_id: str, ctx: CtxDep, device: CalendarDevice, token: str = "") -> Response:
    """The booked times of one counter (a counter workstation: its own)."""
    if ctx.config.office.counter(counter_id) is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    own_counter(device, counter_id)
    now = ctx.clock.now()
    body = await ctx.read(lambda db: feed_ics(db, ctx.config, now=now, counter_id=counter_id))
    return Response(body, media_type=MEDIA, headers=HEADERS)
