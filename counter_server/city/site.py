"""`townhall city serve`: one booking site for every office of the city.

A visitor picks an errand (and a district); the site asks every office for its earliest
free times, shows the earliest in any office first, and books into the office that owns
the slot. Pages are rendered on the server, in six languages, with the booking site's
stylesheet and no other asset.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from i18n import Catalog

from ..api.answer import JsonAnswer
from ..bookings.confirmation import qr_png
from ..config.office import LANGUAGES
from ..fastapi_app import fastapi_app
from ..site.common import client_of
from ..site.forms import BadForm, read_form
from ..site.guard import RateLimited
from . import near, offices
from .directory import CityDirectory
from .form_guard import city_guard, form_key, key_is_ours, same_site

SITE_TEMPLATES = Path(__file__).resolve().parent.parent / "site" / "templates"
# the city's own templates first, then the booking site's shared parts (languages.html)
ENV = Environment(loader=FileSystemLoader([Path(__file__).parent / "templates", SITE_TEMPLATES]),
                  autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
STATIC = Path(__file__).resolve().parent.parent / "site" / "static"
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
SHOWN_PER_OFFICE = 6


class CityPage:
    """Texts, times and links of one page in one language."""

    def __init__(self, directory: CityDirectory, lang: str | None, path: str) -> None:
        self.directory, self.path = directory, path
        self.lang = lang if lang in LANGUAGES else "de"
        self.catalog = Catalog(self.lang, "city")
        self.zone = ZoneInfo(directory.timezone)

    def t(self, key: str, **params: Any) -> str:
        return self.catalog.text(key, **params)

    def day(self, day: date) -> str:
        return str(format_date(day, "full", locale=self.lang))

    def time(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%H:%M")

    def when(self, moment: datetime) -> str:
        return f"{self.day(moment.astimezone(self.zone).date())}, {self.time(moment)}"

    def km(self, distance: float) -> str:
        return str(format_decimal(round(distance, 1), "0.0", locale=self.lang))

    @property
    def languages(self) -> list[tuple[str, str, str]]:
        return [(code, Catalog(code).text("language_name"), f"{self.path}?lang={code}") for code in LANGUAGES]


def render(page: CityPage, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = ENV.get_template(template).render(p=page, city=page.directory, **values)
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def _errand_name(names: dict[str, str], lang: str, errand_id: str) -> str:
    return names.get(lang) or names.get("de") or errand_id


def _message(page: CityPage, status: int, key: str, **params: Any) -> HTMLResponse:
    return render(page, "city_message.html", status, message=page.t(key, **params))


def _qr_data_uri(token: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(token)).decode("ascii")


def _refusal(request: Request, directory: CityDirectory, form: dict[str, str]) -> HTMLResponse | None:
    """A post this site did not hand out, or one too many from this address: its page."""
    page = CityPage(directory, form.get("lang"), "/")
    guard = city_guard(request)
    if not same_site(request) or not key_is_ours(guard, form.get("key", "")):
        return _message(page, 403, "forged")
    try:
        guard.admit(client_of(request), proof=guard.proven(form.get("altcha")), settings=directory.booking)
    except RateLimited as limited:
        return _message(page, 429, "rate_limited_nojs" if limited.without_js else "rate_limited",
                        minutes=limited.wait_min)
    return None


async def _book(request: Request, directory: CityDirectory) -> HTMLResponse:
    try:
        form = await read_form(request)
    except BadForm:
        return _message(CityPage(directory, None, "/"), 422, "bad_request")
    page = CityPage(directory, form.get("lang"), "/")
    office = directory.office(form.get("office", ""))
    service_id, start = form.get("service_id", ""), form.get("start", "")
    if office is None or not service_id or not start:
        return _message(page, 422, "bad_request")
    refused = _refusal(request, directory, form)
    if refused is not None:
        return refused
    name = form.get("name", "").strip()[:200]
    key = form.get("key", "")
    booked = await offices.book(directory, office, service_id=service_id, start=start,
                                contact={"name": name} if name else None, key=key)
    if booked.state == "unreachable":
        return _message(page, 503, "office_unreachable", office=office.name)
    if booked.state == "taken":
        return _message(page, 409, "taken")
    if booked.state == "refused":
        return _message(page, 422, "refused", office=office.name)
    appointment = booked.answer["appointment"]
    return render(page, "city_booked.html", 200, office=office, appointment=appointment,
                  start=datetime.fromisoformat(appointment["start"]), qr=_qr_data_uri(booked.answer["token"]))


def create_city_app(directory: CityDirectory) -> FastAPI:
    app = fastapi_app(title="townhall city", docs_url=None, redoc_url=None)
    app.mount("/static/book", StaticFiles(directory=STATIC), name="static")
    app.mount("/static/city", StaticFiles(directory=Path(__file__).parent / "static"), name="city_static")

    @app.get("/health")
    async def health() -> JsonAnswer:
        return JsonAnswer({"status": "ok", "offices": [o.id for o in directory.offices]})

    @app.get("/", response_class=HTMLResponse)
    async def start(lang: str | None = None) -> HTMLResponse:
        page = CityPage(directory, lang, "/")
        errands = await offices.errands(directory)
        choices = sorted(((i, _errand_name(n, page.lang, i)) for i, n in errands.items()), key=lambda c: c[1])
        return render(page, "city_start.html", errands=choices,
                      located=any(o.place is not None for o in directory.offices))

    @app.get("/search", response_class=HTMLResponse)
    async def search(request: Request, service_id: str = "", district: str = "", postcode: str = "",
                     lat: str = "", lon: str = "", lang: str | None = None) -> HTMLResponse:
        page = CityPage(directory, lang, "/")
        if not service_id or len(service_id) > 64:
            return _message(page, 422, "no_errand")
        if district and district not in directory.districts:
            return _message(page, 404, "unknown_district")
        try:
            place = near.place_of(directory, postcode[:16], lat, lon)
        except near.BadPlace as bad:
            return _message(page, 404 if bad.key == "unknown_postcode" else 422, bad.key)
        found = await offices.search(directory, service_id, district or None)
        errands = await offices.errands(directory)
        if service_id not in errands and not any(f.state == "unreachable" for f in found):
            return _message(page, 404, "unknown_errand")
        earliest = next((f for f in found if f.state == "found"), None)
        km = near.distances(found, place) if place else {}
        guard = city_guard(request)
        return render(page, "city_results.html", found=near.nearest_first(found, km) if place else found,
                      earliest=earliest, service_id=service_id, km=km, by_distance=place is not None,
                      errand=_errand_name(errands.get(service_id, {}), page.lang, service_id),
                      district=district, shown=SHOWN_PER_OFFICE, key=form_key(guard),
                      challenge=guard.challenge(directory.booking))

    @app.post("/book", response_class=HTMLResponse)
    async def book(request: Request) -> HTMLResponse:
        return await _book(request, directory)

    from . import stats_site  # it draws its pages with this module's CityPage

    stats_site.add_routes(app, directory)

    return app
