"""The errand form edits what the booking site reads from office.toml: what to bring, per
language, and the online alternative; a bad link is refused with the message of the start."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer

from .test_supervisor import browser_login


def _book(server: LiveServer, lang: str) -> str:
    return httpx.get(f"{server.url}/book", params={"lang": lang}, timeout=10).text


def test_bring_and_online_link_reach_the_booking_site(live_server: LiveServer, artifacts: Path) -> None:
    path = live_server.data_dir / "office.toml"
    with browser() as chromium:
        page = browser_login(chromium, live_server, width=1366, height=768, next_path="/admin")
        page.goto(f"{live_server.url}/admin/services/2")  # Reisepass: nothing to bring, no link yet
        assert page.input_value("[name='bring_de']") == ""
        page.fill("[name='bring_de']", "Alter Pass, ein biometrisches Foto")
        page.fill("[name='bring_tr']", "Eski pasaport, bir biyometrik fotoğraf")
        page.fill("[name='online_url']", "https://www.example.org/reisepass")
        page.screenshot(path=str(artifacts / "admin-errand-bring.png"), full_page=True)
        assert_accessible(page)
        page.click("form[action$='/save'] button[type=submit]")
        page.wait_for_load_state()
        assert "Gespeichert" in page.inner_text("main")
        assert "Eski pasaport, bir biyometrik fotoğraf" in _book(live_server, "tr")
        german = _book(live_server, "de")
        assert "Alter Pass, ein biometrisches Foto" in german and "https://www.example.org/reisepass" in german
        # English was left empty: the German text stands in, and the file has no empty entry
        assert "Alter Pass, ein biometrisches Foto" in _book(live_server, "en")
        text = path.read_text(encoding="utf-8")
        assert 'tr = "Eski pasaport, bir biyometrik fotoğraf"' in text and 'en = ""' not in text

        before = path.read_bytes()
        page.goto(f"{live_server.url}/admin/services/2")
        assert page.input_value("[name='bring_tr']") == "Eski pasaport, bir biyometrik fotoğraf"
        page.fill("[name='online_url']", "ftp://example.org/reisepass")
        page.click("form[action$='/save'] button[type=submit]")
        page.wait_for_load_state()
        assert "services[2].online_url: 'ftp://example.org/reisepass' must start with https://" \
            in page.inner_text("#error")
        assert path.read_bytes() == before

        # emptied, the keys leave the file and the site shows neither
        page.goto(f"{live_server.url}/admin/services/2")
        for lang in ("de", "tr"):
            page.fill(f"[name='bring_{lang}']", "")
        page.fill("[name='online_url']", "")
        page.click("form[action$='/save'] button[type=submit]")
        page.wait_for_load_state()
    assert "example.org/reisepass" not in _book(live_server, "de")
    assert "Eski pasaport" not in path.read_text(encoding="utf-8")
