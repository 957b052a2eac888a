"""Next on the clerk page makes the number appear on the waiting-room display."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from tests.browser import browser
from tests.conftest import LiveServer


def checkin(server: LiveServer, service: str) -> str:
    with server.client("kiosk") as kiosk:
        answer = kiosk.post("/api/v1/checkins", json={"service_id": service},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    return str(answer.json()["ticket"]["number"])


def test_next_on_the_clerk_page_shows_on_the_display(live_server: LiveServer, artifacts: Path) -> None:
    numbers = [checkin(live_server, s) for s in ("ausweis", "anmeldung", "pass", "ausweis", "abholung")]
    with browser() as chromium:
        b: Any = chromium
        display = b.new_page(viewport={"width": 1920, "height": 1080})
        display.goto(f"{live_server.url}/display?token={live_server.tokens['display']}")
        display.wait_for_function("window.townhallDisplay && window.townhallDisplay.connected()")

        clerk = b.new_page(viewport={"width": 1280, "height": 800})
        clerk.goto(f"{live_server.url}/clerk?token={live_server.tokens['counter:1']}")
        clerk.get_by_role("button", name="Öffnen").click()
        clerk.wait_for_selector("button.next:not([disabled])")
        clerk.screenshot(path=str(artifacts / "clerk-open-before-next.png"))
        # whom the policy calls is the policy's business; the page must show that one
        with live_server.client("counter:1") as desk:
            proposed = desk.get("/api/v1/counters/1/queue").json()["next"]["number"]
        assert proposed in numbers
        clerk.get_by_role("button", name="Nächster ▸").click()
        clerk.wait_for_selector(f"#current .number:text('{proposed}')")

        display.wait_for_selector(f"#current li[data-number='{proposed}']", timeout=20000)
        text = display.inner_text("#current")
        assert proposed in text and "Schalter 1" in text
        clerk.screenshot(path=str(artifacts / "clerk-after-next.png"))
        display.screenshot(path=str(artifacts / "display-after-next.png"))

        live_server.stop()
        display.wait_for_selector("#offline:not([hidden])", timeout=20000)
        display.screenshot(path=str(artifacts / "display-offline.png"))
        assert proposed in display.inner_text("#current")


PRINTER = '\n[[printers]]\nid = "eingang"\nname = "Drucker Eingang"\nkiosks = ["*"]\nagent = "printer"\n'


def test_a_printer_out_of_paper_warns_staff_on_display_and_clerk_page(server_factory: Any, artifacts: Path) -> None:
    server: LiveServer = server_factory(edit_config=lambda text: text + PRINTER)
    with server.client("printer") as agent:
        answer = agent.post("/api/v1/printers/eingang/status", json={"status": "paper_out"})
        assert answer.status_code == 200, answer.text
    checkin(server, "ausweis")
    with browser() as chromium:
        b: Any = chromium
        display = b.new_page(viewport={"width": 1920, "height": 1080})
        display.goto(f"{server.url}/display?token={server.tokens['display']}")
        display.wait_for_selector(".printer-warning")
        assert "Drucker Eingang: Papier leer" in display.inner_text("#status")
        display.screenshot(path=str(artifacts / "display-printer-warning.png"))
        clerk = b.new_page(viewport={"width": 1280, "height": 800})
        clerk.goto(f"{server.url}/clerk?token={server.tokens['counter:1']}")
        clerk.wait_for_selector("#printer-warning:not([hidden])")
        assert "Papier leer" in clerk.inner_text("#printer-warning")
        assert "1 Tickets warten" in clerk.inner_text("#printer-warning")
        clerk.screenshot(path=str(artifacts / "clerk-printer-warning.png"))
        with server.client("printer") as agent:
            agent.post("/api/v1/printers/eingang/status", json={"status": "ok"})
        display.wait_for_selector(".printer-warning", state="detached", timeout=20000)


def test_the_display_follows_events_without_refetching_the_board(live_server: LiveServer) -> None:
    with browser() as chromium:
        b: Any = chromium
        display = b.new_page(viewport={"width": 1920, "height": 1080})
        fetched: list[str] = []
        display.on("request", lambda r: fetched.append(r.url) if "/api/v1/board" in r.url else None)
        display.goto(f"{live_server.url}/display?token={live_server.tokens['display']}")
        display.wait_for_function("window.townhallDisplay && window.townhallDisplay.connected()")
        display.wait_for_timeout(500)
        before = len(fetched)
        numbers = [checkin(live_server, "ausweis") for _ in range(3)]
        with live_server.client("counter:1") as desk:
            desk.post("/api/v1/counters/1/state", json={"state": "open"})
            called = desk.post("/api/v1/counters/1/next").json()["ticket"]["number"]
        assert called in numbers
        display.wait_for_selector(f"#current li[data-number='{called}']", timeout=20000)
        assert len(fetched) == before  # every change came with the pushed board
