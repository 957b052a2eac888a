"""City statistics and open data on `townhall city serve`, from the PostgreSQL read model.

The same figures as an office's `/reports` and `/open/v1/…` (`core.stats` over the same
facts, cells under 5 visitors suppressed, no clerk), for the whole city or one office:
`/reports` (six languages) and its CSV, `/open/v1/daily.csv`, `/open/v1/waiting` (each
office's own live answer, asked over HTTP), `/open/v1/catalog.jsonld`. Everything here is
published data, so no token is asked, as for an office's open data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import psycopg
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from i18n.catalog import Catalog

from ..api.answer import JsonAnswer
from ..core import stats
from ..stats import exports, open_page, plots
from ..stats.cache import ReportCache
from ..stats.query import PERIODS, BadPeriod, Selection, select
from . import live, migrations, stats_query, stats_store
from .directory import CityDirectory
from .site import CityPage, render

MAX_DAYS = 366
OPEN_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=300"}
COLUMNS = ("visitors", "walk_in", "booked", "booked_late", "no_show", "cancelled", "transferred", "parked",
           "offline", "wait_mean_min", "wait_median_min", "wait_p90_min", "wait_max_min", "service_mean_min",
           "within_15_share", "within_30_share", "booked_on_time_share", "eta_error_mean_min")
REASONS = ("daily_cap_reached", "walk_in_closed", "office_closed", "walk_in_not_allowed", "lease_expired")


class StatsPage(CityPage):
    """A statistics page: numbers in the page's language; its language links keep the selection."""

    query = ""

    @property
    def languages(self) -> list[tuple[str, str, str]]:
        return [(code, name, f"{self.path}?{self.query}&lang={code}" if self.query else link)
                for code, name, link in super().languages]

    def number(self, value: Any, name: str) -> str:
        if value is None:
            return "–"
        if name.endswith("_share"):
            return str(format_percent(value, locale=self.lang))
        return str(format_decimal(value, locale=self.lang))

    def span(self, first: date, last: date) -> str:
        """The period's days in the page's language (one day, or first – last)."""
        short = [str(format_date(d, "medium", locale=self.lang)) for d in (first, last)]
        return short[0] if first == last else f"{short[0]} – {short[1]}"

    def reason(self, reason: str) -> str:
        return self.t(f"reason_{reason}") if reason in REASONS else reason


def _today(directory: CityDirectory) -> date:
    return datetime.now(ZoneInfo(directory.timezone)).date()


def _offices(directory: CityDirectory, office: str) -> list[str] | None:
    """The offices a request asks for: one, or every office of city.toml; None for an unknown one."""
    if not office:
        return [o.id for o in directory.offices]
    return [office] if directory.office(office) is not None else None


_SCHEMA_MADE: set[str] = set()


def _schema(conn: psycopg.Connection[Any], dsn: str) -> None:
    """The schema up to date (statistics tables included), once per process."""
    if dsn not in _SCHEMA_MADE:
        migrations.migrate(conn)
        _SCHEMA_MADE.add(dsn)


def _gather(directory: CityDirectory, sel: Selection, offices: list[str], *,
            with_refusals: bool = False) -> tuple[dict[str, list[stats.Visit]], list[dict[str, Any]]]:
    """Build what is missing, then read the selection's visits (and refusals)."""
    with psycopg.connect(directory.postgres, autocommit=True) as conn:
        _schema(conn, directory.postgres)
        stats_store.refresh(conn, offices, sel.first, sel.last, directory.timezone)
        by_office = stats_query.visits_by_office(conn, sel, offices)
        refused = stats_query.refusals(conn, sel, offices) if with_refusals else []
    return by_office, refused


def _plot_context(directory: CityDirectory, sel: Selection, offices: list[str],
                  names: dict[str, str]) -> tuple[list[stats.Visit], dict[str, Any]]:
    """The visits and what the office's plots and PDF take besides (`stats/plots.py`)."""
    by_office, _ = _gather(directory, sel, offices)
    with psycopg.connect(directory.postgres, autocommit=True) as conn:
        opened = stats_query.open_hours(conn, sel, offices)
    days = (sel.last - sel.first).days + 1
    return stats_query.all_visits(by_office), {"names": names, "open_hours": opened, "days": days,
                                               "by_month": sel.period == "year"}


def _version(directory: CityDirectory, sel: Selection, offices: list[str]) -> tuple[Any, ...]:
    with psycopg.connect(directory.postgres, autocommit=True) as conn:
        _schema(conn, directory.postgres)
        stats_store.refresh(conn, offices, sel.first, sel.last, directory.timezone)
        return stats_query.version(conn, sel, offices)


