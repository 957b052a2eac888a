"""The supervisor view (issue 17): every counter, the waiting per errand, alerts at their
thresholds; live over the websocket; open/pause a counter, move a ticket and stop walk-ins
for an errand from there (the kiosk's list shows it at once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer


def browser_login(chromium: Any, server: LiveServer, *, width: int, height: int, role: str = "admin",
                  next_path: str = "/supervisor") -> Any:
    context = chromium.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server.url}/admin/login?next={next_path}")
    page.fill("#token", server.tokens[role])
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path}")
    return page


def _services(server: LiveServer) -> dict[str, Any]:
    with server.client("kiosk") as kiosk:
        return {s["id"]: s for s in kiosk.get("/api/v1/services").json()["services"]}


def test_the_supervisor_view_is_live_and_acts(live_server: LiveServer, artifacts: Path) -> None:
    with live_server.client("counter:1") as clerk:
        clerk.post("/api/v1/counters/1/state", json={"state": "open"})
    with browser() as chromium:
        page = browser_login(chromium, live_server, width=1920, height=1080)
        page.wait_for_selector("#live:text('live')")
        assert "offen" in page.inner_text("tr[data-counter='1']")
        with live_server.client("kiosk") as kiosk:
            for service in ("ausweis", "ausweis", "pass"):
                assert kiosk.post("/api/v1/checkins", json={"service_id": service}).status_code == 201
        page.wait_for_selector("tr[data-service='ausweis'] td:nth-child(2):text-is('2')", timeout=20000)
        with live_server.client("counter:1") as clerk:
            clerk.post("/api/v1/counters/1/next")
        page.wait_for_selector("tr[data-counter='1'] td:nth-child(3):has-text('A')", timeout=20000)
        page.screenshot(path=str(artifacts / "supervisor-1920.png"), full_page=True)
        assert_accessible(page)

        # pause counter 2 from the view
        page.click("tr[data-counter='2'] button[value='paused']")
        page.wait_for_selector("tr[data-counter='2'] td:nth-child(2):has-text('Pause')")
        # stop walk-ins for Reisepass: the kiosk's list says so at once
        page.click("tr[data-service='pass'] button[value='1']")
        page.wait_for_selector("tr[data-service='pass'] .badge")
        assert _services(live_server)["pass"]["unavailable_reason"] == "walk_in_stopped"
        with live_server.client("kiosk") as kiosk:
            refused = kiosk.post("/api/v1/checkins", json={"service_id": "pass"})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "walk_in_stopped"
        # move the waiting Reisepass visitor to Anmeldung
        row = page.locator("tr[data-ticket^='P']")
        row.locator("select[name=service_id]").select_option("anmeldung")
        with live_server.client("kiosk") as kiosk:  # an event arrives between the choice and the click
            assert kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"}).status_code == 201
        page.wait_for_timeout(1500)  # the refresh after an event is due after 150 ms
        assert row.locator("select[name=service_id]").input_value() == "anmeldung"  # the choice survived
        row.locator("button").click()
        page.wait_for_selector("tr[data-service='anmeldung'] td:nth-child(2):text-is('1')")

        small = browser_login(chromium, live_server, width=1366, height=768)
        small.screenshot(path=str(artifacts / "supervisor-1366.png"), full_page=True)
    with live_server.client("admin") as admin:
        actions = [e["action"] for e in admin.get("/api/v1/audit").json()["entries"]]
    assert {"counter.state", "service.walk_in_stop", "ticket.move"} <= set(actions)


def test_an_alert_fires_at_its_threshold(server_factory: Any) -> None:
    server = server_factory(clock="2026-12-01T09:00")
    with server.client("kiosk") as kiosk:
        assert kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"}).status_code == 201
    with browser() as chromium:
        page = browser_login(chromium, server, width=1366, height=768)
        assert "Keine Warnungen" in page.inner_text("#alerts")
        server.stop()
        server.start(clock="2026-12-01T09:29:10")  # 29 minutes: below walk_in_wait_min = 30
        page.wait_for_selector("#live:text('live')", timeout=15000)
        page.reload()
        assert "Keine Warnungen" in page.inner_text("#alerts")
        server.stop()
        server.start(clock="2026-12-01T09:30:30")
        # the open page reconnects by itself and shows the alert
        page.wait_for_selector("#alerts li[data-kind='walk_in_wait']", timeout=15000)
        assert "seit 30 Minuten" in page.inner_text("#alerts")
