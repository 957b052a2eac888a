"""A clerk checks in a booked visitor by booking code, and may call them at once: real server."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

import httpx

from tests.conftest import LiveServer

DAY = "2026-12-01"  # a Tuesday; the fixture's clock starts at 09:00 local
CLERK = "counter:1"  # Schalter 1 serves ausweis, pass and abholung


def book(server: LiveServer, start: str, service_id: str = "pass") -> dict[str, Any]:
    with server.client("booking") as booking:
        answer = booking.post("/api/v1/appointments", json={"service_id": service_id, "start": start})
    assert answer.status_code == 201, answer.text
    appointment: dict[str, Any] = answer.json()["appointment"]
    return appointment


def at_counter(
    server: LiveServer, code: str, *, device: str = CLERK, counter: str = "1", key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    with server.client(device) as clerk:
        return clerk.post(
            f"/api/v1/counters/{counter}/checkins", json={"appointment_code": code, **extra},
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )


def clerk_post(server: LiveServer, path: str, device: str = CLERK, **body: Any) -> httpx.Response:
    with server.client(device) as clerk:
        return clerk.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def db_rows(server: LiveServer, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        return conn.execute(sql).fetchall()


def written(server: LiveServer) -> tuple[Any, ...]:
    """What a refused check-in must leave alone: tickets, bookings, the event log, idempotency keys."""
    return (
        db_rows(server, "SELECT id, state, counter_id FROM tickets ORDER BY id"),
        db_rows(server, "SELECT id, status, ticket_id FROM appointments ORDER BY id"),
        db_rows(server, "SELECT max(seq) FROM events"),
        db_rows(server, "SELECT count(*) FROM idempotency"),
    )


def grouped(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def test_check_in_by_code_gives_the_kiosk_ticket_status_page_and_events(live_server: LiveServer) -> None:
    appointment = book(live_server, f"{DAY}T09:15")
    seq_before = db_rows(live_server, "SELECT max(seq) FROM events")[0][0]
    answer = at_counter(live_server, grouped(appointment["code"]).lower())
    assert answer.status_code == 201, answer.text
    body = answer.json()
    ticket = body["ticket"]
    assert ticket["number"].startswith("P") and ticket["kind"] == "appointment"
    assert ticket["state"] == "waiting" and ticket["appointment_at"] == "2026-12-01T08:15:00+00:00"
    assert body["position"] >= 1 and body["status_url"].endswith("/t/" + ticket["public_id"])
    assert body["call_offered"] is False  # Schalter 1 is still closed

    events = db_rows(live_server, f"SELECT type FROM events WHERE seq > {seq_before} ORDER BY seq")
    assert [t for (t,) in events] == ["ticket.created", "appointment.changed"]
    with httpx.Client(base_url=live_server.url) as visitor:
        public = visitor.get(f"/api/v1/tickets/public/{ticket['public_id']}").json()
    assert public["number"] == ticket["number"] and public["state"] == "waiting"
    with live_server.client(CLERK) as clerk:
        listed = clerk.get("/api/v1/appointments").json()["appointments"]
    assert [(a["status"], a["ticket"]["number"]) for a in listed] == [("checked_in", ticket["number"])]
    # a clerk's check-in prints nothing: the visitor is at the counter, not at the kiosk's printer
    assert db_rows(live_server, "SELECT count(*) FROM print_jobs")[0][0] == 0

    without_dash = at_counter(live_server, appointment["code"].lower())
    assert without_dash.status_code == 409
    assert error_code(without_dash) == "appointment_already_checked_in"
    assert without_dash.json()["error"]["details"]["ticket"]["number"] == ticket["number"]
    with live_server.client("kiosk") as kiosk:
        at_kiosk = kiosk.post("/api/v1/checkins", json={"appointment_code": appointment["code"]})
    assert error_code(at_kiosk) == "appointment_already_checked_in"
    assert db_rows(live_server, "SELECT count(*) FROM tickets")[0][0] == 1


def test_a_retry_with_the_same_key_gives_the_first_ticket(live_server: LiveServer) -> None:
    appointment = book(live_server, f"{DAY}T09:15")
    first = at_counter(live_server, appointment["code"], key="tap-1")
    again = at_counter(live_server, appointment["code"], key="tap-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    other = book(live_server, f"{DAY}T09:15")
    reused = at_counter(live_server, other["code"], key="tap-1")
    assert reused.status_code == 422 and error_code(reused) == "idempotency_key_reused"
    assert db_rows(live_server, "SELECT count(*) FROM tickets")[0][0] == 1


def test_every_refusal_is_the_kiosks_and_changes_nothing(live_server: LiveServer) -> None:
    due = book(live_server, f"{DAY}T09:15")
    later = book(live_server, f"{DAY}T10:30")
    tomorrow = book(live_server, "2026-12-02T09:15")
    cancelled = book(live_server, f"{DAY}T09:30")
    with live_server.client("booking") as booking:
        assert booking.post(f"/api/v1/appointments/{cancelled['id']}/cancel").status_code == 200
    assert at_counter(live_server, due["code"]).status_code == 201
    before = written(live_server)

    refusals = {
        "ZZZZ-ZZZZ": (404, "appointment_unknown"),
        "not a code": (404, "appointment_unknown"),
        "": (404, "appointment_unknown"),
        later["code"]: (409, "appointment_too_early"),
        tomorrow["code"]: (409, "appointment_too_early"),
        cancelled["code"]: (409, "appointment_cancelled"),
        due["code"]: (409, "appointment_already_checked_in"),
    }
    for code, (status, name) in refusals.items():
        answer = at_counter(live_server, code)
        assert (answer.status_code, error_code(answer)) == (status, name), code
    assert written(live_server) == before

    too_early = at_counter(live_server, later["code"]).json()["error"]["details"]
    assert too_early == {"start": f"{DAY}T10:30:00+01:00", "checkin_from": f"{DAY}T10:15:00+01:00"}
    other_day = at_counter(live_server, tomorrow["code"]).json()["error"]["details"]
    assert other_day["start"] == "2026-12-02T09:15:00+01:00"


def test_a_missed_slot_is_refused_as_at_the_kiosk(live_server: LiveServer) -> None:
    missed = book(live_server, f"{DAY}T09:15")
    live_server.stop()
    live_server.start(clock=f"{DAY}T09:31")  # housekeeping marks the 09:15 visitor a no-show
    before = written(live_server)
    answer = at_counter(live_server, missed["code"])
    assert answer.status_code == 409 and error_code(answer) == "appointment_too_late"
    assert written(live_server) == before


def test_walk_ins_and_qr_tokens_stay_with_the_kiosk(live_server: LiveServer) -> None:
    appointment = book(live_server, f"{DAY}T09:15")
    before = written(live_server)
    with live_server.client(CLERK) as clerk:
        walk_in = clerk.post("/api/v1/checkins", json={"service_id": "pass"})
        by_code_at_kiosk_route = clerk.post("/api/v1/checkins", json={"appointment_code": appointment["code"]})
        walk_in_here = clerk.post("/api/v1/counters/1/checkins", json={"service_id": "pass"})
        mixed = clerk.post(
            "/api/v1/counters/1/checkins", json={"appointment_code": appointment["code"], "service_id": "pass"}
        )
        token = clerk.post("/api/v1/counters/1/checkins", json={"appointment_token": "x.y"})
    assert walk_in.status_code == by_code_at_kiosk_route.status_code == 403
    assert error_code(walk_in) == "forbidden"
    for refused in (walk_in_here, mixed, token):
        assert refused.status_code == 422 and error_code(refused) == "invalid_request", refused.text
    assert written(live_server) == before


def test_only_this_counters_workstation_may_check_in_here(live_server: LiveServer) -> None:
    appointment = book(live_server, f"{DAY}T09:15")
    code = appointment["code"]
    before = written(live_server)
    url = f"{live_server.url}/api/v1/counters/1/checkins"
    assert httpx.post(url, json={"appointment_code": code}).status_code == 401
    wrong = httpx.post(url, json={"appointment_code": code}, headers={"Authorization": "Bearer thq_nope"})
    assert wrong.status_code == 401 and error_code(wrong) == "unauthorized"
    for device in ("kiosk", "display", "booking", "printer", "counter:2"):
        answer = at_counter(live_server, code, device=device)
        assert answer.status_code == 403 and error_code(answer) == "forbidden", device
    unknown = at_counter(live_server, code, device="admin", counter="99")
    assert unknown.status_code == 404 and error_code(unknown) == "unknown_counter"
    assert written(live_server) == before


def test_call_now_calls_exactly_the_visitor_checked_in_here(live_server: LiveServer) -> None:
    assert clerk_post(live_server, "/api/v1/counters/1/state", state="open").status_code == 200
    with live_server.client("kiosk") as kiosk:
        walk_in = kiosk.post("/api/v1/checkins", json={"service_id": "pass"}).json()["ticket"]
    appointment = book(live_server, f"{DAY}T09:15")
    checked_in = at_counter(live_server, appointment["code"]).json()
    assert checked_in["call_offered"] is True
    ticket = checked_in["ticket"]

    seq_before = db_rows(live_server, "SELECT max(seq) FROM events")[0][0]
    called = clerk_post(live_server, "/api/v1/counters/1/call", ticket_id=ticket["id"])
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["id"] == ticket["id"]  # not the walk-in who came first
    assert called.json()["ticket"]["state"] == "called" and called.json()["ticket"]["counter_id"] == "1"
    events = db_rows(live_server, f"SELECT type FROM events WHERE seq > {seq_before}")
    assert events == [("ticket.called",)]
    with live_server.client("display") as display:
        board = display.get("/api/v1/board").json()
    assert board["calls"][0]["number"] == ticket["number"]

    busy = clerk_post(live_server, "/api/v1/counters/1/call", ticket_id=ticket["id"])
    assert busy.status_code == 409 and error_code(busy) == "counter_busy"
    second = at_counter(live_server, book(live_server, f"{DAY}T09:15")["code"])
    assert second.json()["call_offered"] is False  # the counter has a visitor
    with live_server.client(CLERK) as clerk:
        assert clerk.get("/api/v1/counters/1/queue").json()["counter"]["current"]["id"] == ticket["id"]
    before = written(live_server)
    kiosk_ticket = clerk_post(live_server, "/api/v1/counters/1/call", ticket_id=walk_in["id"])
    assert kiosk_ticket.status_code == 403 and error_code(kiosk_ticket) == "call_not_offered"
    assert written(live_server) == before


def test_call_now_is_refused_where_it_was_not_offered(live_server: LiveServer) -> None:
    closed = at_counter(live_server, book(live_server, f"{DAY}T09:15")["code"]).json()
    assert closed["call_offered"] is False
    refused = clerk_post(live_server, "/api/v1/counters/1/call", ticket_id=closed["ticket"]["id"])
    assert refused.status_code == 409 and error_code(refused) == "counter_not_open"

    # Schalter 5 does not do passports: it may check the visitor in, not serve them
    assert clerk_post(live_server, "/api/v1/counters/5/state", device="counter:5", state="open").status_code == 200
    elsewhere = at_counter(live_server, book(live_server, f"{DAY}T09:15")["code"], device="counter:5", counter="5")
    assert elsewhere.status_code == 201 and elsewhere.json()["call_offered"] is False
    ticket_id = elsewhere.json()["ticket"]["id"]
    no_skill = clerk_post(live_server, "/api/v1/counters/5/call", device="counter:5", ticket_id=ticket_id)
    assert no_skill.status_code == 409 and error_code(no_skill) == "skill_missing"
    # another workstation cannot pick it out of turn either, nor act for another counter
    assert clerk_post(live_server, "/api/v1/counters/2/state", device="counter:2", state="open").status_code == 200
    not_here = clerk_post(live_server, "/api/v1/counters/2/call", device="counter:2", ticket_id=ticket_id)
    assert not_here.status_code == 403 and error_code(not_here) == "call_not_offered"
    foreign = clerk_post(live_server, "/api/v1/counters/5/call", device="counter:2", ticket_id=ticket_id)
    assert foreign.status_code == 403 and error_code(foreign) == "forbidden"
    unknown = clerk_post(live_server, "/api/v1/counters/2/call", device="counter:2", ticket_id="nope")
    assert unknown.status_code == 404 and error_code(unknown) == "unknown_ticket"
    assert db_rows(live_server, "SELECT count(*) FROM tickets WHERE state = 'called'")[0][0] == 0
