"""The clerk page says when the slot guard keeps the counter free, and lets the clerk call anyway."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.test_slot_guard import COUNTER, book_pickup, guarding, open_clerk
from tests.browser import browser
from tests.conftest import ServerFactory
from tests.office import check_in, clerk_page

NOTICE = "#current .hold-notice"
ANYWAY = "Trotzdem nächste Person aufrufen"


def next_button_top(page: Any) -> float:
    box = page.locator("button.next").bounding_box()
    assert box is not None
    return float(box["y"])


def test_the_hold_shows_where_the_ticket_would_and_the_clerk_may_call_anyway(
    server_factory: ServerFactory, artifacts: Path
) -> None:
    server = server_factory(edit_config=guarding)
    pickup = book_pickup(server)
    walk_in = check_in(server, service_id="ausweis")
    open_clerk(server).close()
    with browser() as chromium:
        page, problems = clerk_page(chromium, server, f"counter:{COUNTER}")

        # the view proposes the hold before anyone presses Next
        page.wait_for_selector(NOTICE)
        slot = pickup["start"][11:16]
        text = page.inner_text(NOTICE)
        assert f"Schalter bleibt frei für einen Termin um {slot} (Abholung Ausweis / Pass)." in text
        assert "Die Person ist noch nicht angemeldet." in text
        page.get_by_role("button", name="Nächster ▸").click()
        page.wait_for_timeout(500)
        assert page.is_visible(NOTICE) and page.is_hidden("#message")
        assert walk_in["number"] in page.inner_text("#queue")
        held_top = {1920: next_button_top(page)}
        page.screenshot(path=str(artifacts / "clerk-slot-guard-1920.png"))

        # keyboard: from Next, one step back reaches the secondary button
        page.focus("button.next")
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.activeElement.textContent") == ANYWAY

        page.set_viewport_size({"width": 1366, "height": 768})
        held_top[1366] = next_button_top(page)
        page.screenshot(path=str(artifacts / "clerk-slot-guard-1366.png"))
        assert page.is_visible(f"text={ANYWAY}") and page.is_visible("button.next")

        page.keyboard.press("Enter")
        page.wait_for_selector(f"#current .number:text('{walk_in['number']}')", timeout=20000)
        assert page.locator(NOTICE).count() == 0
        # neither the notice nor a called ticket moves the Next button
        assert next_button_top(page) == held_top[1366]
        page.set_viewport_size({"width": 1920, "height": 1080})
        assert next_button_top(page) == held_top[1920]
        page.screenshot(path=str(artifacts / "clerk-slot-guard-called-1920.png"))

        # with another walk-in waiting, Next closes the visit and holds again; the booked visitor's
        # check-in ends the hold
        second = check_in(server, service_id="ausweis")
        page.wait_for_selector(f"#queue td.num:text('{second['number']}')", timeout=20000)
        page.get_by_role("button", name="Nächster ▸").click()
        # the walk-in was called, never started: Next asks how it ended (issue 12, item 6)
        page.locator("#outcome").get_by_role("button", name="Erledigt").click()
        page.wait_for_selector(NOTICE, timeout=20000)
        booked = check_in(server, appointment_code=pickup["code"])
        page.wait_for_selector(NOTICE, state="detached", timeout=20000)
        page.wait_for_selector(f"#queue td.num:text('{booked['number']}')", timeout=20000)
        assert "Kein Vorgang" in page.inner_text("#current")
        assert problems == []
