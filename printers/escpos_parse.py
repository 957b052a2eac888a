"""Read an ESC/POS byte stream back into operations, as a printer would.

Incremental: `EscPosParser.feed()` takes whatever arrived on the wire and
returns the complete operations; an unfinished command waits for more bytes.
Image data is skipped by its declared length, so a DLE EOT pattern inside a
bitmap is never taken for a status request.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, replace

from escpos.capabilities import get_profile
from PIL import Image

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
LF, CR, HT = 0x0A, 0x0D, 0x09


@dataclass(frozen=True)
class Style:
    """Character and line settings in force when something was printed."""

    align: str = "left"
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1
    font_b: bool = False
    invert: bool = False
    smooth: bool = False


@dataclass(frozen=True)
class Op:
    """One printer operation and the bytes it came from."""

    kind: str
    raw: bytes
    style: Style
    text: str = ""
    image: Image.Image | None = None
    value: int = 0
    qr_module: int = 3
    qr_ec: str = "L"


class _Incomplete(Exception):
    """The buffer ends inside a command; wait for more bytes."""


_CODEPAGES = {int(page): name for name, page in get_profile("default").get_code_pages().items()}
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
# ESC commands whose parameters we skip by count (command byte -> parameter bytes).
_ESC_SKIP = {
    0x20: 1,
    0x24: 2,
    0x25: 1,
    0x3D: 1,
    0x3F: 1,
    0x4C: 0,
    0x52: 1,
    0x53: 0,
    0x54: 1,
    0x55: 1,
    0x56: 1,
    0x57: 8,
    0x5C: 2,
    0x63: 2,
    0x70: 3,
    0x72: 1,
    0x75: 1,
    0x76: 0,
    0x7B: 1,
}
_GS_SKIP = {
    0x23: 1,
    0x2F: 1,
    0x3A: 0,
    0x48: 1,
    0x49: 1,
    0x4C: 2,
    0x50: 2,
    0x54: 1,
    0x57: 2,
    0x5C: 2,
    0x5E: 3,
    0x61: 1,
    0x66: 1,
    0x68: 1,
    0x72: 1,
    0x77: 1,
    0x7A: 1,
}


def _codec(page: int) -> str:
    name = _CODEPAGES.get(page, "CP437")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp437"


def _u16(buf: bytes, at: int) -> int:
    return buf[at] | (buf[at + 1] << 8)


def _need(buf: bytes, end: int) -> None:
    if len(buf) < end:
        raise _Incomplete


class EscPosParser:
    """Turns ESC/POS bytes into `Op`s: text, newline, feed, image, qr, cut, status, setting."""

    def __init__(self) -> None:
        self.buffer = b""
        self.style = Style()
        self.codec = "cp437"
        self.line_spacing = 30
        self._qr_data = b""
        self._qr_module = 3
        self._qr_ec = "L"
        self._graphics: Image.Image | None = None

    def feed(self, data: bytes) -> list[Op]:
        self.buffer += data
        ops: list[Op] = []
        at = 0
        while at < len(self.buffer):
            try:
                end, op = self._step(self.buffer, at)
            except _Incomplete:
                break
            # Settings become ops too, so the bytes of a ticket can be kept whole.
            ops.append(op or self._op("setting", self.buffer[at:end]))
            at = end
        self.buffer = self.buffer[at:]
        return ops

    def _op(self, kind: str, raw: bytes, **fields: object) -> Op:
        return Op(kind=kind, raw=raw, style=self.style, **fields)  # type: ignore[arg-type]

    def _step(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        byte = buf[at]
        if byte == ESC:
            return self._esc(buf, at)
        if byte == GS:
            return self._gs(buf, at)
        if byte == DLE:
            return self._dle(buf, at)
        if byte == FS:
            return self._fs(buf, at)
        if byte == LF:
            return at + 1, self._op("newline", buf[at : at + 1])
        if byte == HT:
            return at + 1, self._op("text", buf[at : at + 1], text="    ")
        if byte < 0x20:
            return at + 1, None
        end = at
        while end < len(buf) and buf[end] >= 0x20:
            end += 1
        raw = buf[at:end]
        return end, self._op("text", raw, text=raw.decode(self.codec, errors="replace"))

    def _esc(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 2)
        cmd = buf[at + 1]
        handler = self._ESC_HANDLERS.get(cmd)
        if handler is not None:
            return handler(self, buf, at)
        return self._skip(buf, at, 2, _ESC_SKIP.get(cmd, 0))

    def _gs(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 2)
        cmd = buf[at + 1]
        handler = self._GS_HANDLERS.get(cmd)
        if handler is not None:
            return handler(self, buf, at)
        return self._skip(buf, at, 2, _GS_SKIP.get(cmd, 0))

    def _skip(self, buf: bytes, at: int, head: int, params: int) -> tuple[int, Op | None]:
        """Skip a command we do not render: a fixed count, or a length field (-n bytes)."""
        if params >= 0:
            _need(buf, at + head + params)
            return at + head + params, None
        size = -params
        _need(buf, at + head + size)
        length = int.from_bytes(buf[at + head : at + head + size], "little")
        _need(buf, at + head + size + length)
        return at + head + size + length, None

    def _dle(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 2)
        cmd = buf[at + 1]
        if cmd == 0x04:
            _need(buf, at + 3)
            return at + 3, self._op("status", buf[at : at + 3], value=buf[at + 2])
        if cmd == 0x14:
            return self._skip(buf, at, 2, 3)
        return self._skip(buf, at, 2, 1)

    def _fs(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 2)
        cmd = buf[at + 1]
        if cmd == 0x28:
            _need(buf, at + 5)
            return self._skip(buf, at, 3, -2)
        if cmd == 0x70:
            return self._skip(buf, at, 2, 2)
        return at + 2, None

    # ESC handlers ---------------------------------------------------------

    def _esc_init(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        self.style, self.codec, self.line_spacing = Style(), "cp437", 30
        return at + 2, None

    def _esc_mode(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        n = buf[at + 2]
        self.style = replace(
            self.style,
            font_b=bool(n & 0x01),
            bold=bool(n & 0x08),
            height=2 if n & 0x10 else 1,
            width=2 if n & 0x20 else 1,
            underline=bool(n & 0x80),
        )
        return at + 3, None

    def _esc_align(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        self.style = replace(self.style, align=_ALIGN.get(buf[at + 2], "left"))
        return at + 3, None

    def _esc_codepage(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        self.codec = _codec(buf[at + 2])
        return at + 3, None

    def _esc_feed_lines(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        return at + 3, self._op("feed", buf[at : at + 3], value=buf[at + 2] * self.line_spacing)

    def _esc_feed_dots(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        return at + 3, self._op("feed", buf[at : at + 3], value=buf[at + 2])

    def _esc_spacing_default(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        self.line_spacing = 30
        return at + 2, None

    def _esc_spacing(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        self.line_spacing = buf[at + 2]
        return at + 3, None

    def _esc_font(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        self.style = replace(self.style, font_b=buf[at + 2] in (1, 49))
        return at + 3, None

    def _esc_cut(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        return at + 2, self._op("cut", buf[at : at + 2], value=int(buf[at + 1] == 0x6D))

    def _esc_column_image(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 5)
        mode, width = buf[at + 2], _u16(buf, at + 3)
        rows = 3 if mode in (32, 33) else 1
        end = at + 5 + width * rows
        _need(buf, end)
        image = _column_image(buf[at + 5 : end], width=width, rows=rows)
        return end, self._op("image", buf[at:end], image=image)

    _ESC_HANDLERS: dict[int, Callable[[EscPosParser, bytes, int], tuple[int, Op | None]]] = {}

    # GS handlers ----------------------------------------------------------

    def _gs_size(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        n = buf[at + 2]
        self.style = replace(self.style, width=(n >> 4) + 1, height=(n & 0x0F) + 1)
        return at + 3, None

    def _gs_invert(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        self.style = replace(self.style, invert=bool(buf[at + 2] & 0x01))
        return at + 3, None

    def _gs_smooth(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        self.style = replace(self.style, smooth=bool(buf[at + 2] & 0x01))
        return at + 3, None

    def _gs_cut(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        mode = buf[at + 2]
        end = at + 4 if mode in (65, 66, 97, 98, 103, 104) else at + 3
        _need(buf, end)
        return end, self._op("cut", buf[at:end], value=int(mode in (1, 49, 66, 98, 104)))

    def _gs_raster(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 8)
        width_bytes, height = _u16(buf, at + 4), _u16(buf, at + 6)
        end = at + 8 + width_bytes * height
        _need(buf, end)
        image = _raster_image(buf[at + 8 : end], width_bytes=width_bytes, height=height)
        return end, self._op("image", buf[at:end], image=image)

    def _gs_paren(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 5)
        function, length = buf[at + 2], _u16(buf, at + 3)
        end = at + 5 + length
        _need(buf, end)
        body = buf[at + 5 : end]
        if function == ord("k"):
            return end, self._qr(body, buf[at:end])
        if function == ord("L"):
            return end, self._graphics_cmd(body, buf[at:end])
        return end, None

    def _gs_barcode(self, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        kind = buf[at + 2]
        if kind <= 6:
            end = buf.find(b"\x00", at + 3)
            if end < 0:
                raise _Incomplete
            data, end = buf[at + 3 : end], end + 1
        else:
            _need(buf, at + 4)
            end = at + 4 + buf[at + 3]
            _need(buf, end)
            data = buf[at + 4 : end]
        return end, self._op("text", buf[at:end], text=f"|||{data.decode('ascii', 'replace')}|||")

    def _qr(self, body: bytes, raw: bytes) -> Op | None:
        if len(body) < 2 or body[0] != 0x31:
            return None
        fn, args = body[1], body[2:]
        if fn == 67 and args:
            self._qr_module = max(1, min(16, args[0]))
        elif fn == 69 and args:
            self._qr_ec = _QR_EC.get(args[0], "L")
        elif fn == 80:
            self._qr_data = args[1:]
        elif fn == 81:
            text = self._qr_data.decode("utf-8", errors="replace")
            return self._op("qr", raw, text=text, qr_module=self._qr_module, qr_ec=self._qr_ec)
        return None

    def _graphics_cmd(self, body: bytes, raw: bytes) -> Op | None:
        if len(body) < 2 or body[0] != 0x30:
            return None
        fn = body[1]
        if fn in (0x70, 112) and len(body) >= 10:
            width, height = _u16(body, 6), _u16(body, 8)
            self._graphics = _raster_image(body[10:], width_bytes=(width + 7) // 8, height=height)
        elif fn in (0x32, 2) and self._graphics is not None:
            image, self._graphics = self._graphics, None
            return self._op("image", raw, image=image)
        return None

    _GS_HANDLERS: dict[int, Callable[[EscPosParser, bytes, int], tuple[int, Op | None]]] = {}


def _flag(name: str) -> Callable[[EscPosParser, bytes, int], tuple[int, Op | None]]:
    """Handler for ESC x n commands that switch one style flag on (n odd) or off."""

    def handler(parser: EscPosParser, buf: bytes, at: int) -> tuple[int, Op | None]:
        _need(buf, at + 3)
        on = bool(buf[at + 2] & 0x01)
        parser.style = (
            replace(parser.style, bold=on)
            if name == "bold"
            else replace(parser.style, underline=on)
        )
        return at + 3, None

    return handler


def _raster_image(data: bytes, *, width_bytes: int, height: int) -> Image.Image:
    """GS v 0 / GS ( L data: rows of bits, 1 = black dot."""
    data = data[: width_bytes * height].ljust(width_bytes * height, b"\x00")
    return Image.frombytes("1", (width_bytes * 8, height), bytes(b ^ 0xFF for b in data))


def _column_image(data: bytes, *, width: int, rows: int) -> Image.Image:
    """ESC * data: columns of 8 or 24 dots, top bit first."""
    image = Image.new("1", (width, rows * 8), 1)
    pixels = image.load()
    assert pixels is not None
    for x in range(width):
        for r in range(rows):
            byte = data[x * rows + r]
            for bit in range(8):
                if byte & (0x80 >> bit):
                    pixels[x, r * 8 + bit] = 0
    return image


EscPosParser._ESC_HANDLERS = {
    0x40: EscPosParser._esc_init,
    0x21: EscPosParser._esc_mode,
    0x45: _flag("bold"),
    0x47: _flag("bold"),
    0x2D: _flag("underline"),
    0x61: EscPosParser._esc_align,
    0x74: EscPosParser._esc_codepage,
    0x64: EscPosParser._esc_feed_lines,
    0x4A: EscPosParser._esc_feed_dots,
    0x32: EscPosParser._esc_spacing_default,
    0x33: EscPosParser._esc_spacing,
    0x4D: EscPosParser._esc_font,
    0x69: EscPosParser._esc_cut,
    0x6D: EscPosParser._esc_cut,
    0x2A: EscPosParser._esc_column_image,
}
EscPosParser._GS_HANDLERS = {
    0x21: EscPosParser._gs_size,
    0x42: EscPosParser._gs_invert,
    0x62: EscPosParser._gs_smooth,
    0x56: EscPosParser._gs_cut,
    0x76: EscPosParser._gs_raster,
    0x28: EscPosParser._gs_paren,
    0x6B: EscPosParser._gs_barcode,
}
