"""Translation catalogues: one JSON file per language in kiosk/i18n/, German as fallback.

Plural forms follow the CLDR categories each language needs (Arabic has six,
Russian and Ukrainian three), so "1 Person" / "2 Personen" / "5 человек" read right.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

CATALOG_DIR = Path(__file__).parent / "i18n"
FALLBACK_LANG = "de"
RTL_LANGS = frozenset({"ar"})


class UnknownLanguage(ValueError):
    """A language was asked for that has no catalogue in kiosk/i18n/."""


def available_languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in CATALOG_DIR.glob("*.json")))


@cache
def _load(lang: str) -> Mapping[str, Any]:
    path = CATALOG_DIR / f"{lang}.json"
    if not path.is_file():
        raise UnknownLanguage(f"no catalogue {path}")
    data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def plural_category(lang: str, n: int) -> str:
    """The CLDR plural category of `n` in `lang`."""
    if lang in ("ru", "uk"):
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    if lang == "ar":
        if n in (0, 1, 2):
            return ("zero", "one", "two")[n]
        if 3 <= n % 100 <= 10:
            return "few"
        if 11 <= n % 100 <= 99:
            return "many"
        return "other"
    return "one" if n == 1 else "other"


class Catalog:
    """The texts of one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._texts = _load(lang)
        self._fallback = _load(FALLBACK_LANG)

    @property
    def rtl(self) -> bool:
        return self.lang in RTL_LANGS

    def text(self, key: str, **params: object) -> str:
        template = self._texts.get(key, self._fallback.get(key))
        if not isinstance(template, str):
            raise KeyError(f"{key} is missing or not a plain text in {self.lang}")
        return template.format(**params)

    def plural(self, key: str, n: int, **params: object) -> str:
        forms = self._texts.get(key) or self._fallback[key]
        template = forms.get(plural_category(self.lang, n)) or forms["other"]
        return str(template).format(n=n, **params)
