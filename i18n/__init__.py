"""One set of translations for the kiosk, the pages and the spoken calls (see catalog.py)."""

from .catalog import (
    CATALOG_DIR,
    FALLBACK_LANG,
    Catalog,
    Entry,
    UnknownLanguage,
    available_languages,
    direction,
    load,
    plural_categories,
    plural_category,
    rtl_languages,
)
from .places import counter_name, designation, room_name

__all__ = [
    "CATALOG_DIR",
    "FALLBACK_LANG",
    "Catalog",
    "Entry",
    "UnknownLanguage",
    "available_languages",
    "counter_name",
    "designation",
    "direction",
    "load",
    "plural_categories",
    "plural_category",
    "room_name",
    "rtl_languages",
]
