"""The visitor's status page follows the ticket live, signals the call, and says what to do
after a no-show or with an unknown ticket."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from i18n import Catalog
from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer, ServerFactory
from tests.office import call_next, check_in, ticket_action

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "de-DE"}
# the phone's vibration motor, recorded: headless Chromium has none
RECORD_VIBRATIONS = """
window.__vibrations = [];
Object.defineProperty(Navigator.prototype, "vibrate", {
  configurable: true,
  value: function (pattern) { window.__vibrations.push(pattern); return true; },
});
"""


def phone_page(chromium: Any, server: LiveServer, public_id: str) -> tuple[Any, list[str], list[str]]:
    """The status page on a phone; the stream requests it made, and its script errors."""
    page = chromium.new_page(**PHONE)
    page.add_init_script(RECORD_VIBRATIONS)
    streams: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: r.url.endswith("/stream") and streams.append(r.url))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{server.url}/t/{public_id}")
    return page, streams, problems


def vibrations(page: Any) -> int:
    return int(page.evaluate("window.__vibrations.length"))


def test_the_page_follows_the_call_live_and_signals_it(live_server: LiveServer, artifacts: Path) -> None:
    mine = check_in(live_server, service_id="ausweis")
    with browser() as chromium:
        page, streams, problems = phone_page(chromium, live_server, mine["public_id"])
        page.wait_for_selector(f"#number:text('{mine['number']}')")
        page.wait_for_function("document.getElementById('card').textContent.includes('Vor Ihnen')")
        assert streams, "the page did not open the live stream"
        time.sleep(1)  # the stream's first answer is in, so the call below is news to it
        assert page.is_visible("#alert-on") and page.inner_text("#turn") == ""
        page.screenshot(path=str(artifacts / "ticket-page-waiting.png"))
        assert_accessible(page)

        assert call_next(live_server)["id"] == mine["id"]
        asked = time.monotonic()
        # well before the 15 s poll: the stream brought it
        page.wait_for_selector("#card.called", timeout=20000)
        assert time.monotonic() - asked < 10
        assert page.inner_text("#turn") == "Sie sind dran – Schalter 1"
        assert "Bitte kommen Sie jetzt zu Schalter 1" in page.inner_text("#card")
        assert vibrations(page) == 1
        page.screenshot(path=str(artifacts / "ticket-page-called.png"))
        assert_accessible(page)

        ticket_action(live_server, mine["id"], "recall")
        page.wait_for_function("window.__vibrations.length === 2", timeout=20000)
        page.reload()  # a reloaded page does not ring again for the same call
        page.wait_for_selector("#card.called")
        time.sleep(1)
        assert vibrations(page) == 0

        ticket_action(live_server, mine["id"], "no_show")
        page.wait_for_function(
            "document.getElementById('card').textContent.includes('nicht am Schalter')", timeout=8000
        )
        card = page.inner_text("#card")
        assert "neue Wartenummer" in card and "Information" in card
        assert page.inner_text("#turn") == "" and not page.is_visible("#alert-on")
        page.screenshot(path=str(artifacts / "ticket-page-no-show.png"))
        assert_accessible(page)
        assert not problems


def test_an_unknown_ticket_says_so(live_server: LiveServer, artifacts: Path) -> None:
    with browser() as chromium:
        page, _, problems = phone_page(chromium, live_server, "not-a-ticket")
        page.wait_for_function("document.getElementById('card').textContent.includes('unbekannt')")
        assert page.inner_text("#card").splitlines()[0] == "Diese Wartenummer ist unbekannt."
        assert "QR-Code" in page.inner_text("#card")
        assert "…" not in page.inner_text("body")
        assert not page.is_visible("#number") and not page.is_visible("#note")
        page.screenshot(path=str(artifacts / "ticket-page-unknown.png"))
        assert_accessible(page)
        assert not problems


def test_the_page_polls_when_the_stream_is_refused(server_factory: ServerFactory) -> None:
    server = server_factory(start=False)
    server.extra_args = ["--status-streams", "1"]
    server.start()
    mine = check_in(server, service_id="ausweis")
    other = check_in(server, service_id="ausweis")
    with httpx.Client(timeout=30) as client, client.stream(
        "GET", f"{server.url}/api/v1/tickets/public/{other['public_id']}/stream"
    ) as taken, browser() as chromium:
        lines = taken.iter_lines()  # the one stream slot, held by another phone
        assert next(lines).startswith("retry:")
        page = chromium.new_page(**PHONE)  # type: ignore[attr-defined]
        page.add_init_script(RECORD_VIBRATIONS)
        refused: list[int] = []
        page.on("response", lambda r: r.url.endswith("/stream") and refused.append(r.status))
        page.goto(f"{server.url}/t/{mine['public_id']}")
        page.wait_for_selector(f"#number:text('{mine['number']}')")
        page.wait_for_function("document.getElementById('card').textContent.includes('Vor Ihnen')")
        assert refused == [503]
        call_next(server)
        page.wait_for_selector("#card.called", timeout=25000)  # the next poll, at most 15 s on
        assert page.inner_text("#turn") == "Sie sind dran – Schalter 1"
        assert vibrations(page) == 1
        assert not page.is_visible("#offline")


def test_a_count_that_grows_says_why(live_server: LiveServer, artifacts: Path) -> None:
    """Issue 15: the number ahead never jumps up without a reason on the visitor's page.

    A visitor parked at the counter (papers missing) comes back to the queue with the place
    of their arrival, so the next visitor's count grows from 0 to 1."""
    first = check_in(live_server, service_id="ausweis")
    mine = check_in(live_server, service_id="ausweis")
    arabic = check_in(live_server, service_id="ausweis", lang="ar")
    assert call_next(live_server)["id"] == first["id"]
    moved_back_ar = Catalog("ar", "ticket_page").text("moved_back")
    with browser() as chromium:
        page, _, problems = phone_page(chromium, live_server, mine["public_id"])
        page_ar, _, problems_ar = phone_page(chromium, live_server, arabic["public_id"])
        page.wait_for_function("document.getElementById('card').textContent.includes('Vor Ihnen')")
        page_ar.wait_for_selector(f"#number:text('{arabic['number']}')")
        card = page.inner_text("#card")
        assert "Vor Ihnen: 0" in card and "wartet wieder" not in card
        time.sleep(1)  # both pages have their first count, so the return below is news to them
        assert moved_back_ar not in page_ar.inner_text("#card")
        ticket_action(live_server, first["id"], "park")
        ticket_action(live_server, first["id"], "return")
        page.wait_for_function(
            "document.getElementById('card').textContent.includes('wartet wieder')", timeout=20000
        )
        card = page.inner_text("#card")
        assert "Vor Ihnen: 1" in card and "Jemand, der vor Ihnen gekommen ist, wartet wieder" in card
        page.screenshot(path=str(artifacts / "ticket-page-moved-back.png"))
        assert_accessible(page)
        assert not problems
        # right to left, in Arabic, the same sentence
        page_ar.wait_for_function(f"document.getElementById('card').textContent.includes({moved_back_ar!r})",
                                  timeout=20000)
        assert page_ar.evaluate("document.documentElement.dir") == "rtl"
        page_ar.screenshot(path=str(artifacts / "ticket-page-ar-moved-back.png"))
        assert_accessible(page_ar)
        assert not problems_ar
