"""/admin: the office's settings in the browser. Every change goes through office_file
(validated as at start, written atomically, applied without a restart)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from i18n import Catalog

from ..config import LANGUAGES, ConfigError
from ..context import context
from ..core.model import WEEKDAYS
from . import office_file
from . import office_forms as forms
from .web import ADMIN, Caller, form_of, guard, render

router = APIRouter(include_in_schema=False)
STATES = {
    "BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg", "HB": "Bremen",
    "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern", "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen", "RP": "Rheinland-Pfalz", "SL": "Saarland", "SN": "Sachsen",
    "ST": "Sachsen-Anhalt", "SH": "Schleswig-Holstein", "TH": "Thüringen",
}
# each language by its own name, for the fields visitors read in it
LANG_NAMES = {lang: Catalog(lang).text("language_name") for lang in LANGUAGES}
ENTRY_KINDS = ("services", "counters", "printers")  # the lists of office.toml edited one entry at a time
DAY_NAMES = {"mon": "Montag", "tue": "Dienstag", "wed": "Mittwoch", "thu": "Donnerstag", "fri": "Freitag",
             "sat": "Samstag", "sun": "Sonntag"}


def _holidays(state: str, today: date, closed: set[str]) -> list[tuple[str, str]]:
    if state not in STATES:
        return []
    import holidays  # here: its calendars are about 4 MB, for the admin's settings page only

    found = holidays.country_holidays("DE", subdiv=state, years=[today.year, today.year + 1], language="de")
    return [(d.isoformat(), name) for d, name in sorted(found.items())
            if d >= today and d.isoformat() not in closed]


async def _page(request: Request, caller: Caller, *, error: str = "", done: str = "", state: str = "",
                status: int = 200) -> Response:
    ctx = context(request)
    doc = office_file.document(ctx.config.path)
    changed, file_error = office_file.changed_on_disk(ctx)
    today = ctx.clock.now().date()
    closed = {str(d) for d in doc["hours"].get("closed_dates", [])}
    return render(
        "admin.html", status=status, session=caller.session, csrf=caller.csrf, error=error, done=done,
        doc=doc, office=ctx.config.office, changed=changed, file_error=file_error, weekdays=WEEKDAYS,
        day_names=DAY_NAMES, states=STATES, state=state, suggestions=_holidays(state, today, closed),
        closed=sorted(closed), settings=forms.SETTINGS, titles=forms.SETTING_TITLES, languages=LANGUAGES,
        screen_texts=forms.SCREEN_TEXTS, texts=doc.get("texts", {}), lang_names=LANG_NAMES,
        path=str(ctx.config.path),
    )


@router.get("/admin")
async def admin_page(request: Request, done: str = "", state: str = "") -> Response:
    caller = await guard(request, ADMIN)
    return await _page(request, caller, done=done[:100], state=state[:2])


@router.get("/admin/{kind}/{index}")
async def entry_page(kind: str, index: str, request: Request) -> Response:
    caller = await guard(request, ADMIN)
    if kind not in ENTRY_KINDS:
        return await _page(request, caller, error="Unbekannte Seite", status=404)
    doc = office_file.document(context(request).config.path)
    entries = doc.get(kind, [])
    entry: Any = {} if index == "new" or not index.isdigit() or int(index) >= len(entries) else entries[int(index)]
    return render(f"admin_{kind}.html", session=caller.session, csrf=caller.csrf, entry=entry,
                  index="" if not entry else index, languages=LANGUAGES, lang_names=LANG_NAMES, error="")


async def _edit(request: Request, what: str, make: Any) -> Response:
    form = await form_of(request)
    caller = await guard(request, ADMIN, form=form)
    ctx = context(request)
    try:
        await office_file.apply_edit(ctx, caller.actor, what, make(form))
    except (ConfigError, ValueError, IndexError, KeyError) as error:
        return await _page(request, caller, error=str(error), status=422)
    return RedirectResponse(f"/admin?done=Gespeichert:+{what}#{what}", status_code=303)


@router.post("/admin/services/save")
async def save_service(request: Request) -> Response:
    return await _edit(request, "services", forms.service_edit)


@router.post("/admin/counters/save")
async def save_counter(request: Request) -> Response:
    return await _edit(request, "counters", forms.counter_edit)


@router.post("/admin/printers/save")
async def save_printer(request: Request) -> Response:
    return await _edit(request, "printers", forms.printer_edit)


@router.post("/admin/{kind}/{index}/delete")
async def delete_entry(kind: str, index: int, request: Request) -> Response:
    if kind not in ENTRY_KINDS:
        kind = "services"
    return await _edit(request, kind, lambda _: forms.delete_edit(kind, index))


@router.post("/admin/hours/save")
async def save_hours(request: Request) -> Response:
    return await _edit(request, "hours", forms.hours_edit)


def _dates(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else ([str(value)] if value else [])


@router.post("/admin/closed/save")
async def save_closed(request: Request) -> Response:
    return await _edit(request, "closed",
                       lambda form: forms.closed_edit(_dates(form.get("add")), _dates(form.get("remove"))))


@router.post("/admin/texts/save")
async def save_texts(request: Request) -> Response:
    return await _edit(request, "texts", forms.texts_edit)


@router.post("/admin/office/save")
async def save_office(request: Request) -> Response:
    return await _edit(request, "office", forms.office_edit)


@router.post("/admin/settings/{section}")
async def save_settings(section: str, request: Request) -> Response:
    if section not in forms.SETTINGS:
        section = "queue"
    return await _edit(request, section, lambda form: forms.settings_edit(section, form))


@router.post("/admin/reload")
async def reload_file(request: Request) -> Response:
    form = await form_of(request)
    caller = await guard(request, ADMIN, form=form)
    try:
        await office_file.reload_from_file(context(request), caller.actor)
    except ConfigError as error:
        return await _page(request, caller, error=str(error), status=422)
    return RedirectResponse("/admin?done=Datei+neu+geladen", status_code=303)
