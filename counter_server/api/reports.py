"""/reports: statistics for the office head and the council (role admin; `?token=` for a browser).

Everything is read from the statistics tables (`counter_server/stats/`), never from
tickets or contacts. Today's figures are built on demand first (when events came since,
or a minute passed), so the page is current. The page's tables and plots are kept per
selection and statistics version (`stats/cache.py`): drawn once, until a day is rebuilt;
CSV and XLSX (large, fetched once) are made on each request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..auth import Device
from ..context import Context, CtxDep, role
from ..core.numbering import office_day
from ..errors import ApiError, bad_request
from ..stats import exports, plots, query
from ..stats.cache import ReportCache, last_seq, version
from ..stats.job import rebuild_day
from ..stats.page import render, tables
from .models import page_errors

router = APIRouter()
ReportDevice = Annotated[Device, Depends(role("head", "admin", query_token=True))]
Services = Annotated[list[str] | None, Query(alias="service")]
Counters = Annotated[list[str] | None, Query(alias="counter")]
# a clerk's staff id: the report page and its plots only, never a download (those are published)
StaffIds = Annotated[list[str] | None, Query(alias="staff")]
Period = Literal["day", "week", "month", "year"]


def _selection(ctx: Context, period: Period, day: date | None, services: list[str] | None,
               counters: list[str] | None, staff: list[str] | None = None,
               known_staff: dict[str, str] | None = None) -> query.Selection:
    office = ctx.config.office
    known_services = {s.id for s in office.services}
    known_counters = {c.id for c in office.counters}
    for sid in services or ():
        if sid not in known_services:
            raise ApiError(404, "unknown_service", f"no errand {sid!r} in this office")
    for cid in counters or ():
        if cid not in known_counters:
            raise ApiError(404, "unknown_counter", f"no counter {cid!r} in this office")
    for sid in staff or ():
        if sid not in (known_staff or {}):
            raise ApiError(404, "unknown_staff", f"no staff account {sid!r} in this office")
    try:
        return query.select(period, day or office_day(ctx.clock.now(), office.timezone), services, counters, staff)
    except query.BadPeriod as error:
        raise bad_request(str(error)) from None


def _cache(request: Request) -> ReportCache:
    cache: ReportCache | None = getattr(request.app.state, "report_cache", None)
    if cache is None:
        cache = request.app.state.report_cache = ReportCache()
    return cache


async def _refresh_today(ctx: Context, sel: query.Selection, cache: ReportCache) -> None:
    """Today's rows are rebuilt when the report covers today (past days are built at day end)
    and events came since the last build, or it is a minute old (counters' open time grows)."""
    today = office_day(ctx.clock.now(), ctx.config.office.timezone)
    if not sel.first <= today <= sel.last:
        return
    seq = await ctx.read(last_seq)
    if cache.today_is_fresh(today.isoformat(), seq):
        return
    await ctx.store.write(lambda tx: rebuild_day(tx.db, today, ctx.config.office.timezone, now=tx.now),
                          now=ctx.clock.now())
    cache.built_today(today.isoformat(), seq)


async def _cached(request: Request, ctx: Context, sel: query.Selection, part: tuple[Any, ...],
                  make: Callable[[], Awaitable[Any]]) -> Any:
    """`make()` once per part, selection, names and statistics version (today rebuilt first)."""
    cache = _cache(request)
    await _refresh_today(ctx, sel, cache)
    stats_version = await ctx.read(lambda db: version(db, sel))
    names = tuple(tuple(sorted(n.items())) for n in _names(ctx))
    return await cache.get((part, sel, stats_version, names), make)


def _names(ctx: Context) -> tuple[dict[str, str], dict[str, str]]:
    office = ctx.config.office
    return ({s.id: s.name("de") for s in office.services}, {c.id: c.label for c in office.counters})


def _days(sel: query.Selection) -> int:
    return (sel.last - sel.first).days + 1


async def _context(ctx: Context, sel: query.Selection) -> tuple[list[Any], dict[str, Any]]:
    visits = await ctx.read(lambda db: query.visits(db, sel))
    opened = await ctx.read(lambda db: query.open_hours(db, sel))
    names = _names(ctx)[0]
    return visits, {"names": names, "open_hours": opened, "days": _days(sel), "by_month": sel.period == "year"}


@router.get("/reports", response_class=HTMLResponse, responses=page_errors(401, 403, 404, 422))
async def reports_page(request: Request, ctx: CtxDep, device: ReportDevice, token: str = "", period: Period = "month",
                       date: date | None = None, service: Services = None, counter: Counters = None,
                       staff: StaffIds = None) -> HTMLResponse:
    """The report of a day, week, month or year for chosen errands, counters and clerks (`staff`,
    by staff id; their names show here only): tables, plots, downloads."""
    clerks = await ctx.read(query.staff_names)
    sel = _selection(ctx, period, date, service, counter, staff, clerks)
    services, counters = _names(ctx)
    skills = {c.id: tuple(sorted(c.skills)) for c in ctx.config.office.counters}

    async def make() -> str:
        visits = await ctx.read(lambda db: query.visits(db, sel))
        refusals = await ctx.read(lambda db: query.refusals(db, sel))
        return await asyncio.to_thread(lambda: tables(visits=visits, refusals=refusals, services=services,
                                                      clerks=clerks, skills=skills))
    body = await _cached(request, ctx, sel, ("tables", tuple(sorted(clerks.items())), tuple(skills.items())), make)
    html = render(office=ctx.config.office.name, sel=sel, token=token, body=body, services=services,
                  counters=counters, clerks=clerks)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/reports/plots/{name}.png", response_class=Response, responses=page_errors(401, 403, 404, 422))
async def report_plot(request: Request, name: str, ctx: CtxDep, device: ReportDevice, period: Period = "month",
                      date: date | None = None, service: Services = None, counter: Counters = None,
                      staff: StaffIds = None) -> Response:
    """One plot of the report, drawn by the server (PNG); small groups are not drawn ("<5")."""
    if name not in plots.PLOTS:
        raise ApiError(404, "not_found", f"no plot {name!r}; plots: {', '.join(plots.PLOTS)}")
    clerks = await ctx.read(query.staff_names) if staff else {}
    sel = _selection(ctx, period, date, service, counter, staff, clerks)

    async def make() -> bytes:
        visits, context = await _context(ctx, sel)
        return await asyncio.to_thread(plots.png, name, visits, **context)

    image = await _cached(request, ctx, sel, ("plot", name), make)
    return Response(image, media_type="image/png", headers={"Cache-Control": "no-store"})


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@router.get("/reports/export.csv", response_class=Response, responses=page_errors(401, 403, 404, 422))
async def report_csv(request: Request, ctx: CtxDep, device: ReportDevice, period: Period = "month", date: date | None = None,
                     service: Services = None, counter: Counters = None) -> Response:
    """The report's cells per day, errand, counter and hour as CSV (cells under 5 visits suppressed)."""
    sel = _selection(ctx, period, date, service, counter)

    await _refresh_today(ctx, sel, _cache(request))
    visits, _ = await _context(ctx, sel)
    body = await asyncio.to_thread(exports.csv_text, visits)
    return _download(body, "text/csv; charset=utf-8", f"bericht-{sel.title}.csv")


@router.get("/reports/export.xlsx", response_class=Response, responses=page_errors(401, 403, 404, 422))
async def report_xlsx(request: Request, ctx: CtxDep, device: ReportDevice, period: Period = "month", date: date | None = None,
                      service: Services = None, counter: Counters = None) -> Response:
    """The report as an Excel workbook: sheets per errand, day, hour, counter and in detail."""
    sel = _selection(ctx, period, date, service, counter)

    await _refresh_today(ctx, sel, _cache(request))
    visits, _ = await _context(ctx, sel)
    body = await asyncio.to_thread(exports.xlsx_bytes, visits, f"Bericht {sel.title}")
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"bericht-{sel.title}.xlsx")


@router.get("/reports/monthly.pdf", response_class=Response, responses=page_errors(401, 403, 404, 422))
async def report_pdf(request: Request, ctx: CtxDep, device: ReportDevice, date: date | None = None,
                     service: Services = None, counter: Counters = None, period: Period = "month") -> Response:
    """The month's report for the council as PDF: a summary table and the plots."""
    sel = _selection(ctx, "month", date, service, counter)

    async def make() -> bytes:  # a month's PDF is small and slow to draw: kept as the page's plots are
        visits, context = await _context(ctx, sel)
        return await asyncio.to_thread(exports.pdf_bytes, sel.title, ctx.config.office.name, visits, context)

    body = await _cached(request, ctx, sel, ("pdf",), make)
    return _download(body, "application/pdf", f"monatsbericht-{sel.title}.pdf")
