"""The citizen's journey in headless Chromium on a phone: book, open the manage link, move,
cancel; with and without JavaScript; axe on every page in German and Arabic; screenshots."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer, ServerFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def journey(server: LiveServer, *, javascript: bool, artifacts: Path) -> None:
    name = "js" if javascript else "nojs"
    with browser() as chromium:
        b: Any = chromium
        context = b.new_context(viewport=PHONE, java_script_enabled=javascript)
        page = context.new_page()
        page.goto(f"{server.url}/book")
        page.locator("a.button[href^='/book/ausweis?']").click()
        page.locator(".earliest button").first.click()
        page.get_by_label("Ihr Name").fill("Erika Mustermann")
        page.get_by_label("E-Mail (freiwillig)").fill(f"erika-{name}@example.org")
        page.get_by_role("button", name="Termin verbindlich buchen").click()
        page.wait_for_selector("h1:text('Ihr Termin ist gebucht')")
        assert page.locator(".code").inner_text().count("-") == 1
        page.screenshot(path=str(artifacts / f"booking-phone-{name}-booked.png"), full_page=True)
        manage = page.url.split("?")[0]

        again = context.new_page()  # the link, opened later
        again.goto(manage)
        assert again.locator("h1").inner_text() == "Ihr Termin"
        before = again.locator(".facts dd").nth(1).inner_text()
        again.get_by_role("link", name="Termin verschieben").click()
        again.locator(".earliest button").nth(2).click()
        again.wait_for_selector("text=Ihr Termin ist verschoben")
        assert again.locator(".facts dd").nth(1).inner_text() != before
        again.get_by_role("button", name="Termin absagen").click()
        again.wait_for_selector("h1:text('Ihr Termin ist abgesagt')")
        again.screenshot(path=str(artifacts / f"booking-phone-{name}-cancelled.png"), full_page=True)
        context.close()
    proof = sqlite3.connect(server.data_dir / "townhall.db").execute(
        "SELECT proof FROM booking_secrets").fetchone()[0]
    assert proof == (1 if javascript else 0)  # the page's script solved the proof of work


@pytest.mark.browser
def test_the_whole_journey_on_a_phone_with_javascript(live_server: LiveServer, artifacts: Path) -> None:
    journey(live_server, javascript=True, artifacts=artifacts)


@pytest.mark.browser
def test_the_whole_journey_on_a_phone_without_javascript(live_server: LiveServer, artifacts: Path) -> None:
    journey(live_server, javascript=False, artifacts=artifacts)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_every_page_passes_axe(server_factory: ServerFactory, artifacts: Path, lang: str) -> None:
    server = server_factory()
    with browser() as chromium:
        b: Any = chromium
        for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page = b.new_page(viewport=size)

            def check(shot: str, *, open_details: bool = False, page: Any = page,
                      size_name: str = size_name) -> None:
                if open_details:
                    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
                    lang, "rtl" if lang == "ar" else "ltr"]
                assert_accessible(page)
                if size_name == "phone" or shot in ("times", "manage", "errands"):
                    page.screenshot(path=str(artifacts / f"booking-{size_name}-{lang}-{shot}.png"))

            page.goto(f"{server.url}/book?lang={lang}")
            check("errands")
            page.goto(f"{server.url}/book/ausweis?lang={lang}")
            check("times")
            page.locator(".week details").first.evaluate("d => d.open = true")
            check("times-open", open_details=True)
            page.locator(".weeks a[rel=next]").scroll_into_view_if_needed()
            check("times-weeks", open_details=True)
            with page.expect_navigation():  # the next week, without JavaScript's help
                page.locator(".weeks a[rel=next]").click()
            page.locator(".weeks a[rel=prev]").scroll_into_view_if_needed()
            check("times-next-week", open_details=True)
            page.goto(f"{server.url}/book/ausweis?lang={lang}")
            with page.expect_navigation():  # asking before the new page stands finds no document
                page.locator(".earliest button").first.click()
            check("details")
            page.locator("#name").fill("Test" if lang == "de" else "اختبار")
            page.locator("form[data-altcha] button[type=submit]").click()
            page.wait_for_selector(".qr img")
            check("manage")
            manage = page.url.split("?")[0]
            page.goto(f"{manage}/move?lang={lang}")
            check("move")
            page.goto(f"{server.url}/privacy?lang={lang}")
            check("privacy")
            page.goto(f"{server.url}/book/manage/forged?lang={lang}")
            check("error")
            page.goto(f"{server.url}/book/ausweis?lang={lang}")
            page.locator("#wait-email").fill("wait@example.org")
            page.locator("#wait-email").press("Enter")
            page.wait_for_url("**/book/wait/**")
            check("waitlist")
            page.close()
