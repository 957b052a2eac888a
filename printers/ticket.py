"""Ticket layout: one ticket and the office's words become ESC/POS bytes.

Text the printer can print from its code page (CP858: German and most Latin
text) is sent as text, so it prints sharp and fast. Everything else, Arabic
(right-to-left, shaped), Cyrillic, Turkish letters, is drawn with the bundled
DejaVu font into a raster image of the paper's width, because printers' code
pages for those scripts differ from model to model and none shapes Arabic.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont, features

from .texts import texts_for

PAPER_DOTS = {58: 384, 80: 576}
FONT_A_DOTS = (12, 24)
TEXT_CODEPAGE = "CP858"
FONT_PATH = Path(__file__).parent / "fonts" / "DejaVuSans-Bold.ttf"
_RASTER_MARGIN = 8


class LayoutError(ValueError):
    """The ticket cannot be laid out: unknown paper width or incomplete ticket data."""


class ShapingUnavailable(RuntimeError):
    """Pillow has no libraqm (Debian: libfribidi0), so right-to-left text cannot be shaped."""


@dataclass(frozen=True)
class TicketContent:
    """What one printed ticket says; no names, only the number and the errand."""

    office_name: str
    number: str
    errand: str
    errand_de: str
    lang: str
    issued_at: datetime
    people_ahead: int | None
    eta_min: int | None
    status_url: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["issued_at"] = self.issued_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TicketContent:
        try:
            issued_at = datetime.fromisoformat(str(data["issued_at"]))
            return cls(
                office_name=str(data["office_name"]),
                number=str(data["number"]),
                errand=str(data["errand"]),
                errand_de=str(data.get("errand_de") or data["errand"]),
                lang=str(data.get("lang") or "de"),
                issued_at=issued_at,
                people_ahead=_optional_int(data.get("people_ahead")),
                eta_min=_optional_int(data.get("eta_min")),
                status_url=str(data["status_url"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise LayoutError(f"ticket data incomplete or malformed: {error!r}") from None


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True)
class _Style:
    scale: int
    bold: bool
    px: int


_SMALL = _Style(scale=1, bold=False, px=22)
_BODY = _Style(scale=1, bold=True, px=26)
_LARGE = _Style(scale=2, bold=True, px=46)


@functools.lru_cache(maxsize=16)
def _font(px: int) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    return ImageFont.truetype(str(FONT_PATH), px, layout_engine=engine)


def _wrap_px(text: str, font: ImageFont.FreeTypeFont, width: int, direction: str) -> list[str]:
    lines: list[str] = []
    # Split on plain spaces only: a no-break space keeps "25 min" together.
    for word in text.split(" "):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate, direction=direction) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines or [""]


def raster_text(text: str, *, px: int, width: int, rtl: bool = False) -> Image.Image:
    """Centred, wrapped, pure black-and-white image of `text`, `width` dots wide."""
    if rtl and not features.check("raqm"):
        raise ShapingUnavailable("libraqm is missing; install libfribidi0")
    font = _font(px)
    direction = "rtl" if rtl else "ltr"
    lines = _wrap_px(text, font, width - 2 * _RASTER_MARGIN, direction)
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + 4
    image = Image.new("L", (width, line_height * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        x = (width - font.getlength(line, direction=direction)) / 2
        draw.text((x, row * line_height), line, font=font, fill=0, direction=direction)
    return image.point(lambda v: 0 if v < 128 else 255)


class _Sheet:
    """One ticket being written into python-escpos' Dummy printer."""

    def __init__(self, paper_mm: int) -> None:
        if paper_mm not in PAPER_DOTS:
            raise LayoutError(f"paper width {paper_mm} mm is not one of 58, 80")
        self.dots = PAPER_DOTS[paper_mm]
        self.printer = Dummy(profile="default")
        # The shared profile says "Unknown" width, which makes escpos print a warning.
        self.printer.profile.profile_data = {
            **self.printer.profile.profile_data,
            "media": {"width": {"pixels": self.dots, "mm": paper_mm}, "dpi": 203},
        }
        self.printer.hw("INIT")
        self.printer.magic.force_encoding(TEXT_CODEPAGE)

    def can_print_as_text(self, text: str) -> bool:
        encoder = self.printer.magic.encoder
        return all(encoder.can_encode(TEXT_CODEPAGE, char) for char in text)

    def line(self, text: str, *, style: _Style, rtl: bool = False) -> None:
        if not rtl and self.can_print_as_text(text):
            self._text(text, style=style)
        else:
            self._raster(text, style=style, rtl=rtl)

    def _text(self, text: str, *, style: _Style) -> None:
        columns = self.dots // (FONT_A_DOTS[0] * style.scale)
        self.printer.set(
            align="center",
            bold=style.bold,
            custom_size=True,
            width=style.scale,
            height=style.scale,
        )
        for row in textwrap.wrap(text, columns) or [""]:
            self.printer.textln(row)

    def _raster(self, text: str, *, style: _Style, rtl: bool) -> None:
        self.printer.set(align="left")
        self.printer.image(raster_text(text, px=style.px, width=self.dots, rtl=rtl))

    def number(self, number: str) -> None:
        # Font A is 12 dots wide; the biggest multiplier that keeps a margin.
        scale = max(1, min(8, (self.dots - 2 * FONT_A_DOTS[0]) // (FONT_A_DOTS[0] * len(number))))
        self.printer.set(
            align="center", bold=True, smooth=True, custom_size=True, width=scale, height=scale
        )
        self.printer.textln(number)
        self.printer.set(smooth=False)

    def rule(self) -> None:
        self.printer.set(align="center", bold=False, custom_size=True, width=1, height=1)
        self.printer.textln("-" * (self.dots // FONT_A_DOTS[0]))

    def qr(self, url: str) -> None:
        self.printer.ln()
        self.printer.set(align="center")
        self.printer.qr(url, native=True, size=6 if self.dots < 500 else 8)
        self.printer.ln()

    def gap(self) -> None:
        self.printer.ln()

    def finish(self) -> bytes:
        self.printer.set(align="left", bold=False, custom_size=True, width=1, height=1)
        self.printer.cut()
        return bytes(self.printer.output)


def render_ticket(*, content: TicketContent, paper_mm: int = 80) -> bytes:
    """ESC/POS bytes of one ticket, ending with a cut."""
    texts = texts_for(content.lang)
    sheet = _Sheet(paper_mm)
    sheet.line(content.office_name, style=_BODY)
    sheet.rule()
    sheet.number(content.number)
    sheet.line(content.errand, style=_LARGE, rtl=texts.rtl)
    if content.lang != "de" and content.errand_de != content.errand:
        sheet.line(content.errand_de, style=_SMALL)
    sheet.gap()
    sheet.line(content.issued_at.strftime("%d.%m.%Y  %H:%M"), style=_BODY)
    if content.people_ahead is not None:
        sheet.line(texts.people_ahead.format(n=content.people_ahead), style=_BODY, rtl=texts.rtl)
    if content.eta_min is not None:
        sheet.line(texts.wait.format(m=content.eta_min), style=_BODY, rtl=texts.rtl)
    sheet.gap()
    sheet.line(texts.scan, style=_SMALL, rtl=texts.rtl)
    sheet.qr(content.status_url)
    sheet.line(texts.footer, style=_SMALL, rtl=texts.rtl)
    return sheet.finish()
