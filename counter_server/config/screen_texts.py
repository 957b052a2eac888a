"""`[texts]`: a line the office shows visitors on the kiosk's errand list and on the display
(a welcome, a notice such as "Heute ab 12 Uhr nur Abholungen"), per language like `names`.

Optional: left out, nothing is shown. German stands in for a language that lacks the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .office import LANGUAGES
from .reader import Reader

FIELDS = ("kiosk_notice", "display_notice")
MAX_CHARS = 200


@dataclass(frozen=True)
class ScreenTexts:
    """office.toml `[texts]`, validated: language -> text for each screen."""

    kiosk_notice: dict[str, str] = field(default_factory=dict)
    display_notice: dict[str, str] = field(default_factory=dict)


def _per_language(r: Reader, key: str) -> dict[str, str]:
    texts: dict[str, Any] = r.get(key, dict, {})
    for lang, text in texts.items():
        if lang not in LANGUAGES:
            raise r.fail(f"{key}.{lang}", f"unknown language (known: {', '.join(LANGUAGES)})")
        if not isinstance(text, str):
            raise r.fail(f"{key}.{lang}", "must be a text")
        if len(text) > MAX_CHARS:
            raise r.fail(f"{key}.{lang}", f"must be at most {MAX_CHARS} characters, not {len(text)}")
    return {str(lang): " ".join(str(text).split()) for lang, text in texts.items() if str(text).strip()}


def parse_screen_texts(r: Reader) -> ScreenTexts:
    r.reject_unknown(frozenset(FIELDS))
    return ScreenTexts(kiosk_notice=_per_language(r, "kiosk_notice"),
                       display_notice=_per_language(r, "display_notice"))
