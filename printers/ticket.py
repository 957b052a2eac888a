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
from dataclasses import dataclass
from pathlib import Path

from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont, features

from .texts import TicketTexts, texts_for
from .words import LayoutError, TicketContent

PAPER_DOTS = {58: 384, 80: 576}
FONT_A_DOTS = (12, 24)
TEXT_CODEPAGE = "CP858"
FONT_PATH = Path(__file__).parent / "fonts" / "DejaVuSans-Bold.ttf"
_RASTER_MARGIN = 8
NUMBER_MAX_HEIGHT = 6
# QR modules of 0.75 mm (80 mm paper) and 0.6 mm (58 mm): a phone reads either at arm's length
QR_MODULE_DOTS = {576: 6, 384: 5}
QR_QUIET_DOTS = 16
SEPARATOR = " · "


class ShapingUnavailable(RuntimeError):
    """Pillow has no libraqm (Debian: libfribidi0), so right-to-left text cannot be shaped."""


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

    def joined(self, parts: list[str], *, style: _Style, rtl: bool = False) -> None:
        """The parts on one line when it fits the paper, else each on its own line."""
        parts = [p for p in parts if p]
        line = SEPARATOR.join(parts)
        if self._fits(line, style=style, rtl=rtl):
            self.line(line, style=style, rtl=rtl)
            return
        for part in parts:
            self.line(part, style=style, rtl=rtl)

    def _fits(self, text: str, *, style: _Style, rtl: bool) -> bool:
        if not rtl and self.can_print_as_text(text):
            return len(text) <= self.dots // (FONT_A_DOTS[0] * style.scale)
        direction = "rtl" if rtl else "ltr"
        return _font(style.px).getlength(text, direction=direction) <= self.dots - 2 * _RASTER_MARGIN

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
        # Font A is 12 x 24 dots; the widest multiplier that keeps a margin, at most six high
        # (18 mm of 24 dots: still read across the room, a third less paper than eight).
        scale = max(1, min(8, (self.dots - 2 * FONT_A_DOTS[0]) // (FONT_A_DOTS[0] * len(number))))
        self.printer.set(
            align="center",
            bold=True,
            smooth=True,
            custom_size=True,
            width=scale,
            height=min(scale, NUMBER_MAX_HEIGHT),
        )
        self.printer.textln(number)
        self.printer.set(smooth=False)

    def qr(self, url: str) -> None:
        # a few dots of quiet zone above and below, instead of a whole empty line each
        self.feed_dots(QR_QUIET_DOTS)
        self.printer.set(align="center")
        self.printer.qr(url, native=True, size=QR_MODULE_DOTS[self.dots])
        self.feed_dots(QR_QUIET_DOTS)

    def feed_dots(self, dots: int) -> None:
        self.printer._raw(b"\x1bJ" + bytes([dots]))  # ESC J n: feed n dots

    def finish(self) -> bytes:
        self.printer.set(align="left", bold=False, custom_size=True, width=1, height=1)
        # GS V 65 0: the printer feeds to its own cutting position and cuts; no blank lines
        self.printer._raw(b"\x1dVA\x00")
        return bytes(self.printer.output)


def wait_parts(content: TicketContent, texts: TicketTexts) -> list[str]:
    """People ahead, and the wait or why there is none."""
    parts = []
    if content.people_ahead is not None:
        parts.append(texts.people_ahead.format(n=content.people_ahead))
    if content.eta_reason is not None:
        at = content.opens_at
        parts.append(texts.counters_open_at.format(time=at.strftime("%H:%M")) if at else texts.no_counter_open)
    elif content.eta_min is not None:
        parts.append(texts.wait.format(m=content.eta_min))
    return parts


def render_ticket(*, content: TicketContent, paper_mm: int = 80) -> bytes:
    """ESC/POS bytes of one ticket, ending with a cut.

    Everything the ticket says, on as little paper as it can: office and time on
    one line, people ahead and wait on one, no empty lines, the QR code at the size
    a phone reads at arm's length, and no blank feed before the cut.
    """
    texts = texts_for(content.lang)
    sheet = _Sheet(paper_mm)
    sheet.joined([content.office_name, content.issued_at.strftime("%d.%m.%Y %H:%M")], style=_SMALL)
    sheet.number(content.number)
    sheet.line(content.errand, style=_LARGE, rtl=texts.rtl)
    if content.lang != "de" and content.errand_de != content.errand:
        sheet.line(content.errand_de, style=_SMALL)
    sheet.joined(wait_parts(content, texts), style=_BODY, rtl=texts.rtl)
    sheet.line(texts.scan, style=_SMALL, rtl=texts.rtl)
    sheet.qr(content.status_url)
    sheet.line(texts.footer, style=_SMALL, rtl=texts.rtl)
    return sheet.finish()
