"""axe-core on the clerk page in its everyday states: WCAG 2.1 AA and text at 7:1 contrast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer
from tests.office import check_in, clerk_page
from tests.pages.test_clerk_appointments import CLERK, prepare_day
from tests.pages.test_clerk_checkin import prepare, submit_code


def check(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"clerk-axe-{name}.png"), full_page=True)
    assert_accessible(page)


def test_the_clerk_page_passes_axe_closed_open_calling_and_paused(live_server: LiveServer, artifacts: Path) -> None:
    prepare_day(live_server)  # appointments in every state; Schalter 1 open with a called ticket
    for service in ("ausweis", "pass", "abholung"):
        check_in(live_server, service_id=service)
    with browser() as chromium:
        page, problems = clerk_page(chromium, live_server, CLERK, width=1366, height=768)
        page.wait_for_selector("#current .number")
        page.wait_for_selector("#appointments tbody tr[data-id]")
        page.wait_for_selector("#queue tbody tr")
        check(page, artifacts, "called")

        page.get_by_role("button", name="Pause").click()
        page.wait_for_selector("button[data-state='paused'].active")
        check(page, artifacts, "paused")

        page.get_by_role("button", name="Schließen").click()
        page.wait_for_selector("button[data-state='closed'].active")
        check(page, artifacts, "closed")
        assert problems == []


def test_check_in_answers_and_the_offline_state_pass_axe(live_server: LiveServer, artifacts: Path) -> None:
    booked = prepare(live_server)  # Schalter 1 open, nobody called yet
    with browser() as chromium:
        page, _ = clerk_page(chromium, live_server, CLERK, width=1366, height=768)
        page.wait_for_selector(f"tr[data-id='{booked['paper']['id']}'][data-state='expected']")
        check(page, artifacts, "open")

        assert submit_code(page, booked["paper"]["code"]).startswith("Wartenummer P")
        page.wait_for_selector("#checkin-call:visible")
        check(page, artifacts, "checked-in")
        assert submit_code(page, "ZZZZ-ZZZZ") == "Unbekannter Buchungscode."
        check(page, artifacts, "checkin-refused")

        live_server.stop()
        page.wait_for_selector(".conn.down", timeout=20000)
        check(page, artifacts, "offline")
