"""What becomes of offline tickets at the real server: a lost check-in, refusals, the block's shares."""

from __future__ import annotations

from typing import Any

import httpx

from bench.harness import make_devices
from tests.api.test_appointments import db_rows, error_of
from tests.api.test_leases import DAY, lease, leased_for, moment
from tests.conftest import LiveServer, ServerFactory


def post(server: LiveServer, path: str, body: dict[str, Any], key: str, token: str = "") -> httpx.Response:
    headers = {"Idempotency-Key": key, "Authorization": f"Bearer {token or server.tokens['kiosk']}"}
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=10)


def waiting_numbers(server: LiveServer) -> set[str]:
    with server.client("counter:4") as clerk:
        return {t["number"] for t in clerk.get("/api/v1/counters/4/queue").json()["waiting"]}


def test_a_lost_check_in_resolves_to_the_offline_number_the_visitor_holds(
    server_factory: ServerFactory,
) -> None:
    server = server_factory(clock=f"{DAY}T09:00")
    numbers = leased_for(lease(server), "anmeldung")
    # the check-in reached the server, its answer was lost: nobody holds this ticket
    orphan = post(server, "/api/v1/checkins", {"service_id": "anmeldung"}, key="visit-1").json()
    old_kiosk = post(server, "/api/v1/checkins", {"service_id": "anmeldung"}, key="visit-2").json()
    server.stop()
    server.start(clock=f"{DAY}T09:20")
    # the kiosk issued leased numbers for both during the outage and hands them in now
    handed = post(server, f"/api/v1/leases/{numbers[0]['id']}/redeem",
                  {"issued_at": f"{DAY}T09:05:00+01:00", "checkin_key": "visit-1"},
                  key=f"redeem-{numbers[0]['id']}")
    assert handed.status_code == 201, handed.text
    # an older kiosk hands its ticket in under the very key of the lost check-in
    legacy = post(server, f"/api/v1/leases/{numbers[1]['id']}/redeem",
                  {"issued_at": f"{DAY}T09:06:00+01:00"}, key="visit-2")
    assert legacy.status_code == 201, legacy.text
    # only the numbers the visitors hold wait, each at the lost check-in's arrival
    assert waiting_numbers(server) == {numbers[0]["number"], numbers[1]["number"]}
    ticket = handed.json()["ticket"]
    assert moment(ticket["arrived_at"]) == moment(orphan["ticket"]["arrived_at"])
    states = db_rows(server, "SELECT number, state, reason FROM tickets WHERE kind = 'walk_in'"
                             f" AND number IN ('{orphan['ticket']['number']}', '{old_kiosk['ticket']['number']}')")
    assert sorted(states) == sorted([
        (orphan["ticket"]["number"], "cancelled", "superseded_offline"),
        (old_kiosk["ticket"]["number"], "cancelled", "superseded_offline"),
    ])
    with server.client("counter:4") as clerk:
        clerk.post("/api/v1/counters/4/state", json={"state": "open"})
        called = clerk.post("/api/v1/counters/4/next").json()["ticket"]["number"]
    assert called == numbers[0]["number"]
    # a retry of the hand-in replays it and cancels nothing more
    again = post(server, f"/api/v1/leases/{numbers[0]['id']}/redeem",
                 {"issued_at": f"{DAY}T09:05:00+01:00", "checkin_key": "visit-1"},
                 key=f"redeem-{numbers[0]['id']}")
    assert again.json() == handed.json()


def test_a_number_refused_for_good_says_so_to_the_visitor_and_to_staff(
    server_factory: ServerFactory,
) -> None:
    server = server_factory(clock=f"{DAY}T16:00")
    handed_in, never = leased_for(lease(server), "pass")[:2]
    server.stop()
    server.start(clock="2026-12-02T09:00")
    refused = post(server, f"/api/v1/leases/{handed_in['id']}/redeem",
                   {"issued_at": f"{DAY}T16:30:00+01:00"}, key="late")
    assert (refused.status_code, error_of(refused)["code"]) == (409, "lease_expired")
    for number in (handed_in, never):
        page = httpx.get(f"{server.url}/api/v1/tickets/public/{number['public_id']}").json()
        assert (page["number"], page["state"], page["refusal"]) == (
            number["number"], "refused", "lease_expired"
        )
    with server.client("counter:1") as clerk:
        listed = clerk.get("/api/v1/leases/refused").json()
    assert listed["day"] == "2026-12-02"
    assert [(r["number"], r["refusal"], r["kiosk"]) for r in listed["refused"]] == [
        (handed_in["number"], "lease_expired", "kiosk")
    ]
    assert moment(listed["refused"][0]["issued_at"]) == moment(f"{DAY}T16:30:00+01:00")
    with server.client("kiosk") as kiosk:
        assert kiosk.get("/api/v1/leases/refused").status_code == 403
    assert "refused: lease_expired" in server.log_path.read_text()


def test_each_kiosk_gets_its_share_of_the_block_and_numbers_given_back_go_to_others(
    server_factory: ServerFactory,
) -> None:
    def busy(text: str) -> str:
        # the passport errand takes 400 walk-ins a day; a quarter is kept for outages
        text = text.replace('prefix = "P"', 'prefix = "P"\ndaily_walk_in_cap = 400', 1)
        return text + "\n[offline]\nlease_share = 0.25\n"

    server = server_factory(clock=f"{DAY}T09:00", edit_config=busy)
    tokens = [server.tokens["kiosk"], *(make_devices(server.data_dir, ["kiosk"])["kiosk"] for _ in range(3))]

    asked = iter(range(100))

    def lease_as(token: str, **body: Any) -> dict[str, Any]:
        answer = post(server, "/api/v1/leases", body, key=f"lease-{next(asked)}", token=token)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    first = [lease_as(token) for token in tokens]
    # 400 × 0.25 ÷ 4 kiosks = 25 each: the whole block, and the last kiosk gets as many
    assert [a["per_service"]["pass"] for a in first] == [25, 25, 25, 25]
    assert [len(leased_for(a, "pass")) for a in first] == [25, 25, 25, 25]
    assert all(a["per_service"]["ausweis"] >= 5 for a in first)
    # kiosk 1 spends its 25 numbers in an outage and hands them in
    for number in leased_for(first[0], "pass"):
        redeemed = post(server, f"/api/v1/leases/{number['id']}/redeem",
                        {"issued_at": f"{DAY}T09:00:00+01:00"}, key=f"r-{number['id']}", token=tokens[0])
        assert redeemed.status_code == 201, redeemed.text
    # the 75 left are shared again: 18 each; kiosk 2 holds 25 and gives back 7
    second = lease_as(tokens[1])
    assert second["per_service"]["pass"] == 18
    held = leased_for(second, "pass")
    back = lease_as(tokens[1], release=[n["id"] for n in held[18:]])
    assert len(leased_for(back, "pass")) == 18
    refill = lease_as(tokens[0])
    assert len(leased_for(refill, "pass")) == 7
    assert {n["number"] for n in leased_for(refill, "pass")} == {n["number"] for n in held[18:]}
    numbers = db_rows(server, "SELECT number FROM number_leases WHERE service_id = 'pass'")
    assert len(numbers) == len({n for (n,) in numbers}) == 100
