"""Open data, no token: the live wait per errand, daily aggregates as CSV with DCAT-AP.de
metadata, and the public page "Wie lange warte ich jetzt?".

These routes are their own router so a public listener can serve them alone. Nothing
here carries a person: live counts per errand, and daily cells with fewer than 5
visitors suppressed.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from i18n.catalog import Catalog, UnknownLanguage

from ..config import LANGUAGES
from ..context import Context, CtxDep
from ..core.numbering import office_day
from ..errors import bad_request
from ..jsontext import encode
from ..queue.views import waiting_per_service
from ..stats import exports, open_page
from ..stats.query import daily_cells
from .answer import JsonAnswer
from .models import errors, page_errors

# one of the six languages (the OpenAPI names them; another gets 422 unknown_language)
Language = Annotated[str, Query(json_schema_extra={"enum": list(LANGUAGES)})]

router = APIRouter(tags=["open data"])
LIVE_S = 2.0  # the live answer is computed at most this often, however many portals ask
MAX_DAYS = 366
DAILY_COLUMNS = ["office_day", "service_id"]


class LiveWait:
    """The live answer: computed on the first request, then refreshed in the background when
    older than LIVE_S, so no request waits for the estimates (a stale answer is served meanwhile)."""

    def __init__(self) -> None:
        self.at = 0.0
        self.body: dict[str, Any] = {}
        self.encoded = b"{}"  # the body as JSON, encoded once per refresh
        self.refreshing: asyncio.Task[None] | None = None

    async def get(self, ctx: Context) -> dict[str, Any]:
        if not self.at:
            await self.refresh(ctx)
        elif time.monotonic() - self.at > LIVE_S and self.refreshing is None:
            self.refreshing = asyncio.create_task(self.refresh(ctx))
        return self.body

    async def refresh(self, ctx: Context) -> None:
        try:
            now = ctx.clock.now()
            rows = await ctx.read(lambda db: waiting_per_service(db, ctx.config, now))
            body = {
                "office": {"id": ctx.config.office.id, "name": ctx.config.office.name},
                "updated_at": now.isoformat(),
                "licence": ctx.config.open_data.licence,
                "services": [
                    {"id": r["service_id"], "name": r["names"].get("de", r["service_id"]), "names": r["names"],
                     "waiting": r["waiting"], "wait_min": r["eta_min"]}
                    for r in rows
                ],
            }
            self.body, self.encoded = body, encode(body)
            self.at = time.monotonic()
        finally:
            self.refreshing = None


def _live(request: Request) -> LiveWait:
    live: LiveWait | None = getattr(request.app.state, "open_live", None)
    if live is None:
        live = request.app.state.open_live = LiveWait()
    return live


@router.get("/open/v1/waiting", response_class=JsonAnswer, responses=errors(422))
async def open_waiting(request: Request, ctx: CtxDep) -> Response:
    """Now, per errand: how many wait and about how many minutes a newcomer waits (`wait_min`,
    null when no estimate). Updated live (about 2 s old at most)."""
    live = _live(request)
    await live.get(ctx)
    return Response(live.encoded, media_type="application/json",
                    headers={"Cache-Control": "max-age=2", "Access-Control-Allow-Origin": "*"})


def _range(ctx: Context, first: date | None, last: date | None) -> tuple[date, date]:
    today = office_day(ctx.clock.now(), ctx.config.office.timezone)
    last = last or today - timedelta(days=1)
    first = first or last - timedelta(days=29)
    if first > last:
        raise bad_request("start must not be after end")
    if (last - first).days >= MAX_DAYS:
        raise bad_request(f"at most {MAX_DAYS} days per request")
    return first, last


@router.get("/open/v1/daily.csv", response_class=Response, responses=page_errors(422))
async def open_daily_csv(ctx: CtxDep, start: date | None = None, end: date | None = None) -> Response:
    """Daily figures per errand (visitors, kinds, waits, share served within 15/30 min) as CSV;
    `start`/`end` (default: the 30 days before today). Cells under 5 visitors are empty."""
    first, last = _range(ctx, start, end)
    cells = await ctx.read(lambda db: daily_cells(db, first, last))
    body = exports.cells_csv(cells, DAILY_COLUMNS)
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=300"})


@router.get("/open/v1/catalog.jsonld", responses={200: {"content": {"application/ld+json": {}}}, **page_errors(422)})
async def open_catalog(request: Request, ctx: CtxDep) -> JsonAnswer:
    """DCAT-AP.de description (JSON-LD) of the data sets, with the office's licence."""
    base = (ctx.config.public_url or str(request.base_url)).rstrip("/")
    return JsonAnswer(open_page.dcat(ctx.config, base), media_type="application/ld+json",
                        headers={"Access-Control-Allow-Origin": "*"})


@router.get("/open/wait", response_class=HTMLResponse, responses=page_errors(422))
async def open_wait_page(request: Request, ctx: CtxDep, lang: Language = "de") -> HTMLResponse:
    """The public page "Wie lange warte ich jetzt?" per errand, for the town's website (`?lang=`)."""
    if lang not in ctx.config.office.languages:
        raise bad_request(f"language {lang!r} is not offered here", code="unknown_language")
    try:
        texts = Catalog(lang, "open_wait")
    except UnknownLanguage:
        raise bad_request(f"no texts for {lang!r}", code="unknown_language") from None
    body = await _live(request).get(ctx)
    html = open_page.render(ctx.config, body, texts, lang)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