async def _unavailable(page: CityPage, key: str = "stats_unavailable", status: int = 503) -> HTMLResponse:
    return render(page, "city_message.html", status, message=page.t(key))


def _tables(page: StatsPage, directory: CityDirectory, by_office: dict[str, list[stats.Visit]],
            refused: list[dict[str, Any]], errand_names: dict[str, str]) -> dict[str, Any]:
    visits = stats_query.all_visits(by_office)
    names = {o.id: o.name for o in directory.offices}
    return {
        "total": stats.suppress(stats.figures(visits)),
        "per_office": [{**c, "label": names.get(c["office"], c["office"])} for c in stats_query.per_office(by_office)]
        if len(by_office) > 1 else [],
        "errands": [{**c, "label": errand_names.get(c["service_id"], c["service_id"])}
                    for c in exports.published(visits, ["service_id"])],
        "hours": [{**c, "label": page.t("hour_range", start=f"{c['hour']:02d}", end=f"{c['hour'] + 1:02d}")}
                  for c in exports.published(visits, ["hour"])],
        "refused": refused,
    }


def _range(directory: CityDirectory, start: date | None, end: date | None) -> tuple[date, date] | None:
    last = end or _today(directory) - timedelta(days=1)
    first = start or last - timedelta(days=29)
    if first > last or (last - first).days >= MAX_DAYS:
        return None
    return first, last


