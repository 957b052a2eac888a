"""Ticket layout against golden ESC/POS bytes, and read back through the emulator's parser.

Golden files pin the exact bytes; the Arabic one contains raster images drawn by
FreeType/HarfBuzz, so a different Pillow build may change them. Regenerate on
purpose with `UPDATE_GOLDEN=1 pytest tests/printers/test_printer_ticket.py` and
look at the PNGs in artifacts/printers/ before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import features
from printer_samples import arabic_ticket, german_ticket

from printers.escpos_parse import EscPosParser
from printers.ticket import LayoutError, TicketContent, render_ticket

GOLDEN = Path(__file__).parent / "golden"


def _check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(data)
    expected = path.read_bytes()
    if data != expected:
        pairs = enumerate(zip(data, expected, strict=False))
        first = next((i for i, (a, b) in pairs if a != b), min(len(data), len(expected)))
        pytest.fail(
            f"{name}: {len(data)} bytes vs {len(expected)} golden, first difference at {first}"
        )


def _ops(data: bytes) -> list[str]:
    return [op.kind for op in EscPosParser().feed(data)]


def test_german_ticket_matches_golden_bytes() -> None:
    _check_golden("ticket_de_80mm.bin", render_ticket(content=german_ticket(), paper_mm=80))


def test_arabic_ticket_matches_golden_bytes() -> None:
    assert features.check("raqm"), "Arabic needs Pillow with libraqm (Debian: libfribidi0)"
    _check_golden("ticket_ar_58mm.bin", render_ticket(content=arabic_ticket(), paper_mm=58))


def test_german_ticket_is_text_with_native_qr_and_one_cut() -> None:
    data = render_ticket(content=german_ticket(), paper_mm=58)
    texts = [op.text for op in EscPosParser().feed(data) if op.kind == "text"]
    # 32 columns: what does not fit one line goes on two, split between its parts
    assert "A042" in texts and "Bürgeramt Mitte" in texts and "01.12.2026 09:14" in texts
    assert "Vor Ihnen: 4" in texts and "Wartezeit ca. 25\u00a0Min." in texts
    assert b"\x1d(k" in data and b"http://127.0.0.1:8000/t/Qx7pK2mZ" in data
    assert _ops(data).count("cut") == 1 and data.endswith(b"\x1dVA\x00")
    assert "image" not in _ops(data)


def test_arabic_and_cyrillic_lines_are_raster_images() -> None:
    arabic = render_ticket(content=arabic_ticket(), paper_mm=80)
    assert _ops(arabic).count("image") >= 4
    russian = TicketContent(**{**german_ticket().__dict__, "lang": "ru", "errand": "Паспорт"})
    assert _ops(render_ticket(content=russian, paper_mm=80)).count("image") >= 4


def test_number_is_the_largest_text_that_fits_the_paper() -> None:
    for paper_mm, dots in ((58, 384), (80, 576)):
        ops = EscPosParser().feed(render_ticket(content=german_ticket(), paper_mm=paper_mm))
        number = next(op for op in ops if op.kind == "text" and op.text == "A042")
        assert number.style.width >= 7 and 4 * 12 * number.style.width <= dots


def test_no_line_is_wider_than_the_paper() -> None:
    for paper_mm, dots in ((58, 384), (80, 576)):
        ops = EscPosParser().feed(render_ticket(content=arabic_ticket(), paper_mm=paper_mm))
        assert all(op.image.width <= dots for op in ops if op.image is not None)


def test_unknown_paper_width_is_a_layout_error() -> None:
    with pytest.raises(LayoutError):
        render_ticket(content=german_ticket(), paper_mm=62)


def test_content_round_trips_through_json_and_rejects_garbage() -> None:
    content = arabic_ticket()
    assert TicketContent.from_json(content.to_json()) == content
    with pytest.raises(LayoutError):
        TicketContent.from_json({"number": "A001"})
    with pytest.raises(LayoutError):
        TicketContent.from_json({**content.to_json(), "issued_at": "yesterday"})
