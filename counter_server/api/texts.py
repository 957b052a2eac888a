"""The catalogue's texts for a page, in one language: the display and the status page fetch theirs.

Public like the status page: texts and counter labels are what any waiting room shows.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from i18n import Catalog, Entry, available_languages, counter_name, load, room_name

from ..config import LANGUAGES
from ..context import Context, context_dependency
from ..errors import bad_request
from .fields import one_of
from .models import errors

router = APIRouter(prefix="/api/v1/texts")


class Place(BaseModel):
    """A counter in the page's language; `office_label` finds it where a JSON names no counter id."""

    label: str
    room: str
    office_label: str


class PageTexts(BaseModel):
    """`texts` by full key; a dict value holds CLDR plural forms ("one", "few", "other", ...)."""

    lang: str
    dir: Literal["ltr", "rtl"]
    texts: dict[str, Entry]
    counters: dict[str, Place]


NAMESPACES = sorted({key.split(".", 1)[0] for key in load("de") if "." in key})


def _namespaces(asked: list[str]) -> list[str]:
    known = NAMESPACES
    unknown = [ns for ns in asked if ns not in known]
    if unknown:
        raise bad_request(
            f"unknown namespace {unknown[0]!r} (known: {', '.join(known)})", code="unknown_namespace"
        )
    return asked or known


@router.get("/{lang}", response_model=PageTexts, responses=errors(422))
async def page_texts(
    lang: Annotated[str, Path(json_schema_extra=one_of(*LANGUAGES))],
    ns: list[str] = Query(default=[], json_schema_extra={"items": {"type": "string", "enum": NAMESPACES}}),
    ctx: Context = Depends(context_dependency),
) -> PageTexts:
    if lang not in available_languages():
        known = ", ".join(available_languages())
        raise bad_request(f"unknown language {lang!r} (known: {known})", code="unknown_language")
    catalog = Catalog(lang)
    texts: dict[str, Entry] = {"language_name": catalog.text("language_name")}
    for namespace in _namespaces(ns):
        texts.update(catalog.entries(namespace))
    counters = {
        counter.id: Place(
            label=counter_name(counter.label, lang),
            room=room_name(counter.room, lang),
            office_label=counter.label,
        )
        for counter in ctx.config.office.counters
    }
    return PageTexts(lang=lang, dir=catalog.direction, texts=texts, counters=counters)
