"""Right-to-left text for Kivy, whose default text provider neither shapes nor reorders.

Arabic letters are replaced by their joined presentation forms (arabic-reshaper) and
each line is put in visual order (python-bidi). Lines are broken in logical order
first, so a wrapped paragraph still starts at the top right.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import arabic_reshaper
from bidi.algorithm import get_display

FONT_DIR = Path(__file__).parent / "fonts"
SYMBOL_FONT = str(FONT_DIR / "DejaVuSans-Bold.ttf")
_LATIN = {False: "NotoSans-Regular.ttf", True: "NotoSans-Bold.ttf"}
_ARABIC = {False: "NotoSansArabic-Regular.ttf", True: "NotoSansArabic-Bold.ttf"}
_MIXED = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}


def has_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" for c in text)


# what Noto Sans Arabic has besides Arabic letters; anything else needs DejaVu Sans
_NOTO_ARABIC_EXTRAS = frozenset(" 0123456789.,:!-\n\u060c\u061f\u00ab\u00bb")


def needs_wider_font(text: str) -> bool:
    """Arabic text with a character Noto Sans Arabic lacks (Latin letters, "/", "·", "?")."""
    return any(not has_arabic(c) and c not in _NOTO_ARABIC_EXTRAS for c in text)


def has_symbols(text: str) -> bool:
    """Arrows, geometric shapes, dingbats: DejaVu Sans has them, Noto Sans does not."""
    return any("\u2190" <= c <= "\u2bff" for c in text)


def font_for(text: str, *, bold: bool = False) -> str:
    """The bundled font that has every glyph of `text`.

    Noto Sans Arabic has no Latin letters and Noto Sans no Arabic, so text that mixes
    them (a German service name in an Arabic sentence, "QR") takes DejaVu Sans.
    """
    if has_symbols(text):
        table = _MIXED
    elif not has_arabic(text):
        table = _LATIN
    elif needs_wider_font(text):
        table = _MIXED
    else:
        table = _ARABIC
    return str(FONT_DIR / table[bold])


def wrap_logical(text: str, *, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy word wrap of `text` (logical order) into lines no wider than `width`."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and measure(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def visual_text(text: str, *, width: float | None, measure: Callable[[str], float]) -> str:
    """`text` ready for a left-to-right renderer: shaped, wrapped, each line reordered."""
    if not has_arabic(text):
        return text
    shaped = arabic_reshaper.reshape(text)
    lines = [shaped] if width is None else wrap_logical(shaped, width=width, measure=measure)
    return "\n".join(get_display(line) for line in lines)
