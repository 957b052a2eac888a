"""Next with the slot guard on: a lone counter stays free for a booked pick-up due in minutes."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

import httpx

from tests.conftest import LiveServer, ServerFactory
from tests.office import book, check_in

DAY = "2026-12-01"  # a Tuesday; the fixture's clock starts at 09:00 local and runs
COUNTER = "1"  # Schalter 1 does ausweis (18 min) and abholung (4 min); its neighbours stay closed
NEXT = f"/api/v1/counters/{COUNTER}/next"


def guarding(text: str) -> str:
    assert "guard_slots = false" in text
    return text.replace("guard_slots = false", "guard_slots = true")


def book_pickup(server: LiveServer) -> dict[str, Any]:
    """A pick-up booked a few minutes after the fixture's 09:00, well inside `slot_hold_min`."""
    appointment = book(server, "abholung", "09:03")
    assert appointment["start"][11:16] <= "09:07", appointment
    return appointment


def open_clerk(server: LiveServer) -> httpx.Client:
    clerk = server.client(f"counter:{COUNTER}")
    assert clerk.post(f"/api/v1/counters/{COUNTER}/state", json={"state": "open"}).status_code == 200
    return clerk


def press_next(clerk: httpx.Client, key: str | None = None, **params: str) -> httpx.Response:
    return clerk.post(NEXT, params=params, headers={"Idempotency-Key": key or str(uuid.uuid4())})


def held_day(server: LiveServer) -> tuple[dict[str, Any], dict[str, Any], httpx.Client]:
    """A booked pick-up due in minutes, not here yet; an ID card walk-in waiting; Schalter 1 open."""
    pickup = book_pickup(server)
    walk_in = check_in(server, service_id="ausweis")
    return pickup, walk_in, open_clerk(server)


def one(server: LiveServer, sql: str, *args: object) -> Any:
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        return conn.execute(sql, args).fetchone()[0]


def last_seq(server: LiveServer) -> int:
    return int(one(server, "SELECT coalesce(max(seq), 0) FROM events"))


def test_a_lone_counter_stays_free_for_a_pickup_due_in_minutes(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=guarding)
    pickup, walk_in, clerk = held_day(server)
    seq = last_seq(server)

    answer = press_next(clerk)
    assert answer.status_code == 200, answer.text
    slot = pickup["start"]
    assert slot.startswith(f"{DAY}T09:0") and slot.endswith("+01:00")
    assert answer.json() == {"ticket": None, "held_for": {
        "service_id": "abholung", "service": "Abholung Ausweis / Pass", "appointment_at": slot, "until": slot,
    }}
    # nothing changed: the walk-in still waits, no event went out
    assert one(server, "SELECT state FROM tickets WHERE id = ?", walk_in["id"]) == "waiting"
    assert last_seq(server) == seq

    view = clerk.get(f"/api/v1/counters/{COUNTER}/queue").json()
    assert view["next"] is None and view["held_for"] == answer.json()["held_for"]
    assert [t["number"] for t in view["waiting"]] == [walk_in["number"]]

    anyway = press_next(clerk, hold="false")
    assert anyway.status_code == 200, anyway.text
    assert anyway.json()["ticket"]["id"] == walk_in["id"]
    assert anyway.json()["ticket"]["state"] == "called"


def test_when_the_booked_visitor_checks_in_next_calls_them_even_on_a_retry(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=guarding)
    pickup, walk_in, clerk = held_day(server)
    key = str(uuid.uuid4())
    assert press_next(clerk, key).json()["ticket"] is None

    booked = check_in(server, appointment_code=pickup["code"])
    assert clerk.get(f"/api/v1/counters/{COUNTER}/queue").json()["held_for"] is None
    # the hold wrote nothing, so the same key is not held to it: the retry calls the visitor now here
    retried = press_next(clerk, key)
    assert retried.status_code == 200, retried.text
    assert retried.json()["ticket"]["id"] == booked["id"]
    assert "held_for" not in retried.json()
    # from here the key is spent as usual: a further retry replays the call and writes nothing
    seq = last_seq(server)
    assert press_next(clerk, key).json() == retried.json()
    assert last_seq(server) == seq
    assert one(server, "SELECT state FROM tickets WHERE id = ?", walk_in["id"]) == "waiting"


def test_a_hold_after_closing_the_current_visit_is_kept_for_its_key(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=guarding)
    pickup, walk_in, clerk = held_day(server)
    quick = check_in(server, service_id="abholung")
    # the 4-minute walk-in ends before the slot, so the guard lets the counter take it
    first = press_next(clerk).json()["ticket"]
    assert first["id"] == quick["id"]

    key = str(uuid.uuid4())
    held = press_next(clerk, key, previous="done")  # the quick walk-in was called, never started
    assert held.json()["held_for"]["appointment_at"] == pickup["start"]
    assert one(server, "SELECT state FROM tickets WHERE id = ?", quick["id"]) == "done"
    # that Next did finish a visit, so a retry replays it rather than acting twice
    check_in(server, appointment_code=pickup["code"])
    seq = last_seq(server)
    assert press_next(clerk, key, previous="done").json() == held.json()
    assert last_seq(server) == seq
    assert one(server, "SELECT state FROM tickets WHERE id = ?", walk_in["id"]) == "waiting"
    reused = press_next(clerk, key, hold="false", previous="done")
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"


def test_without_the_rule_the_walk_in_is_called_as_before(live_server: LiveServer) -> None:
    _, walk_in, clerk = held_day(live_server)
    assert clerk.get(f"/api/v1/counters/{COUNTER}/queue").json()["held_for"] is None
    answer = press_next(clerk)
    assert answer.status_code == 200 and answer.json() == {"ticket": answer.json()["ticket"]}
    assert answer.json()["ticket"]["id"] == walk_in["id"]
    assert press_next(clerk, previous="done").status_code == 204


def test_a_bad_hold_flag_is_refused_and_changes_nothing(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=guarding)
    _, walk_in, clerk = held_day(server)
    seq = last_seq(server)
    for bad in ("maybe", ""):
        answer = press_next(clerk, hold=bad)
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["code"] == "invalid_request" and "hold" in error["message"]
    assert last_seq(server) == seq
    assert one(server, "SELECT state FROM tickets WHERE id = ?", walk_in["id"]) == "waiting"
