"""`/docs` and `/redoc` render with every outside request blocked, and `/` is a small German start
page linking the server's pages (issue 12, item 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer


def offline_page(chromium: Any, outside: list[str]) -> Any:
    """A page on a LAN without internet: every request to another host fails, and is noted."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900})

    def only_local(route: Any) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    return context.new_page()


def test_docs_and_redoc_render_without_internet(live_server: LiveServer, artifacts: Path) -> None:
    outside: list[str] = []
    with browser() as chromium:
        page = offline_page(chromium, outside)
        page.goto(f"{live_server.url}/docs")
        page.wait_for_selector(".swagger-ui .opblock-tag", timeout=15000)
        assert page.locator(".swagger-ui .opblock").count() > 20
        assert "/api/v1/counters/{counter_id}/next" in page.inner_text(".swagger-ui")
        page.screenshot(path=str(artifacts / "docs-offline.png"))

        page.goto(f"{live_server.url}/redoc")
        page.wait_for_selector(".api-content h1, .api-content h2", timeout=15000)
        assert "townhall-queue" in page.inner_text("body")
        page.screenshot(path=str(artifacts / "redoc-offline.png"))
    assert outside == []


def test_the_start_page_links_the_pages_in_german(live_server: LiveServer, artifacts: Path) -> None:
    outside: list[str] = []
    with browser() as chromium:
        page = offline_page(chromium, outside)
        answer = page.goto(f"{live_server.url}/")
        assert answer is not None and answer.status == 200
        assert page.get_attribute("html", "lang") == "de"
        assert page.inner_text("h1") == "Bürgeramt Musterstadt"
        links = page.eval_on_selector_all("main a", "as => as.map(a => a.getAttribute('href'))")
        book = httpx.get(f"{live_server.url}/book").status_code == 200
        assert links == ["/display", "/clerk", *(["/book"] if book else []), "/docs", "/redoc"]
        for link in links:  # each linked page answers
            assert httpx.get(f"{live_server.url}{link}").status_code == 200
        assert page.get_by_role("link", name="Wartebereich-Anzeige").is_visible()
        page.screenshot(path=str(artifacts / "start-page.png"))
        assert_accessible(page)
    assert outside == []

