"""The display in each of the six languages: complete, with lang and dir, right to left in Arabic."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx

from i18n import Catalog, load
from tests.browser import browser
from tests.conftest import LiveServer

# a printer named without German words, so that any German left on the page is the page's own
PRINTER = '\n[[printers]]\nid = "eingang"\nname = "EG-1"\nkiosks = ["*"]\nagent = "printer"\n'
LANGS = ("de", "en", "tr", "ar", "uk", "ru")


def german_words() -> set[str]:
    """Every German text the display may show, without its numbers, plus the office's counter words."""
    texts: list[str] = []
    for key, entry in load("de").items():
        if key.startswith(("display.", "place.")):
            texts += [entry] if isinstance(entry, str) else list(entry.values())
    pieces = {piece.strip(" .–:") for text in texts for piece in re.split(r"\{\w+\}|\d+", text)}
    return {piece for piece in pieces if len(piece) > 2} | {"Schalter", "Raum", "ca. "}


def busy_office(server: LiveServer) -> None:
    """Two counters calling, one visitor already served, a printer out of paper, people waiting."""
    key = {"Idempotency-Key": ""}
    with server.client("kiosk") as kiosk:
        for service in ("ausweis", "ausweis", "anmeldung", "pass", "ausweis", "abholung"):
            key["Idempotency-Key"] = str(uuid.uuid4())
            assert kiosk.post("/api/v1/checkins", json={"service_id": service}, headers=key).status_code == 201
    for counter, calls in (("1", 2), ("2", 1)):
        with server.client(f"counter:{counter}") as desk:
            key["Idempotency-Key"] = str(uuid.uuid4())
            desk.post(f"/api/v1/counters/{counter}/state", json={"state": "open"}, headers=key)
            for _ in range(calls):
                key["Idempotency-Key"] = str(uuid.uuid4())
                # the visitor called before did not start: done (office.toml's next_on_called asks)
                answer = desk.post(f"/api/v1/counters/{counter}/next", params={"previous": "done"}, headers=key)
                assert answer.status_code == 200
    with server.client("printer") as agent:
        assert agent.post("/api/v1/printers/eingang/status", json={"status": "paper_out"}).status_code == 200


def open_display(chromium: Any, server: LiveServer, lang: str) -> Any:
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{server.url}/display?token={server.tokens['display']}&lang={lang}")
    page.wait_for_selector("#current li")
    page.wait_for_selector("#recent li")
    page.wait_for_selector("#status .printer-warning")
    return page


def test_the_arabic_display_is_arabic_and_right_to_left(server_factory: Any, artifacts: Path) -> None:
    server: LiveServer = server_factory(edit_config=lambda text: text + PRINTER)
    busy_office(server)
    arabic = Catalog("ar", "display")
    with browser() as chromium:
        page = open_display(chromium, server, "ar")
        page.screenshot(path=str(artifacts / "display-ar.png"))
        assert page.evaluate("document.documentElement.lang") == "ar"
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        text = page.inner_text("body")
        left = sorted(word for word in german_words() if word in text)
        assert not left, left
        assert arabic.text("now_title") in page.inner_text("#now-title")
        assert arabic.text("recent_title") in page.inner_text("#recent-title")
        assert arabic.text("waiting_title") in page.inner_text("#waiting-title")
        assert "الشباك 1" in page.inner_text("#current") and "الغرفة E.01" in page.inner_text("#current")
        assert "الشباك" in page.inner_text("#recent")
        assert arabic.text("printer_paper_out") in page.inner_text("#status")
        assert arabic.plural("counters_open", 2) in page.inner_text("#status")
        assert re.search("حوالي|أقل من دقيقة", page.inner_text("#waiting"))
        assert page.title() == arabic.text("title", office="Bürgeramt Musterstadt")
        # the tile reads from the right: the number stands right of the counter
        number = page.locator("#current li").first.locator(".number").bounding_box()
        where = page.locator("#current li").first.locator(".where").bounding_box()
        assert number["x"] > where["x"]


def test_every_language_has_its_own_complete_display(server_factory: Any) -> None:
    server: LiveServer = server_factory(edit_config=lambda text: text + PRINTER)
    busy_office(server)
    with browser() as chromium:
        for lang in LANGS:
            words = Catalog(lang, "display")
            page = open_display(chromium, server, lang)
            assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
                lang, "rtl" if lang == "ar" else "ltr"]
            for part, key in (("#now-title", "now_title"), ("#recent-title", "recent_title"),
                              ("#waiting-title", "waiting_title")):
                assert words.text(key) in page.inner_text(part), (lang, key)
            assert words.text("printer_paper_out") in page.inner_text("#status"), lang
            assert words.plural("counters_open", 2) in page.inner_text("#status"), lang
            # a German board keeps its English second line; the others speak their language only
            assert ("Now serving" in page.inner_text("#now-title")) == (lang in ("de", "en")), lang
            page.close()


def test_the_texts_route_names_counters_in_the_language(live_server: LiveServer) -> None:
    answer = httpx.get(f"{live_server.url}/api/v1/texts/tr", params={"ns": "display"}, timeout=10)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["lang"] == "tr" and body["dir"] == "ltr"
    assert body["counters"]["2"] == {"label": "Gişe 2", "room": "Oda E.01", "office_label": "Schalter 2"}
    assert body["texts"]["display.now_title"] == "Çağrılanlar"
    assert not [key for key in body["texts"] if key.startswith("kiosk.")]
    unknown = httpx.get(f"{live_server.url}/api/v1/texts/fr", timeout=10)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_language"
    wrong_ns = httpx.get(f"{live_server.url}/api/v1/texts/de", params={"ns": "nope"}, timeout=10)
    assert wrong_ns.status_code == 422 and wrong_ns.json()["error"]["code"] == "unknown_namespace"
