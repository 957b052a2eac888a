"""Number leases against the real server: reserve, redeem after an outage, refuse what is void."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import httpx

from tests.api.test_appointments import book, db_rows, error_of
from tests.conftest import LiveServer, ServerFactory

DAY = "2026-12-01"  # a Tuesday; the fixture's clock starts at 09:00 local


def lease(server: LiveServer, per_service: int = 2, **headers: str) -> dict[str, Any]:
    with server.client("kiosk") as kiosk:
        response = kiosk.post("/api/v1/leases", json={"per_service": per_service}, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def redeem(
    server: LiveServer, lease_id: str, issued_at: str, role: str = "kiosk", **body: Any
) -> httpx.Response:
    key = body.pop("key", "")  # varies the Idempotency-Key, not a field of the body
    with server.client(role) as client:
        return client.post(
            f"/api/v1/leases/{lease_id}/redeem",
            json={"issued_at": issued_at, **body},
            headers={"Idempotency-Key": f"redeem-{lease_id}-{key}"},
        )


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def leased_for(answer: dict[str, Any], service_id: str) -> list[dict[str, Any]]:
    return [n for n in answer["numbers"] if n["service_id"] == service_id]


def test_a_lease_is_topped_up_and_its_numbers_are_never_issued_online(
    live_server: LiveServer,
) -> None:
    first = lease(live_server, per_service=2)
    assert first["office_day"] == DAY and first["arrival_window"] == {"early_min": 15, "late_min": 15}
    # leased numbers come from their own block: the day's own sequence has no gap
    assert [n["number"] for n in leased_for(first, "pass")] == ["P900", "P901"]
    assert len(first["numbers"]) == 2 * 6
    # asking again gives the same numbers, not two more
    assert lease(live_server, per_service=2)["numbers"] == first["numbers"]
    with live_server.client("kiosk") as kiosk:
        online = kiosk.post("/api/v1/checkins", json={"service_id": "pass"}).json()
    assert online["ticket"]["number"] == "P001"
    bigger = lease(live_server, per_service=3)
    assert [n["number"] for n in leased_for(bigger, "pass")] == ["P900", "P901", "P902"]


def test_an_offline_ticket_keeps_its_number_status_page_and_arrival(
    server_factory: ServerFactory,
) -> None:
    server = server_factory(clock=f"{DAY}T09:00")
    numbers = leased_for(lease(server), "anmeldung")
    pending = httpx.get(f"{server.url}/api/v1/tickets/public/{numbers[0]['public_id']}")
    assert pending.status_code == 200
    assert (pending.json()["state"], pending.json()["number"]) == ("pending", numbers[0]["number"])
    server.stop()
    # the server is away for half an hour; the kiosk issues the leased number at 09:10
    server.start(clock=f"{DAY}T09:30")
    with server.client("kiosk") as kiosk:
        later = kiosk.post("/api/v1/checkins", json={"service_id": "anmeldung"}).json()
    response = redeem(server, numbers[0]["id"], f"{DAY}T09:10:00+01:00", lang="tr")
    assert response.status_code == 201, response.text
    answer = response.json()
    ticket = answer["ticket"]
    assert ticket["number"] == numbers[0]["number"] and ticket["public_id"] == numbers[0]["public_id"]
    assert moment(ticket["arrived_at"]) == moment(f"{DAY}T09:10:00+01:00") and ticket["lang"] == "tr"
    assert answer["appointment_refused"] is None
    # the visitor who arrived at 09:10 is ahead of the one who checked in online at 09:30
    with server.client("counter:4") as clerk:
        queue = clerk.get("/api/v1/counters/4/queue").json()
    assert {t["number"] for t in queue["waiting"]} == {ticket["number"], later["ticket"]["number"]}
    assert queue["next"]["number"] == ticket["number"]
    public = httpx.get(f"{server.url}/api/v1/tickets/public/{ticket['public_id']}")
    assert public.status_code == 200 and public.json()["number"] == ticket["number"]


def test_a_redeemed_number_is_not_redeemed_twice(live_server: LiveServer) -> None:
    number = leased_for(lease(live_server), "pass")[0]
    first = redeem(live_server, number["id"], f"{DAY}T09:00:00+01:00")
    assert first.status_code == 201
    # a retry with the same key replays the answer
    again = redeem(live_server, number["id"], f"{DAY}T09:00:00+01:00")
    assert again.status_code == 201 and again.json() == first.json()
    other = redeem(live_server, number["id"], f"{DAY}T09:00:00+01:00", key="second")
    assert other.status_code == 409
    assert error_of(other)["code"] == "lease_redeemed"
    assert error_of(other)["details"]["ticket"]["id"] == first.json()["ticket"]["id"]
    rows = db_rows(live_server, f"SELECT COUNT(*) FROM tickets WHERE number = '{number['number']}'")
    assert rows == [(1,)]


def test_arrival_stays_between_the_lease_and_now(live_server: LiveServer) -> None:
    numbers = leased_for(lease(live_server), "pass")
    ahead = redeem(live_server, numbers[0]["id"], "2026-12-01T23:00:00+01:00").json()
    behind = redeem(live_server, numbers[1]["id"], "2026-12-01T06:00:00+01:00").json()
    assert moment(ahead["ticket"]["arrived_at"]) < moment(f"{DAY}T09:05:00+01:00")
    assert moment(behind["ticket"]["arrived_at"]) >= moment(f"{DAY}T09:00:00+01:00")


def test_void_and_foreign_leases_are_refused_and_change_nothing(
    server_factory: ServerFactory,
) -> None:
    server = server_factory(clock=f"{DAY}T17:00")
    number = leased_for(lease(server), "pass")[0]
    wrong_role = redeem(server, number["id"], f"{DAY}T17:00:00+01:00", role="display")
    foreign = redeem(server, number["id"], f"{DAY}T17:00:00+01:00", role="admin")
    unknown = redeem(server, "no-such-lease", f"{DAY}T17:00:00+01:00")
    naive = redeem(server, number["id"], f"{DAY}T17:00:00")
    urgent = redeem(server, number["id"], f"{DAY}T17:00:00+01:00", priority="urgent")
    assert wrong_role.status_code == 403
    assert (foreign.status_code, error_of(foreign)["code"]) == (404, "lease_unknown")
    assert (unknown.status_code, error_of(unknown)["code"]) == (404, "lease_unknown")
    assert naive.status_code == 422 and urgent.status_code == 422
    with server.client("kiosk") as kiosk:
        too_many = kiosk.post("/api/v1/leases", json={"per_service": 500})
        malformed = kiosk.post(
            "/api/v1/leases", content=b"{nope", headers={"Content-Type": "application/json"}
        )
    assert too_many.status_code == 422 and malformed.status_code == 400
    server.stop()
    server.start(clock="2026-12-02T09:00")
    expired = redeem(server, number["id"], f"{DAY}T17:30:00+01:00")
    assert (expired.status_code, error_of(expired)["code"]) == (409, "lease_expired")
    assert db_rows(server, "SELECT COUNT(*) FROM tickets") == [(0,)]


def test_nothing_is_leased_on_a_closed_day(server_factory: ServerFactory) -> None:
    server = server_factory(clock="2026-12-06T10:00")  # a Sunday
    assert lease(server)["numbers"] == []


def test_an_appointment_checked_in_offline_is_honoured_or_becomes_a_walk_in(
    live_server: LiveServer,
) -> None:
    booked = book(live_server, f"{DAY}T09:15")
    cancelled = book(live_server, f"{DAY}T09:45")
    with live_server.client("booking") as booking:
        booking.post(f"/api/v1/appointments/{cancelled['appointment']['id']}/cancel")
    numbers = leased_for(lease(live_server), "pass")
    kept = redeem(
        live_server, numbers[0]["id"], f"{DAY}T09:01:00+01:00", appointment_token=booked["token"]
    ).json()
    assert kept["ticket"]["kind"] == "appointment" and kept["appointment_refused"] is None
    assert moment(kept["ticket"]["appointment_at"]) == moment(f"{DAY}T09:15:00+01:00")
    refused = redeem(
        live_server, numbers[1]["id"], f"{DAY}T09:01:00+01:00", appointment_token=cancelled["token"]
    ).json()
    assert refused["ticket"]["kind"] == "walk_in"
    assert refused["appointment_refused"] == "appointment_cancelled"
    other_service = leased_for(lease(live_server), "anmeldung")[0]
    wrong = redeem(
        live_server, other_service["id"], f"{DAY}T09:01:00+01:00", appointment_token=booked["token"]
    ).json()
    assert wrong["appointment_refused"] == "lease_wrong_service"
    with sqlite3.connect(live_server.data_dir / "townhall.db") as conn:
        status = conn.execute(
            "SELECT status, ticket_id FROM appointments WHERE id = ?", [booked["appointment"]["id"]]
        ).fetchone()
    assert status == ("checked_in", kept["ticket"]["id"])
