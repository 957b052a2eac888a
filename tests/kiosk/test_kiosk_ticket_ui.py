"""The kiosk window offscreen: what the ticket screen says about printing and the wait, the
QR code's size in large text, the errand pages, and a one-errand office (scenarios_ticket.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kiosk.test_kiosk_ui import run_kiosk

pytestmark = pytest.mark.kivy
PHOTO = "Bitte merken Sie sich die Nummer oder fotografieren Sie diesen Bildschirm."
PRINTING = "Ihre Wartenummer wird gedruckt. Bitte nehmen Sie sie mit."


def test_ticket_screen_says_printing_when_the_agent_prints_and_keeps_the_qr_size(
    tmp_path: Path, artifacts: Path
) -> None:
    seen = run_kiosk("ticket_print", tmp_path)
    printed, not_printed, large = seen["printed"], seen["not_printed"], seen["large_text"]
    assert PRINTING in printed["lines"] and PHOTO not in printed["lines"]
    assert PHOTO in not_printed["lines"] and PRINTING not in not_printed["lines"]
    for name in ("printed", "not_printed", "large_text", "counters_closed"):
        assert seen[name]["problems"] == [], name
        assert (artifacts / f"kiosk-ticket-{name.replace('_', '-')}.png").exists() or name == "large_text"
    # the QR code is 0.32 of the short side, with large text too
    side = 0.32 * seen["short_side"]
    assert printed["qr"] == pytest.approx([side, side], abs=1)
    assert large["qr"] == printed["qr"]
    closed = seen["counters_closed"]["lines"]
    assert "Schalter öffnen um 08:00 Uhr" in closed and not any("Minuten" in line for line in closed)


def test_the_last_errand_page_says_it_goes_back_to_the_first(tmp_path: Path) -> None:
    pages = run_kiosk("paging", tmp_path)
    seen = pages["pages"]
    assert len(seen) >= 2
    count = len(seen)
    for index, page in enumerate(seen[:-1], start=1):
        assert (page["title"], page["detail"]) == ("Weitere Anliegen", f"Seite {index} von {count}")
    last = seen[-1]
    assert (last["title"], last["detail"]) == ("Zurück zur ersten Seite", f"Seite {count} von {count}")
    assert last["symbol"] != seen[0]["symbol"]
    assert pages["after_last"] == seen[0]["errands"]
    everything = [e for page in seen for e in page["errands"]]
    assert sorted(everything) == sorted(f"e{i}" for i in range(1, 15))


def test_an_office_with_one_errand_gives_the_ticket_in_one_tap(tmp_path: Path) -> None:
    result = run_kiosk("one_errand", tmp_path)
    assert result["screens"] == ["start", "busy"]
    assert result["checkins"] == 1 and result["number"] == "P007"
