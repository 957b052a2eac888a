"""Templates (Jinja2, autoescaped) with the one catalogue's texts in the visitor's language."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from i18n import Catalog

from ..config import OfficeConfig

TEMPLATES = Path(__file__).parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
    trim_blocks=True, lstrip_blocks=True,
)
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def language(config: OfficeConfig, asked: str | None) -> str:
    """The language asked for when the office offers it, else German."""
    return asked if asked in config.office.languages else "de"


class Page:
    """What every template gets: texts, dates and links in one language."""

    def __init__(self, config: OfficeConfig, lang: str, path: str) -> None:
        self.config, self.lang, self.path = config, lang, path
        self.catalog = Catalog(lang, "book")
        self.zone = ZoneInfo(config.office.timezone)

    def t(self, key: str, **params: Any) -> str:
        return self.catalog.text(key, **params)

    def n(self, key: str, n: int, **params: Any) -> str:
        return self.catalog.plural(key, n, **params)

    def day(self, day: date) -> str:
        return _date_text(day, "full", self.lang)

    def short_day(self, day: date) -> str:
        return _date_text(day, "medium", self.lang)

    def time(self, moment: datetime) -> str:
        # 24-hour clock with Latin digits in every language, as on the tickets and the display
        return moment.astimezone(self.zone).strftime("%H:%M")

    def when(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone)
        # Arabic separates with its own comma, as Babel's Arabic dates do
        comma = "\u060c " if self.lang == "ar" else ", "
        return f"{self.day(local.date())}{comma}{self.time(local)}"

    def local_iso(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")

    def url(self, path: str, **params: Any) -> str:
        query = urlencode({"lang": self.lang, **{k: v for k, v in params.items() if v is not None}})
        return f"{path}?{query}"

    def service_name(self, service_id: str) -> str:
        service = self.config.office.service(service_id)
        return service.name(self.lang) if service else service_id

    @property
    def languages(self) -> list[tuple[str, str, str]]:
        """(code, own name, link to this page in it) for the language switch."""
        return [(code, Catalog(code).text("language_name"), f"{self.path}?lang={code}")
                for code in self.config.office.languages]


@lru_cache(maxsize=4096)
def _date_text(day: date, style: str, lang: str) -> str:
    """Babel's date in `lang` (cached: a month of free times names each day many times)."""
    return str(format_date(day, format=style, locale=lang))


def render(page: Page, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    html = ENV.get_template(template).render(p=page, office=page.config.office, **values)
    return HTMLResponse(html, status_code=status, headers=NO_STORE)
