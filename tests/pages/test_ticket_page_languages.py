"""The visitor's status page speaks the language chosen at the kiosk, right to left in Arabic."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from i18n import Catalog
from tests.browser import browser
from tests.conftest import LiveServer


def check_in(server: LiveServer, lang: str) -> dict[str, Any]:
    with server.client("kiosk") as kiosk:
        answer = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis", "lang": lang},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    ticket: dict[str, Any] = answer.json()["ticket"]
    return ticket


def call_at_counter_1(server: LiveServer) -> str:
    with server.client("counter:1") as desk:
        desk.post("/api/v1/counters/1/state", json={"state": "open"}, headers={"Idempotency-Key": str(uuid.uuid4())})
        answer = desk.post("/api/v1/counters/1/next", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["ticket"]["id"])


def test_an_arabic_visitor_is_called_in_arabic(live_server: LiveServer, artifacts: Path) -> None:
    arabic = check_in(live_server, "ar")
    assert call_at_counter_1(live_server) == arabic["id"]
    turkish = check_in(live_server, "tr")
    with browser() as chromium:
        b: Any = chromium
        page = b.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{live_server.url}/t/{turkish['public_id']}")
        page.wait_for_selector(f"#number:text('{turkish['number']}')")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["tr", "ltr"]
        status = httpx.get(f"{live_server.url}/api/v1/tickets/public/{turkish['public_id']}", timeout=10).json()
        assert Catalog("tr", "ticket_page").text("ahead", n=status["ahead"]) in page.inner_text("#card")
        assert "?" not in page.inner_text("#card")

        page.goto(f"{live_server.url}/t/{arabic['public_id']}")
        page.wait_for_selector("#card.called")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        expected = Catalog("ar", "ticket_page").text("called", counter="الشباك 1 (الغرفة E.01)")
        assert page.inner_text("#card") == expected
        assert page.inner_text("#note") == Catalog("ar", "ticket_page").text("note")
        assert page.title() == Catalog("ar", "ticket_page").text("title")
        page.screenshot(path=str(artifacts / "ticket-page-ar-called.png"))
