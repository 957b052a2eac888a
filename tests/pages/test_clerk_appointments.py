"""The clerk page lists the day's booked visitors for its counter's services, live."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.browser import browser
from tests.conftest import LiveServer
from tests.office import DAY, book, check_in, clerk_page

CLERK = "counter:1"  # Schalter 1 serves ausweis, pass and abholung, not anmeldung
EMAIL = "erika@example.org"


def clerk_post(clerk: httpx.Client, path: str, **body: Any) -> httpx.Response:
    answer = clerk.post(path, json=body or None, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code in (200, 204), answer.text
    return answer


def prepare_day(server: LiveServer) -> dict[str, dict[str, Any]]:
    """One visitor of each kind; the clock then moves to 09:31 so the 09:15 one missed the slot."""
    booked = {
        "missed": book(server, "pass", "09:15", {"name": "Erika Mustermann", "email": EMAIL}),
        "served": book(server, "ausweis", "09:40"),
        "called": book(server, "pass", "09:30"),
        "late": book(server, "abholung", "09:25"),
        "arrives_live": book(server, "pass", "09:45", {"name": "Hakan Yılmaz"}),
        "cancelled": book(server, "ausweis", "10:20"),
        "later": book(server, "pass", "10:30"),
        "afternoon": book(server, "ausweis", "14:00"),
        "elsewhere": book(server, "anmeldung", "09:45"),
    }
    assert booked["late"]["start"][11:16] < "09:31", "the late visitor's slot must have begun at 09:31"
    # A fuller afternoon, so the list has to scroll.
    for n, service_id in enumerate(["ausweis", "pass"] * 5):
        booked[f"extra{n}"] = book(server, service_id, "15:00")
    with server.client("booking") as booking:
        assert booking.post(f"/api/v1/appointments/{booked['cancelled']['id']}/cancel").status_code == 200
    server.stop()
    server.start(clock=f"{DAY}T09:31")  # start-up housekeeping marks the 09:15 visitor a no-show
    check_in(server, appointment_code=booked["served"]["code"])
    check_in(server, appointment_code=booked["called"]["code"])
    with server.client(CLERK) as clerk:
        clerk_post(clerk, "/api/v1/counters/1/state", state="open")
        first = clerk_post(clerk, "/api/v1/counters/1/next").json()["ticket"]
        clerk_post(clerk, f"/api/v1/tickets/{first['id']}/start")
        clerk_post(clerk, f"/api/v1/tickets/{first['id']}/finish")
        clerk_post(clerk, "/api/v1/counters/1/next")
    # The policy decides who comes first; name the two by what happened to their tickets.
    if first["service_id"] == "pass":
        booked["served"], booked["called"] = booked["called"], booked["served"]
    return booked


def states_on_page(page: Any) -> dict[str, str]:
    rows = page.query_selector_all("#appointments tbody tr[data-id]")
    return {r.get_attribute("data-id"): r.get_attribute("data-state") for r in rows}


def appointment_fetches(requests: list[str]) -> int:
    return sum(1 for url in requests if "/api/v1/appointments" in url)


def test_the_day_without_a_date_is_the_office_today(live_server: LiveServer) -> None:
    book(live_server, "pass", "09:15")
    with live_server.client(CLERK) as clerk:
        today = clerk.get("/api/v1/appointments").json()
        named = clerk.get("/api/v1/appointments", params={"date": DAY}).json()
        wrong = clerk.get("/api/v1/appointments", params={"date": "1.12.2026"})
    assert today["date"] == DAY and today["timezone"] == "Europe/Berlin"
    assert today["now"].startswith(f"{DAY}T09:") and today["now"].endswith("+01:00")
    assert today["appointments"] == named["appointments"] and len(today["appointments"]) == 1
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_request"


def test_clerk_sees_todays_visitors_and_check_ins_arrive_live(live_server: LiveServer, artifacts: Path) -> None:
    booked = prepare_day(live_server)
    with browser() as chromium:
        requests: list[str] = []
        page, problems = clerk_page(chromium, live_server, CLERK, requests=requests)
        page.wait_for_selector("#appointments tbody tr[data-id]")

        expected = {
            "missed": "no_show", "served": "done", "called": "called", "late": "late", "arrives_live": "expected",
            "cancelled": "cancelled", "later": "expected", "afternoon": "expected",
        } | {f"extra{n}": "expected" for n in range(10)}
        assert states_on_page(page) == {booked[k]["id"]: v for k, v in expected.items()}
        text = page.inner_text(".appointments-panel")
        assert "01.12.2026" in text and "Erika Mustermann" in text and EMAIL not in page.content()
        assert "17 gebucht" in text and "2 angekommen" in text and "14 noch erwartet" in text
        assert "1 nicht erschienen" in text
        called = page.inner_text(f"tr[data-id='{booked['called']['id']}']")
        assert "aufgerufen" in called and "hier" in called
        code = booked["arrives_live"]["code"]
        assert f"{code[:4]}-{code[4:]}" in page.inner_text(f"tr[data-id='{booked['arrives_live']['id']}']")
        upcoming = page.query_selector_all("#appointments tr.upcoming")
        assert [r.get_attribute("data-id") for r in upcoming] == [
            booked[k]["id"] for k in ("late", "arrives_live", "later")
        ]
        page.screenshot(path=str(artifacts / "clerk-appointments-1920.png"))

        page.focus("#appointments-filter")
        page.keyboard.type(code[:4].lower())
        assert list(states_on_page(page)) == [booked["arrives_live"]["id"]]
        page.keyboard.press("Escape")
        assert len(states_on_page(page)) == len(expected)
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        assert "no_show" not in states_on_page(page).values()
        # on to the list (the check-in by code sits with the counter's actions, tests/pages/test_clerk_checkin.py)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "appointments-scroll"
        page.screenshot(path=str(artifacts / "clerk-appointments-keyboard.png"))
        page.uncheck("#appointments-hide-past")
        walk_ins = [check_in(live_server, service_id=s)["number"] for s in ("ausweis", "abholung", "ausweis", "pass")]

        ticket = check_in(live_server, appointment_code=code)
        row = f"tr[data-id='{booked['arrives_live']['id']}']"
        page.wait_for_selector(f"{row}[data-state='checked_in']", timeout=20000)
        assert ticket["number"] in page.inner_text(row)
        assert "3 angekommen" in page.inner_text("#appointments-summary")
        for number in [*walk_ins, ticket["number"]]:
            page.wait_for_selector(f"#queue td.num:text('{number}')", timeout=20000)
        page.screenshot(path=str(artifacts / "clerk-appointments-after-checkin.png"))

        page.set_viewport_size({"width": 1366, "height": 768})
        page.screenshot(path=str(artifacts / "clerk-appointments-1366.png"))
        page.screenshot(path=str(artifacts / "clerk-appointments-1366-full.png"), full_page=True)
        assert page.is_visible("button.next") and page.is_visible("#queue")
        assert problems == []

        live_server.stop()  # from here the browser rightly logs failed reconnects
        page.wait_for_selector("#appointments-stale:not([hidden])", timeout=20000)
        assert "nicht aktuell" in page.inner_text("#appointments-stale")
        assert len(states_on_page(page)) == len(expected)
        page.screenshot(path=str(artifacts / "clerk-appointments-offline.png"))


def test_only_appointment_events_refetch_the_list_and_bursts_coalesce(live_server: LiveServer) -> None:
    booked = book(live_server, "pass", "09:15")
    check_in(live_server, appointment_code=booked["code"])
    with live_server.client(CLERK) as clerk:
        clerk_post(clerk, "/api/v1/counters/1/state", state="open")
        ticket = clerk_post(clerk, "/api/v1/counters/1/next").json()["ticket"]
    with browser() as chromium:
        b: Any = chromium
        page = b.new_page(viewport={"width": 1366, "height": 768})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{live_server.url}/clerk?token={live_server.tokens[CLERK]}")
        page.wait_for_selector(f"tr[data-id='{booked['id']}'][data-state='called']")
        page.wait_for_timeout(1500)
        before = appointment_fetches(requests)

        walk_ins = [check_in(live_server, service_id="ausweis")["number"] for _ in range(3)]
        page.wait_for_selector(f"#queue td.num:text('{walk_ins[-1]}')", timeout=20000)
        page.wait_for_timeout(1500)
        assert appointment_fetches(requests) == before

        with live_server.client(CLERK) as clerk:
            for _ in range(6):
                clerk_post(clerk, f"/api/v1/tickets/{ticket['id']}/recall")
            clerk_post(clerk, f"/api/v1/tickets/{ticket['id']}/start")
        page.wait_for_selector(f"tr[data-id='{booked['id']}'][data-state='serving']", timeout=20000)
        page.wait_for_timeout(2500)
        assert 1 <= appointment_fetches(requests) - before <= 3

        # a new booking and a cancellation reach the page by event, not by the slow refresh
        fresh = book(live_server, "pass", "11:15")
        page.wait_for_selector(f"tr[data-id='{fresh['id']}'][data-state='expected']", timeout=20000)
        with live_server.client("booking") as booking:
            booking.post(f"/api/v1/appointments/{fresh['id']}/cancel")
        page.wait_for_selector(f"tr[data-id='{fresh['id']}'][data-state='cancelled']", timeout=20000)
