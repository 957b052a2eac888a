"""Printers and the visitors' notice lines of the kiosk and the display, edited in the console
(issue 17): a printer added reaches the printers list, a notice reaches the display at once
(office.changed) and the kiosk's start screen; a bad value is refused as at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from i18n import Catalog
from kiosk import flow
from kiosk.client import parse_services
from kiosk.views import screen_view
from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer

from .test_supervisor import browser_login

WELCOME_DE = "Heute ab 12 Uhr nur Abholungen"
WELCOME_TR = "Bugün saat 12'den sonra sadece teslim alma"


def _save(page: Any, form: str) -> None:
    page.click(f"form[action='{form}'] button[type=submit]")
    page.wait_for_load_state()


def test_a_printer_is_added_in_the_console(live_server: LiveServer, artifacts: Path) -> None:
    with browser() as chromium:
        page = browser_login(chromium, live_server, width=1366, height=768, next_path="/admin")
        page.goto(f"{live_server.url}/admin/printers/new")
        page.fill("[name='id']", "eingang")
        page.fill("[name='name']", "Drucker Eingang")
        page.fill("[name='kiosks']", "*")
        page.fill("[name='paper_mm']", "57")
        _save(page, "/admin/printers/save")
        assert "printers[0].paper_mm: must be 58 or 80, not 57" in page.inner_text("#error")
        page.goto(f"{live_server.url}/admin/printers/new")
        page.fill("[name='id']", "eingang")
        page.fill("[name='name']", "Drucker Eingang")
        page.fill("[name='kiosks']", "*")
        page.screenshot(path=str(artifacts / "admin-printer.png"), full_page=True)
        assert_accessible(page)
        _save(page, "/admin/printers/save")
        assert "Drucker Eingang" in page.inner_text("#printers + table")
    with live_server.client("display") as display:
        [printer] = display.get("/api/v1/printers").json()["printers"]
    assert printer["id"] == "eingang" and printer["name"] == "Drucker Eingang"
    assert 'kiosks = ["*"]' in (live_server.data_dir / "office.toml").read_text(encoding="utf-8")


def test_notices_reach_the_display_and_the_kiosk_at_once(live_server: LiveServer, artifacts: Path) -> None:
    path = live_server.data_dir / "office.toml"
    with browser() as chromium:
        display = chromium.new_page(viewport={"width": 1920, "height": 1080})
        display.goto(f"{live_server.url}/display?token={live_server.tokens['display']}&also=tr")
        display.wait_for_selector("#office:text-is('Bürgeramt Musterstadt')", timeout=20000)
        assert display.is_hidden("#notice")
        page = browser_login(chromium, live_server, width=1366, height=768, next_path="/admin")
        page.fill("#t-kiosk_notice-de", "x" * 201)
        _save(page, "/admin/texts/save")
        assert "texts.kiosk_notice.de: must be at most 200 characters, not 201" in page.inner_text("#error")
        assert "[texts]" not in path.read_text(encoding="utf-8")

        page.goto(f"{live_server.url}/admin#texts")
        page.fill("#t-display_notice-de", WELCOME_DE)
        page.fill("#t-display_notice-tr", WELCOME_TR)
        page.fill("#t-kiosk_notice-de", WELCOME_DE)
        page.locator("#texts + p + form").screenshot(path=str(artifacts / "admin-texts.png"))
        _save(page, "/admin/texts/save")
        assert "Gespeichert" in page.inner_text("main")
        assert_accessible(page)
        display.wait_for_selector(f"#notice:has-text('{WELCOME_DE}')", timeout=20000)
        assert WELCOME_TR in display.inner_text("#notice")
        display.screenshot(path=str(artifacts / "display-notice.png"))
    with live_server.client("kiosk") as kiosk:
        loaded = parse_services(kiosk.get("/api/v1/services").json())
    assert loaded.office.notice == {"de": WELCOME_DE}
    state = flow.KioskState(server_up=True, office=loaded.office, services=loaded.services, lang="en")
    # English has no text of its own: the German one stands in
    assert WELCOME_DE in screen_view(state, settings=flow.Settings(), symbols={}).lines
    assert Catalog("en", "kiosk").text("start_question") in screen_view(
        state, settings=flow.Settings(), symbols={}).lines
    text = path.read_text(encoding="utf-8")
    assert f'display_notice = {{de = "{WELCOME_DE}", tr = "{WELCOME_TR}"}}' in text
