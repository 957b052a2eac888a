"""The one catalogue: a JSON file per language in this folder, German as the fallback.

Keys are namespaced by where a text appears (`kiosk.*`, `display.*`, `ticket_page.*`,
`speech.*`, `place.*`); a few keys, such as `language_name`, belong to no namespace.
A value is a text with `{name}` placeholders, or, for a count, one text per CLDR
plural category. Plural categories and writing direction come from Babel's CLDR
data, so "1 Person" / "2 Personen" / "5 человек" / Arabic's six forms read right.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale

CATALOG_DIR = Path(__file__).parent
FALLBACK_LANG = "de"

Entry = str | dict[str, str]


class UnknownLanguage(ValueError):
    """A language was asked for that has no catalogue in i18n/."""


def available_languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in CATALOG_DIR.glob("*.json")))


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_category(lang: str, n: int) -> str:
    """The CLDR plural category of `n` in `lang` ("one", "few", "many", ...)."""
    category: str = _locale(lang).plural_form(n)
    return category


def plural_categories(lang: str) -> frozenset[str]:
    """Every plural category `lang` distinguishes; "other" is always one of them."""
    return frozenset(_locale(lang).plural_form.tags) | {"other"}


def direction(lang: str) -> Literal["rtl", "ltr"]:
    return "rtl" if _locale(lang).character_order == "right-to-left" else "ltr"


@cache
def rtl_languages() -> frozenset[str]:
    """The catalogues written right to left. A function, not a constant made at import: it
    loads every language's CLDR data (about 2 MB each), which a server seldom needs all of."""
    return frozenset(lang for lang in available_languages() if direction(lang) == "rtl")


@cache
def load(lang: str) -> Mapping[str, Entry]:
    """The raw catalogue of `lang`: full keys to texts or plural forms."""
    path = CATALOG_DIR / f"{lang}.json"
    if not path.is_file():
        raise UnknownLanguage(f"no catalogue {path}")
    data: Mapping[str, Entry] = json.loads(path.read_text(encoding="utf-8"))
    return data


class Catalog:
    """The texts of one language; with a namespace, keys are given without its prefix."""

    def __init__(self, lang: str, namespace: str | None = None) -> None:
        self.lang = lang
        self.namespace = namespace
        self._texts = load(lang)
        self._fallback = load(FALLBACK_LANG)

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def direction(self) -> Literal["rtl", "ltr"]:
        return direction(self.lang)

    def _key(self, key: str) -> str:
        return f"{self.namespace}.{key}" if self.namespace else key

    def _entry(self, key: str) -> tuple[Entry, str]:
        full = self._key(key)
        if full in self._texts:
            return self._texts[full], self.lang
        if full in self._fallback:
            return self._fallback[full], FALLBACK_LANG
        raise KeyError(f"{full} is in no catalogue")

    def text(self, key: str, **params: object) -> str:
        template, _lang = self._entry(key)
        if not isinstance(template, str):
            raise KeyError(f"{self._key(key)} has plural forms; use plural()")
        return template.format(**params)

    def plural(self, key: str, n: int, **params: object) -> str:
        forms, lang = self._entry(key)
        if isinstance(forms, str):
            raise KeyError(f"{self._key(key)} has no plural forms; use text()")
        template = forms.get(plural_category(lang, n)) or forms["other"]
        return template.format(n=n, **params)

    def entries(self, namespace: str) -> dict[str, Entry]:
        """Every entry of `namespace` by its full key, German where this language lacks one."""
        prefix = f"{namespace}."
        merged = {**self._fallback, **self._texts}
        return {key: value for key, value in merged.items() if key.startswith(prefix)}