def add_routes(app: FastAPI, directory: CityDirectory) -> None:
    cache = ReportCache()
    waiting = live.CityWaiting(directory)
    errands = live.ErrandNames(directory)

    @app.get("/reports", response_class=HTMLResponse)
    async def reports(request: Request, period: str = "month", date: date | None = None, office: str = "",
                      lang: str | None = None) -> HTMLResponse:
        page = StatsPage(directory, lang, "/reports")
        if not directory.postgres:
            return await _unavailable(page)
        offices = _offices(directory, office)
        if offices is None:
            return await _unavailable(page, "unknown_office", 404)
        try:
            sel = select(period, date or _today(directory))
        except BadPeriod:
            return await _unavailable(page, "bad_period", 422)
        page.query = urlencode({"period": sel.period, "date": sel.first.isoformat(), "office": office})
        errand_names = {i: n.get(page.lang) or n.get("de") or i for i, n in (await errands.get()).items()}
        try:
            stats_version = await asyncio.to_thread(_version, directory, sel, offices)

            async def make() -> dict[str, Any]:
                by_office, refused = await asyncio.to_thread(_gather, directory, sel, offices, with_refusals=True)
                return _tables(page, directory, by_office, refused, errand_names)

            tables = await cache.get(("tables", sel, office, page.lang, stats_version,
                                      tuple(sorted(errand_names.items()))), make)
        except psycopg.Error:
            return await _unavailable(page)
        chosen = directory.office(office)
        return render(page, "city_reports.html", sel=sel, periods=PERIODS, office=office,
                      place=chosen.name if chosen else directory.name, columns=COLUMNS, plot_names=plots.PLOTS,
                      **tables)

    @app.get("/reports/export.csv", response_class=Response)
    async def report_csv(period: str = "month", date: date | None = None, office: str = "") -> Response:
        offices = _offices(directory, office)
        if not directory.postgres or offices is None:
            return JsonAnswer({"error": "not_found"}, status_code=404)
        try:
            sel = select(period, date or _today(directory))
            by_office, _ = await asyncio.to_thread(_gather, directory, sel, offices)
        except BadPeriod as error:
            return JsonAnswer({"error": "bad_request", "message": str(error)}, status_code=422)
        except psycopg.Error:
            return JsonAnswer({"error": "unavailable"}, status_code=503)
        cells = [{"office": o, **c} for o, visits in by_office.items() for c in exports.published(visits, exports.DETAIL)]
        body = exports.cells_csv(cells, ["office", *exports.DETAIL])
        return Response(body, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="stadt-bericht-{sel.title}.csv"', "Cache-Control": "no-store"})

    async def _drawn(sel: Selection, office: str, offices: list[str], part: tuple[Any, ...],
                     draw: Callable[[list[stats.Visit], dict[str, Any]], bytes]) -> bytes:
        """A plot or PDF of the selection, drawn once per statistics version (matplotlib, in a thread)."""
        names = {i: n.get("de") or i for i, n in (await errands.get()).items()}

        async def make() -> bytes:
            visits, context = await asyncio.to_thread(_plot_context, directory, sel, offices, names)
            return await asyncio.to_thread(draw, visits, context)

        stats_version = await asyncio.to_thread(_version, directory, sel, offices)
        return bytes(await cache.get((part, sel, office, stats_version, tuple(sorted(names.items()))), make))

    @app.get("/reports/plots/{name}.png", response_class=Response)
    async def report_plot(name: str, period: str = "month", date: date | None = None, office: str = "") -> Response:
        offices = _offices(directory, office)
        if not directory.postgres or offices is None or name not in plots.PLOTS:
            return JsonAnswer({"error": "not_found"}, status_code=404)
        try:
            sel = select(period, date or _today(directory))
            image = await _drawn(sel, office, offices, ("plot", name), lambda v, c: plots.png(name, v, **c))
        except BadPeriod as error:
            return JsonAnswer({"error": "bad_request", "message": str(error)}, status_code=422)
        except psycopg.Error:
            return JsonAnswer({"error": "unavailable"}, status_code=503)
        return Response(image, media_type="image/png", headers={"Cache-Control": "no-store"})

    @app.get("/reports/{kind}", response_class=Response)
    async def report_file(kind: str, period: str = "month", date: date | None = None, office: str = "") -> Response:
        """The report as an Excel workbook (`export.xlsx`) or the month's PDF for the council (`monthly.pdf`)."""
        offices = _offices(directory, office)
        if not directory.postgres or offices is None or kind not in ("export.xlsx", "monthly.pdf"):
            return JsonAnswer({"error": "not_found"}, status_code=404)
        place = directory.office(office).name if office else directory.name  # type: ignore[union-attr]
        try:
            sel = select("month" if kind == "monthly.pdf" else period, date or _today(directory))
            if kind == "export.xlsx":
                body = await _drawn(sel, office, offices, ("xlsx",),
                                    lambda v, c: exports.xlsx_bytes(v, f"Bericht {place} {sel.title}"))
            else:
                body = await _drawn(sel, office, offices, ("pdf",),
                                    lambda v, c: exports.pdf_bytes(sel.title, place, v, c))
        except BadPeriod as error:
            return JsonAnswer({"error": "bad_request", "message": str(error)}, status_code=422)
        except psycopg.Error:
            return JsonAnswer({"error": "unavailable"}, status_code=503)
        media = ("application/pdf" if kind == "monthly.pdf"
                 else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        filename = f"stadt-{'monatsbericht' if kind == 'monthly.pdf' else 'bericht'}-{sel.title}.{kind.split('.')[1]}"
        return Response(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})

    @app.get("/open/v1/daily.csv", response_class=Response)
    async def daily_csv(start: date | None = None, end: date | None = None, office: str = "") -> Response:
        offices = _offices(directory, office)
        if not directory.postgres or offices is None:
            return JsonAnswer({"error": "not_found"}, status_code=404)
        days = _range(directory, start, end)
        if days is None:
            return JsonAnswer({"error": "bad_request", "message": f"start <= end, at most {MAX_DAYS} days"},
                                status_code=422)
        sel = Selection("day", *days)
        try:
            by_office, _ = await asyncio.to_thread(_gather, directory, sel, offices)
        except psycopg.Error:
            return JsonAnswer({"error": "unavailable"}, status_code=503)
        body = exports.cells_csv(stats_query.daily_rows(by_office, office or None), ["office_day", "service_id"])
        return Response(body, media_type="text/csv; charset=utf-8", headers=OPEN_HEADERS)

    @app.get("/open/v1/waiting")
    async def open_waiting(office: str = "") -> Response:
        if office and directory.office(office) is None:
            return JsonAnswer({"error": "not_found"}, status_code=404)
        body = await waiting.get()
        if office:
            body = {**body, "offices": [o for o in body["offices"] if o["id"] == office]}
        return JsonAnswer(body, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=2"})

    @app.get("/open/wait", response_class=HTMLResponse)
    async def open_wait(lang: str | None = None) -> HTMLResponse:
        """Every office's "Wie lange warte ich jetzt?" on one page, from the offices' own live answers."""
        page = CityPage(directory, lang, "/open/wait")
        body = await waiting.get()
        updated = datetime.fromisoformat(body["updated_at"]).astimezone(page.zone).strftime("%H:%M")
        return render(page, "city_wait.html", offices=body["offices"], w=Catalog(page.lang, "open_wait"),
                      wait=open_page.wait_text, updated=updated)

    @app.get("/open/v1/catalog.jsonld")
    async def open_catalog(request: Request) -> JsonAnswer:
        base = str(request.base_url).rstrip("/")
        return JsonAnswer(open_page.catalog(base, title=directory.name, publisher=directory.name,
                                              licence=directory.licence),
                            media_type="application/ld+json", headers={"Access-Control-Allow-Origin": "*"})
