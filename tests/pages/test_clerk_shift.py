"""A clerk logs in on the clerk page with a staff account (issue 17): picks the counter, works,
the calls carry the staff id; logout ends the shift. With a workstation's link the counter is its own."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import ServerFactory
from tests.console.test_staff import PASSWORD, _staff_server
from tests.office import check_in


def _login(page: Any, login: str, password: str, counter: str | None) -> None:
    page.wait_for_selector("#shift-login:not([hidden])")
    page.fill("#shift-user", login)
    page.fill("#shift-password", password)
    if counter is not None:
        page.fill("#shift-counter", counter)
    page.get_by_role("button", name="Anmelden", exact=True).click()


def test_a_clerk_logs_in_picks_a_counter_calls_and_logs_out(server_factory: ServerFactory, artifacts: Path) -> None:
    server = _staff_server(server_factory)
    check_in(server, service_id="ausweis")
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{server.url}/clerk")
        _login(page, "anna", "falsch-falsch", "1")
        page.wait_for_selector("#shift-error:text('stimmt nicht')")
        page.screenshot(path=str(artifacts / "clerk-shift-login-error-1366.png"), full_page=True)
        assert_accessible(page)
        _login(page, "anna", PASSWORD, "1")
        page.wait_for_selector(".conn:not(.down)")
        assert page.inner_text("#shift-name") == "Anna Berg"
        page.get_by_role("button", name="Öffnen").click()
        page.wait_for_selector("button[data-state='open'].active")
        page.get_by_role("button", name="Nächster ▸").click()
        page.wait_for_selector("#current .number")
        page.screenshot(path=str(artifacts / "clerk-shift-serving-1366.png"), full_page=True)
        assert_accessible(page)
        token = page.evaluate("sessionStorage.getItem('thq_shift')")
        staff_id = httpx.get(server.url + "/api/v1/devices/me", headers={"Authorization": f"Bearer {token}"}
                             ).json()["staff_id"]
        with sqlite3.connect(server.data_dir / "townhall.db") as db:
            [(data,)] = db.execute("SELECT data FROM events WHERE type = 'ticket.called'").fetchall()
        assert json.loads(data)["staff_id"] == staff_id
        page.get_by_role("button", name="Abmelden").click()
        page.wait_for_selector("#shift-login:not([hidden])")
        assert httpx.get(server.url + "/api/v1/devices/me", headers={"Authorization": f"Bearer {token}"}
                         ).status_code == 401
        # a workstation's link: the counter is the workstation's, no counter field
        page.goto(f"{server.url}/clerk?token={server.tokens['counter:2']}")
        page.wait_for_selector(".conn:not(.down)")
        page.get_by_role("button", name="Person anmelden").click()
        assert page.is_hidden("#shift-counter")
        _login(page, "anna", PASSWORD, None)
        page.wait_for_selector("#shift-info:not([hidden])")
        page.wait_for_selector(".conn:not(.down)")
        page.screenshot(path=str(artifacts / "clerk-shift-workstation-1920.png"), full_page=True)
        assert problems == []
        # the admin's page of accounts: who serves where now, today's figures per clerk
        # axe is injected as a script: the console's CSP would block it
        admin = chromium.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True).new_page()
        admin.goto(f"{server.url}/admin/login?next=/admin/staff")
        admin.fill("#login", "chef")
        admin.fill("#password", PASSWORD)
        admin.get_by_role("button", name="Anmelden", exact=True).click()
        admin.wait_for_selector("#staff")
        row = admin.inner_text(f"tr[data-staff='{staff_id}']")
        assert "2" in row and "1 / 0 / 0" in row
        admin.screenshot(path=str(artifacts / "admin-staff-1366.png"), full_page=True)
        assert_accessible(admin)
