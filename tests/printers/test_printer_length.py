"""A printed ticket says everything on little paper, and no minutes without an open counter.

The length is what the ESC/POS commands move the paper, read back through the
emulator's parser and paper (8 dots a mm, 203 dpi). Before: about 12.5 cm, 2.25 of
them six blank lines fed before the cut.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from printer_office import PRINTER_ID, with_printer
from printer_samples import BERLIN, arabic_ticket, german_ticket

from printers.escpos_parse import EscPosParser
from printers.paper import Paper
from printers.ticket import PAPER_DOTS, render_ticket
from printers.words import TicketContent
from tests.conftest import ServerFactory


def paper_of(content: TicketContent, paper_mm: int) -> tuple[Paper, list[str], list[str]]:
    ops = EscPosParser().feed(render_ticket(content=content, paper_mm=paper_mm))
    paper = Paper(dots=PAPER_DOTS[paper_mm], paper_mm=paper_mm)
    paper.apply(ops)
    texts = [op.text for op in ops if op.kind == "text"]
    return paper, texts, [op.text for op in ops if op.kind == "qr"]


def test_a_german_ticket_is_short_and_keeps_every_word(artifacts: Path) -> None:
    paper, texts, qr = paper_of(german_ticket(), 80)
    (artifacts / "printers").mkdir(exist_ok=True)
    paper.image().save(artifacts / "printers" / "ticket-de-80mm-short.png")
    assert paper.length_mm() <= 70, paper.length_mm()
    words = " | ".join(texts)
    for part in ("Bürgeramt Mitte", "01.12.2026 09:14", "A042", "Personalausweis", "beantragen",
                 "Vor Ihnen: 4", "Wartezeit ca. 25\u00a0Min.", "Ihr Stand auf dem Handy:",
                 "Bitte achten Sie auf den Aufruf am Bildschirm."):  # fmt: skip
        assert part in words, part
    assert qr == ["http://127.0.0.1:8000/t/Qx7pK2mZ"]


def test_an_arabic_ticket_on_narrow_paper_is_short_too(artifacts: Path) -> None:
    paper, _texts, qr = paper_of(arabic_ticket(), 58)
    (artifacts / "printers").mkdir(exist_ok=True)
    paper.image().save(artifacts / "printers" / "ticket-ar-58mm-short.png")
    assert paper.length_mm() <= 85, paper.length_mm()
    assert qr == ["http://127.0.0.1:8000/t/Zr81LmQe"]


def test_without_an_open_counter_the_ticket_says_when_they_open() -> None:
    closed = replace(german_ticket(), eta_min=None, eta_reason="no_counter_open",
                     opens_at=datetime(2026, 12, 1, 8, 0, tzinfo=BERLIN))  # fmt: skip
    _paper, texts, _qr = paper_of(closed, 80)
    assert "Vor Ihnen: 4 · Schalter öffnen um 08:00 Uhr" in texts
    assert not any("Min." in text for text in texts)
    _paper, texts, _qr = paper_of(replace(closed, opens_at=None), 80)
    assert "Vor Ihnen: 4 · Noch kein Schalter geöffnet" in texts


def test_the_print_job_carries_the_server_count_and_the_reason(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=with_printer)
    with server.client("kiosk") as kiosk:
        for _ in range(3):
            answer = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"},
                                headers={"Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
            assert answer.status_code == 201, answer.text
    with server.client("printer") as printer:
        jobs = printer.get(f"/api/v1/printers/{PRINTER_ID}/jobs", params={"state": "pending"}).json()["jobs"]
    last = TicketContent.from_json(jobs[-1]["content"])
    assert last.people_ahead == answer.json()["ahead"] == 2
    assert (last.eta_min, last.eta_reason) == (None, "no_counter_open")
