"""At 1366x768 the day's appointments stay in view after a check-in by code, with a long queue (issue 12, item 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser import browser
from tests.conftest import LiveServer
from tests.office import check_in, clerk_page
from tests.pages.test_clerk_appointments import CLERK
from tests.pages.test_clerk_checkin import prepare, submit_code

VISIBLE_ROWS = 3


def rows_in_view(page: Any) -> int:
    """Appointment rows wholly inside the window, as the clerk sees it without scrolling the page."""
    return int(page.evaluate("""() => [...document.querySelectorAll('#appointments tbody tr')].filter((row) => {
        const box = row.getBoundingClientRect();
        const list = document.getElementById('appointments-scroll').getBoundingClientRect();
        return box.height > 0 && box.top >= list.top - 1 && box.bottom <= Math.min(list.bottom, innerHeight) + 1;
    }).length"""))


def test_appointments_stay_in_view_after_a_check_in_by_code_at_1366x768(live_server: LiveServer, artifacts: Path) -> None:
    booked = prepare(live_server)  # Schalter 1 open at 09:14, bookings around 09:15
    for service in ("ausweis", "pass", "abholung") * 3:  # a busy morning: nine walk-ins wait
        check_in(live_server, service_id=service)
    with browser() as chromium:
        page, problems = clerk_page(chromium, live_server, CLERK, width=1366, height=768)
        page.wait_for_selector(f"tr[data-id='{booked['paper']['id']}'][data-state='expected']")
        page.wait_for_selector("#queue tr.proposed")
        assert submit_code(page, booked["paper"]["code"]).startswith("Wartenummer P")
        number = page.inner_text("#checkin-result .checkin-number")
        page.wait_for_selector(f"#queue td.num:text('{number}')", timeout=20000)
        page.wait_for_selector(f"tr[data-id='{booked['paper']['id']}'][data-state='checked_in']", timeout=20000)
        page.screenshot(path=str(artifacts / "clerk-checkin-long-queue-1366.png"))
        assert page.evaluate("scrollY") == 0
        assert rows_in_view(page) >= VISIBLE_ROWS
        # the queue keeps its heading and the proposed next visitor in view too
        heading = page.locator(".queue-panel h2").first.bounding_box()
        assert heading is not None and heading["y"] >= 65
        proposed = page.locator("#queue tr.proposed").bounding_box()
        panel = page.locator("#queue-scroll").bounding_box()
        assert proposed is not None and panel is not None
        assert panel["y"] <= proposed["y"] and proposed["y"] + proposed["height"] <= min(panel["y"] + panel["height"], 768)
        assert [p for p in problems if not p.startswith("Failed to load resource")] == []
