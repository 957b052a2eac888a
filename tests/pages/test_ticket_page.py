"""The visitor's status page for a number a kiosk issued during an outage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser import browser
from tests.conftest import LiveServer


def test_an_outage_ticket_not_yet_handed_in_is_valid_on_the_status_page(
    live_server: LiveServer, artifacts: Path
) -> None:
    with live_server.client("kiosk") as kiosk:
        numbers = kiosk.post("/api/v1/leases", json={"per_service": 1}).json()["numbers"]
    leased = next(n for n in numbers if n["service_id"] == "ausweis")
    with browser() as chromium:
        b: Any = chromium
        page = b.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(f"{live_server.url}/t/{leased['public_id']}")
        page.wait_for_selector(f"#number:text('{leased['number']}')")
        assert "wird gerade an das Wartesystem übertragen" in page.inner_text("#card")
        page.screenshot(path=str(artifacts / "ticket-page-pending.png"))
        page.goto(f"{live_server.url}/t/not-a-ticket")
        # in the phone's language (headless Chromium says English)
        page.wait_for_function(
            "/unbekannt|unknown/.test(document.getElementById('card').textContent)"
        )
