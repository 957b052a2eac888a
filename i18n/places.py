"""Counters and rooms named in the visitor's language.

office.toml names counters and rooms in the office's language ("Schalter 3",
"Raum E.01"). A label of one word and a designation ("3", "E.01") is named in
another language with that language's word and the same designation ("Gişe 3",
"الشباك 3"); any other label ("Standesamt") is a name and stays as written. In
the office's own language the label is always used as written.
"""

from __future__ import annotations

import re

from .catalog import FALLBACK_LANG, Catalog

# one word (letters, maybe abbreviated with a dot), then an id that holds a digit
_WORD_AND_ID = re.compile(r"^[^\W\d_]+\.?\s+(?P<id>[^\s]*\d[^\s]*)$")


def designation(label: str, lang: str) -> str | None:
    """The id to name `label` by in `lang`'s own words, or None when the label is used as written."""
    if lang == FALLBACK_LANG:
        return None
    match = _WORD_AND_ID.match(label.strip())
    return match["id"] if match else None


def counter_name(label: str, lang: str) -> str:
    """What the display, the status page and the call show for the counter `label`."""
    found = designation(label, lang)
    return label if found is None else Catalog(lang, "place").text("counter", id=found)


def room_name(room: str, lang: str) -> str:
    found = designation(room, lang)
    return room if found is None else Catalog(lang, "place").text("room", id=found)
