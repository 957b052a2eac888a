"""Draw parsed ESC/POS operations onto a strip of thermal paper (1 pixel = 1 dot)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from .escpos_parse import Op, Style

MONO_FONT_PATH = Path(__file__).parent / "fonts" / "DejaVuSansMono.ttf"
_CELL = {False: (12, 24), True: (9, 17)}  # font A / font B cell in dots
_PAPER_COLOUR = (250, 249, 244)
_INK = (20, 20, 24)
_DESK = (150, 150, 155)
_QR_EC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@functools.lru_cache(maxsize=16)
def _mono(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(MONO_FONT_PATH), px)


@functools.lru_cache(maxsize=4096)
def _glyph(char: str, style: Style) -> Image.Image:
    """One character cell as the print head would burn it (L mode, 0 = black).

    Enlarged characters are drawn from the outline at their final height, as a
    printer with smoothing (GS b) does, rather than as blown-up dots.
    """
    base_width, base_height = _CELL[style.font_b]
    scale = style.height
    cell = Image.new("L", (base_width * scale, base_height * scale), 255)
    draw = ImageDraw.Draw(cell)
    font = _mono((14 if style.font_b else 20) * scale)
    draw.text((0, scale), char, font=font, fill=0)
    if style.bold:
        draw.text((scale, scale), char, font=font, fill=0)
    if style.underline:
        draw.line([(0, cell.height - 2), (cell.width, cell.height - 2)], fill=0, width=2)
    size = (base_width * style.width, base_height * style.height)
    cell = cell.resize(size, Image.Resampling.BILINEAR).point(lambda v: 0 if v < 140 else 255)
    if style.invert:
        cell = cell.point(lambda v: 255 - v)
    return cell


@dataclass
class _Line:
    cells: list[Image.Image] = field(default_factory=list)
    width: int = 0
    align: str = "left"


DOTS_PER_MM = 8


class Paper:
    """Accumulates printed strips; `image()` returns the ticket as it would leave the printer."""

    def __init__(self, *, dots: int = 576, paper_mm: int = 80) -> None:
        self.dots = dots
        self.paper_px = round(paper_mm * 8)
        self.strips: list[Image.Image] = []
        self.line = _Line()
        self.cut = False

    def apply(self, ops: Iterable[Op]) -> None:
        for op in ops:
            getattr(self, f"_{op.kind}", self._ignore)(op)

    def _ignore(self, op: Op) -> None:
        pass

    def _text(self, op: Op) -> None:
        for char in op.text:
            cell = _glyph(char, op.style)
            if self.line.width + cell.width > self.dots:
                self._flush(op.style)
            if not self.line.cells:
                self.line.align = op.style.align
            self.line.cells.append(cell)
            self.line.width += cell.width

    def _newline(self, op: Op) -> None:
        self._flush(op.style)

    def _flush(self, style: Style) -> None:
        spacing = 30
        if not self.line.cells:
            self.strips.append(Image.new("L", (self.dots, spacing), 255))
            return
        height = max(max(cell.height for cell in self.line.cells), spacing)
        strip = Image.new("L", (self.dots, height), 255)
        x = _x_for(self.line.align, self.line.width, self.dots)
        for cell in self.line.cells:
            strip.paste(cell, (x, height - cell.height))
            x += cell.width
        self.strips.append(strip)
        self.line = _Line()

    def _pending_line(self, style: Style) -> None:
        if self.line.cells:
            self._flush(style)

    def _feed(self, op: Op) -> None:
        self._pending_line(op.style)
        self.strips.append(Image.new("L", (self.dots, max(0, op.value)), 255))

    def _image(self, op: Op) -> None:
        assert op.image is not None
        self._pending_line(op.style)
        self._place(op.image.convert("L"), op.style.align)

    def _qr(self, op: Op) -> None:
        self._pending_line(op.style)
        code = qrcode.QRCode(border=0, box_size=op.qr_module, error_correction=_QR_EC[op.qr_ec])
        code.add_data(op.text)
        code.make(fit=True)
        self._place(code.make_image().get_image().convert("L"), op.style.align)

    def _place(self, picture: Image.Image, align: str) -> None:
        picture = picture.crop((0, 0, min(picture.width, self.dots), picture.height))
        strip = Image.new("L", (self.dots, picture.height), 255)
        strip.paste(picture, (_x_for(align, picture.width, self.dots), 0))
        self.strips.append(strip)

    def _cut(self, op: Op) -> None:
        self._pending_line(op.style)
        self.cut = True

    def length_mm(self) -> float:
        """How far the commands moved the paper, at 203 dpi (8 dots a mm); the printer's own
        feed to its cutter (GS V 65, model-specific) is not part of it."""
        self._pending_line(Style())
        return sum(strip.height for strip in self.strips) / DOTS_PER_MM

    def image(self) -> Image.Image:
        """The paper on a grey desk, with a serrated edge where the cutter went through."""
        self._pending_line(Style())
        body_height = sum(strip.height for strip in self.strips) + 40
        printed = Image.new("L", (self.dots, body_height), 255)
        y = 20
        for strip in self.strips:
            printed.paste(strip, (0, y))
            y += strip.height
        return _on_desk(printed, paper_px=self.paper_px, cut=self.cut)


def _x_for(align: str, width: int, dots: int) -> int:
    if align == "center":
        return max(0, (dots - width) // 2)
    if align == "right":
        return max(0, dots - width)
    return 0


def _on_desk(printed: Image.Image, *, paper_px: int, cut: bool) -> Image.Image:
    margin, tooth = 24, 8
    paper_px = max(paper_px, printed.width)
    canvas = Image.new("RGB", (paper_px + 2 * margin, printed.height + 2 * margin), _DESK)
    paper = Image.new("RGB", (paper_px, printed.height), _PAPER_COLOUR)
    ink = Image.new("RGB", printed.size, _INK)
    paper.paste(ink, ((paper_px - printed.width) // 2, 0), mask=printed.point(lambda v: 255 - v))
    canvas.paste(paper, (margin, margin))
    if cut:
        draw = ImageDraw.Draw(canvas)
        bottom = margin + printed.height
        teeth = [
            (margin + x, bottom - (tooth if (x // tooth) % 2 else 0))
            for x in range(0, paper_px + 1, tooth)
        ]
        draw.polygon([*teeth, (margin + paper_px, bottom + 1), (margin, bottom + 1)], fill=_DESK)
    return canvas
