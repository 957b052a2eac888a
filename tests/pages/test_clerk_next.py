"""The clerk page: Next asks how a called visitor's visit ended, offers Undo, says why the proposed
visitor comes next, and speaks plain German when something fails (issue 12, items 6, 7, 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser import browser
from tests.conftest import LiveServer
from tests.office import check_in, clerk_page
from tests.pages.test_clerk_appointments import clerk_post

CLERK = "counter:2"  # Schalter 2 speaks Turkish and does ausweis and pass
ENGLISH = ("Failed", "fetch", "token", "unknown", "ticket", "counter", "error")


def ticket_state(server: LiveServer, number: str) -> str:
    with server.client(CLERK) as clerk:
        view = clerk.get("/api/v1/counters/2/queue").json()
    current = view["counter"]["current"]
    if current and current["number"] == number:
        return str(current["state"])
    waiting = {t["number"]: t["state"] for t in view["waiting"]}
    return waiting.get(number, "closed")


def open_with_three_waiting(server: LiveServer) -> list[str]:
    numbers = [check_in(server, service_id="ausweis", lang=lang)["number"] for lang in ("de", "de", "tr")]
    with server.client(CLERK) as clerk:
        clerk_post(clerk, "/api/v1/counters/2/state", state="open")
    return numbers


def test_next_asks_about_a_called_visitor_and_the_close_can_be_undone(live_server: LiveServer, artifacts: Path) -> None:
    first, second, turkish = open_with_three_waiting(live_server)
    with browser() as chromium:
        page, problems = clerk_page(chromium, live_server, CLERK, width=1366, height=768)
        # item 9: the Turkish-speaking visitor comes first here, and the queue says why
        why = page.wait_for_selector("#queue tr.proposed .why")
        assert why is not None and why.inner_text() == "Als Nächstes: Sprache: Türkisch"
        assert turkish in page.inner_text("#queue tr.proposed")
        page.screenshot(path=str(artifacts / "clerk-next-reason-1366.png"))

        page.get_by_role("button", name="Nächster ▸").click()
        page.wait_for_selector(f"#current .number:text('{turkish}')")
        assert page.inner_text("#queue tr.proposed .why") == "Als Nächstes: wartet am längsten"

        # item 6: a second Next must not count the called visitor as served; it asks, once
        page.get_by_role("button", name="Nächster ▸").click()
        page.wait_for_selector("#outcome:not([hidden])")
        assert page.inner_text("#outcome-question") == f"{turkish} wurde aufgerufen, aber nicht begonnen. Wie ging es aus?"
        assert ticket_state(live_server, turkish) == "called"
        assert page.evaluate("document.activeElement.dataset.outcome") == "no_show"
        page.screenshot(path=str(artifacts / "clerk-next-asks-1366.png"))

        page.locator("#outcome").get_by_role("button", name="Nicht erschienen").click()
        page.wait_for_selector(f"#current .number:text('{first}')")
        undo = page.inner_text("#undo")
        assert f"{turkish} als nicht erschienen vermerkt. {first} ist aufgerufen." in undo and "Rückgängig (" in undo
        assert page.is_hidden("#outcome")
        assert ticket_state(live_server, turkish) == "closed"
        page.screenshot(path=str(artifacts / "clerk-next-undo-offered-1366.png"))

        page.get_by_role("button", name="Rückgängig").click()
        page.wait_for_selector(f"#current .number:text('{turkish}')")
        assert page.inner_text("#message") == f"{turkish} ist wieder am Schalter."
        assert ticket_state(live_server, first) == "waiting" and page.is_hidden("#undo")
        page.screenshot(path=str(artifacts / "clerk-next-undone-1366.png"))

        # a visit begun ends as done without asking, and may be undone as well
        page.get_by_role("button", name="Beginnen").click()
        page.wait_for_selector("#current .badge:text('in Bearbeitung')")
        page.get_by_role("button", name="Fertig").click()
        page.wait_for_selector("#undo:not([hidden])")
        assert page.inner_text("#undo-text") == f"{turkish} erledigt."
        page.get_by_role("button", name="Rückgängig").click()
        page.wait_for_selector("#current .badge:text('in Bearbeitung')")
        assert second and problems == []


def test_failures_and_the_offline_state_speak_plain_german(live_server: LiveServer, artifacts: Path) -> None:
    open_with_three_waiting(live_server)
    with browser() as chromium:
        page, _ = clerk_page(chromium, live_server, CLERK, width=1366, height=768)
        page.wait_for_selector("button.next:not([disabled])")
        # the server cannot be reached for one click: the browser's "Failed to fetch" is not shown
        page.route("**/api/v1/counters/2/next*", lambda route: route.abort())
        page.get_by_role("button", name="Nächster ▸").click()
        page.wait_for_selector("#message:not([hidden])")
        message = page.inner_text("#message")
        assert message.startswith("Keine Verbindung zum Server.") and not any(w in message for w in ENGLISH)
        page.unroute("**/api/v1/counters/2/next*")
        # every refusal the clerk can meet has German words; an unknown one names only its code
        texts: dict[str, str] = page.evaluate("""() => Object.fromEntries(
            ['unauthorized', 'forbidden', 'counter_not_open', 'counter_busy', 'invalid_transition', 'unknown_ticket',
             'skill_missing', 'previous_outcome_needed', 'undo_expired', 'storage_unavailable', 'something_new']
            .map((code) => [code, window.townhallClerk.errorText({code, message: 'raw English text', details: {}})]))""")
        assert all("raw English" not in text and text.endswith(".") for text in texts.values())
        assert "bitte erneut versuchen" in texts["something_new"].lower()

        live_server.stop()
        page.wait_for_selector(".conn.down", timeout=20000)
        assert page.inner_text("#conn") == "Verbindung unterbrochen – verbinde neu …"
        assert page.inner_text("#offline").startswith("Keine Verbindung zum Server.")
        disabled = page.eval_on_selector_all(
            "#next, [data-state], [data-action], #transfer-open, #checkin-submit", "bs => bs.map(b => b.disabled)")
        assert disabled and all(disabled)
        page.screenshot(path=str(artifacts / "clerk-offline-1366.png"))

        live_server.start()
        page.wait_for_selector(".conn:not(.down)", timeout=15000)
        page.wait_for_selector("button.next:not([disabled])", timeout=20000)
        assert page.is_hidden("#offline")


def test_a_wrong_token_is_told_in_german_what_to_do(live_server: LiveServer, artifacts: Path) -> None:
    with browser() as chromium:
        b: Any = chromium
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{live_server.url}/clerk?token=thq_revoked")
        page.wait_for_selector("#message:not([hidden])")
        message = page.inner_text("#message")
        assert message == ("Anmeldung nicht möglich. Dieser Zugang ist unbekannt oder gesperrt. "
                           "Bitte den Link für diesen Schalter bei der IT neu anfordern.")
        assert page.eval_on_selector("#next", "b => b.disabled")
        page.screenshot(path=str(artifacts / "clerk-wrong-token-1366.png"))
