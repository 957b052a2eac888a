"""What a visitor is told about the wait agrees everywhere, over real HTTP.

The errand list, the check-in answer, the board and the status page count the people
ahead the same way (core/ahead.py); with no counter open there are no minutes but
the reason, and while the office is still closed, when it opens.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import LiveServer, ServerFactory
from tests.office import book


def checkin(server: LiveServer, **body: str) -> dict[str, Any]:
    with server.client("kiosk") as kiosk:
        answer = kiosk.post("/api/v1/checkins", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def services(server: LiveServer) -> dict[str, dict[str, Any]]:
    with server.client("kiosk") as kiosk:
        found = kiosk.get("/api/v1/services").json()["services"]
    return {s["id"]: s for s in found}


def public(server: LiveServer, answer: dict[str, Any]) -> dict[str, Any]:
    url = f"{server.url}/api/v1/tickets/public/{answer['ticket']['public_id']}"
    return dict(httpx.get(url, timeout=10).json())


def open_counter(server: LiveServer, counter_id: str) -> None:
    with server.client(f"counter:{counter_id}") as desk:
        answer = desk.post(f"/api/v1/counters/{counter_id}/state", json={"state": "open"},
                           headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 200, answer.text


def test_the_errand_list_count_is_the_count_on_the_ticket_that_follows(live_server: LiveServer) -> None:
    open_counter(live_server, "1")
    for _ in range(10):
        checkin(live_server, service_id="ausweis")
    checkin(live_server, service_id="sonstiges")
    listed = services(live_server)["sonstiges"]["waiting"]
    assert listed == 1

    answer = checkin(live_server, service_id="sonstiges")
    # the calling order puts the ten others first; "ahead" is the errand's own line
    assert answer["position"] > 2
    assert answer["ahead"] == listed
    assert public(live_server, answer)["ahead"] == listed
    with live_server.client("display") as display:
        board = display.get("/api/v1/board").json()
    assert next(w for w in board["waiting"] if w["service_id"] == "sonstiges")["waiting"] == listed + 1


def test_without_an_open_counter_the_wait_says_so_instead_of_zero_minutes(live_server: LiveServer) -> None:
    for _ in range(7):
        checkin(live_server, service_id="ausweis")
    answer = checkin(live_server, service_id="ausweis")
    assert answer["ahead"] == 7
    assert (answer["eta_min"], answer["eta_reason"], answer["opens_at"]) == (None, "no_counter_open", None)
    status = public(live_server, answer)
    assert (status["eta_min"], status["eta_reason"]) == (None, "no_counter_open")
    listed = services(live_server)["ausweis"]
    assert (listed["eta_min"], listed["eta_reason"]) == (None, "no_counter_open")

    open_counter(live_server, "1")
    status = public(live_server, answer)
    assert status["eta_reason"] is None and status["eta_min"] > 0


def test_before_opening_a_booked_visitor_hears_when_the_counters_open(server_factory: ServerFactory) -> None:
    server = server_factory(clock="2026-12-01T07:50")
    appointment = book(server, "ausweis", "08:00")
    answer = checkin(server, appointment_code=appointment["code"])
    assert answer["eta_reason"] == "no_counter_open"
    assert answer["opens_at"] == "2026-12-01T08:00:00+01:00"
    assert public(server, answer)["opens_at"] == "2026-12-01T08:00:00+01:00"
