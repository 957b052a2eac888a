"""The clerk page checks in a booked visitor by booking code, and calls them at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser import browser
from tests.conftest import LiveServer
from tests.office import DAY, book, clerk_page
from tests.pages.test_clerk_appointments import CLERK, clerk_post

RESULT = "#checkin-result"


def form_height(page: Any) -> float:
    """The check-in box's height: the same for the hint, a number with "Jetzt aufrufen" and a refusal."""
    form = page.locator("#checkin").bounding_box()
    assert form is not None
    return float(form["height"])


def submit_code(page: Any, code: str) -> str:
    """Type `code` as a clerk would and wait for the result line's new answer."""
    page.eval_on_selector(RESULT, "e => e.replaceChildren()")
    page.fill("#checkin-code", "")
    page.focus("#checkin-code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('{RESULT}').textContent !== ''", timeout=20000)
    text: str = page.inner_text(RESULT)
    return text


def prepare(server: LiveServer) -> dict[str, dict[str, Any]]:
    """Bookings of Schalter 1's services; the clock then moves to 09:14, inside the first windows."""
    booked = {
        "paper": book(server, "pass", "09:15"),
        "row": book(server, "ausweis", "09:15"),
        "busy": book(server, "pass", "09:15"),
        "later": book(server, "pass", "10:30"),
        "cancelled": book(server, "ausweis", "10:20"),
    }
    with server.client("booking") as booking:
        assert booking.post(f"/api/v1/appointments/{booked['cancelled']['id']}/cancel").status_code == 200
        tomorrow = booking.post("/api/v1/appointments", json={"service_id": "pass", "start": "2026-12-02T09:15"})
    assert tomorrow.status_code == 201
    booked["tomorrow"] = tomorrow.json()["appointment"]
    server.stop()
    server.start(clock=f"{DAY}T09:14")
    with server.client(CLERK) as clerk:
        clerk_post(clerk, "/api/v1/counters/1/state", state="open")
    return booked


def test_clerk_checks_in_by_code_sees_the_number_and_calls_now(live_server: LiveServer, artifacts: Path) -> None:
    booked = prepare(live_server)
    with browser() as chromium:
        page, problems = clerk_page(chromium, live_server, CLERK)
        page.wait_for_selector(f"tr[data-id='{booked['paper']['id']}'][data-state='expected']")
        height = form_height(page)
        assert "Buchungscode eingeben" in page.inner_text(RESULT)
        page.screenshot(path=str(artifacts / "clerk-checkin-by-code-before-1920.png"))

        code = booked["paper"]["code"]
        text = submit_code(page, code.lower())  # lower case and no dash, as typed from paper
        assert text.startswith("Wartenummer P") and "– eingecheckt" in text
        number = page.inner_text("#checkin-result .checkin-number")
        assert text.startswith(f"Wartenummer {number} – eingecheckt")
        row = f"tr[data-id='{booked['paper']['id']}']"
        page.wait_for_selector(f"{row}[data-state='checked_in']", timeout=20000)
        assert "eingecheckt" in page.inner_text(row) and number in page.inner_text(row)
        page.wait_for_selector(f"#queue td.num:text('{number}')", timeout=20000)
        assert page.is_visible("#checkin-call") and page.input_value("#checkin-code") == ""
        # keyboard: from the code field on to the button and to "Jetzt aufrufen"
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "checkin-call"
        page.screenshot(path=str(artifacts / "clerk-checkin-by-code-1920.png"))
        assert form_height(page) == height

        refusals = {
            f"{code[:4]}-{code[4:]}": f"Dieser Termin ist bereits eingecheckt ({number}).",
            "ZZZZ-ZZZZ": "Unbekannter Buchungscode.",
            booked["later"]["code"]: "Check-in erst ab 10:15 möglich.",
            booked["cancelled"]["code"]: "Dieser Termin wurde storniert.",
            booked["tomorrow"]["code"]: "Dieser Termin ist am 02.12.2026 um 09:15, nicht heute.",
        }
        for typed, reason in refusals.items():
            assert submit_code(page, typed) == reason
            assert page.eval_on_selector(RESULT, "e => e.classList.contains('error')")
            assert form_height(page) == height
        # a refused code stays selected, so the next one replaces it
        assert page.evaluate("document.activeElement.id") == "checkin-code"
        field = "document.activeElement"
        assert page.evaluate(f"{field}.selectionEnd - {field}.selectionStart === {field}.value.length")
        page.screenshot(path=str(artifacts / "clerk-checkin-by-code-error-1920.png"))

        # from the list: the row's own button, by keyboard, then "Jetzt aufrufen" calls exactly them
        other = f"tr[data-id='{booked['row']['id']}']"
        page.focus(f"{other} button.row-checkin")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"{other}[data-state='checked_in']", timeout=20000)
        called = page.inner_text("#checkin-result .checkin-number")
        assert page.input_value("#checkin-code") == ""  # the refused code is not left behind
        assert called.startswith("A") and page.evaluate("document.activeElement.id") == "checkin-call"
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#current .number:text('{called}')", timeout=20000)
        assert page.inner_text(RESULT).startswith(f"Wartenummer {called} – aufgerufen")
        page.wait_for_selector(f"{other}[data-state='called']", timeout=20000)
        assert page.locator(f"{row} button.row-checkin").count() == 0
        assert page.is_hidden("#checkin-call")
        page.screenshot(path=str(artifacts / "clerk-checkin-by-code-called-1920.png"))

        page.set_viewport_size({"width": 1366, "height": 768})
        height = form_height(page)
        text = submit_code(page, booked["busy"]["code"])
        # Schalter 1 is busy now: checked in, but not offered to call
        assert text.startswith("Wartenummer P") and page.is_hidden("#checkin-call")
        page.wait_for_selector(f"tr[data-id='{booked['busy']['id']}'][data-state='checked_in']", timeout=20000)
        page.wait_for_selector(f"#queue td.num:text('{page.inner_text('.checkin-number')}')", timeout=20000)
        assert form_height(page) == height
        page.screenshot(path=str(artifacts / "clerk-checkin-by-code-1366.png"))
        assert submit_code(page, "ZZZZ-ZZZZ") == "Unbekannter Buchungscode."
        assert form_height(page) == height
        page.screenshot(path=str(artifacts / "clerk-checkin-by-code-error-1366.png"))
        assert page.is_visible("button.next") and page.is_visible("#queue")
        # refused codes answer 4xx on purpose, which the browser logs; anything else is a fault
        assert [p for p in problems if not p.startswith("Failed to load resource")] == []


def test_the_clerk_sets_the_visitors_language(live_server: LiveServer, artifacts: Path) -> None:
    """Checked in at the counter in Ukrainian: the ticket (status page, spoken call) is Ukrainian."""
    booked = prepare(live_server)
    with browser() as chromium:
        page, problems = clerk_page(chromium, live_server, CLERK, width=1366, height=768)
        page.wait_for_selector(f"tr[data-id='{booked['busy']['id']}'][data-state='expected']")
        page.select_option("#checkin-lang", "uk")
        page.screenshot(path=str(artifacts / "clerk-checkin-language-1366.png"))
        text = submit_code(page, booked["busy"]["code"])
        assert text.startswith("Wartenummer P")
        number = page.inner_text("#checkin-result .checkin-number")
        assert page.input_value("#checkin-lang") == "de"  # asked anew for the next visitor
        assert problems == []
    with live_server.client(CLERK) as clerk:
        waiting = clerk.get("/api/v1/counters/1/queue").json()["waiting"]
    assert next(t["lang"] for t in waiting if t["number"] == number) == "uk"
