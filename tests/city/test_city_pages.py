"""The city site in headless Chromium: axe on every page in German and Arabic, screenshots,
and a booking by clicking, with the QR code on the confirmation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import ServerFactory

from .helpers import CitySite

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_city_pages_pass_axe(server_factory: ServerFactory, tmp_path: Path, artifacts: Path, lang: str) -> None:
    mitte, nord = server_factory(), server_factory(clock="2026-12-01T11:00")
    site = CitySite([("mitte", "Bürgeramt Mitte", "Mitte", mitte), ("nord", "Bürgeramt Nord", "Nord", nord),
                     ("ost", "Bürgeramt Ost", "Ost", _down(server_factory))], tmp_path / "site")
    site.start()
    try:
        with browser() as chromium:
            b: Any = chromium
            for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
                page = b.new_page(viewport=size)

                def check(shot: str, page: Any = page, size_name: str = size_name) -> None:
                    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
                        lang, "rtl" if lang == "ar" else "ltr"]
                    assert_accessible(page)
                    page.screenshot(path=str(artifacts / f"city-{size_name}-{lang}-{shot}.png"), full_page=True)

                page.goto(f"{site.url}/?lang={lang}")
                check("start")
                page.locator("button[type=submit]").click()
                page.wait_for_selector("h1")
                check("results")
                assert page.locator("section.card").count() == 3
                assert page.locator("[role=alert]").count() == 1  # Ost is down, named
                page.locator("section.card .slots button").first.click()
                page.wait_for_selector(".qr img")
                check("booked")
                page.goto(f"{site.url}/search?service_id=&lang={lang}")
                check("message")
                page.close()
    finally:
        site.stop()


def _down(server_factory: ServerFactory) -> Any:
    """An office that was never started: its address refuses every connection."""
    return server_factory(start=False)
