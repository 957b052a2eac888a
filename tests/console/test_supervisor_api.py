"""The supervisor's actions in the JSON API (issue 17) for the office head and the admin: the
same actions as the page's forms (console/supervisor_actions.py), audited alike, with the
error codes README ## Access names."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer
from tests.console.helpers import login
from tests.office import check_in


def _head(server: LiveServer) -> None:
    with server.client("admin") as admin:
        answer = admin.post("/api/v1/devices", json={"role": "head", "name": "Amtsleitung"})
    server.tokens["head"] = answer.json()["token"]


def _error(answer: Any) -> tuple[int, str]:
    return answer.status_code, answer.json()["error"]["code"]


def test_the_office_head_acts_through_the_api(live_server: LiveServer) -> None:
    _head(live_server)
    waiting = check_in(live_server, service_id="sonstiges")
    with live_server.client("head") as head:
        paused = head.post("/api/v1/supervisor/counters/2/state", json={"state": "paused"})
        assert paused.status_code == 200 and paused.json()["counter"]["state"] == "paused"
        assert _error(head.post("/api/v1/supervisor/counters/2/state", json={"state": "later"})) == (
            422, "invalid_request")
        assert _error(head.post("/api/v1/supervisor/counters/99/state", json={"state": "open"})) == (
            404, "unknown_counter")

        moved = head.post(f"/api/v1/supervisor/tickets/{waiting['id']}/move",
                          json={"service_id": "anmeldung", "counter_id": "5"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["ticket"]["service_id"] == "anmeldung"
        assert _error(head.post("/api/v1/supervisor/tickets/nope/move", json={})) == (404, "unknown_ticket")
        assert _error(head.post(f"/api/v1/supervisor/tickets/{waiting['id']}/move",
                                json={"service_id": "nope"})) == (404, "unknown_service")
        assert _error(head.post(f"/api/v1/supervisor/tickets/{waiting['id']}/move",
                                json={"counter_id": "99"})) == (404, "unknown_counter")

        stopped = head.post("/api/v1/supervisor/services/pass/walk-ins", json={"stopped": True})
        assert stopped.json() == {"service_id": "pass", "walk_in_stopped": True}
        assert _error(head.post("/api/v1/supervisor/services/nope/walk-ins", json={"stopped": True})) == (
            404, "unknown_service")
        assert _error(head.post("/api/v1/supervisor/services/pass/walk-ins", json={"stopped": "ja"})) == (
            422, "invalid_request")

        state = head.get("/api/v1/supervisor").json()
        assert {c["id"]: c["state"] for c in state["counters"]}["2"] == "paused"
        waiting_rows = {w["service_id"]: w for w in state["waiting"]}
        assert waiting_rows["pass"]["walk_in_stopped"] and waiting_rows["anmeldung"]["waiting"] == 1
        assert [t["target_counter_id"] for t in state["tickets"]] == ["5"]
    with live_server.client("kiosk") as kiosk:
        refused = kiosk.post("/api/v1/checkins", json={"service_id": "pass"})
        assert _error(refused) == (409, "walk_in_stopped")
        assert kiosk.post("/api/v1/supervisor/services/pass/walk-ins", json={"stopped": False}).status_code == 403
    with live_server.client("admin") as admin:
        assert admin.post("/api/v1/supervisor/services/pass/walk-ins", json={"stopped": False}).json()[
            "walk_in_stopped"] is False
        entries = admin.get("/api/v1/audit").json()["entries"]
    by_head = {e["action"] for e in entries if e["actor"] == "Amtsleitung (head)"}
    assert {"counter.state", "ticket.move", "service.walk_in_stop"} <= by_head


def test_the_page_and_the_api_refuse_a_bad_state_alike(live_server: LiveServer) -> None:
    page = login(live_server, next_path="/supervisor")
    answer = page.post("/supervisor/counters/1/state", data={"csrf": page.csrf, "state": "later"},
                       follow_redirects=True)
    with live_server.client("admin") as admin:
        api = admin.post("/api/v1/supervisor/counters/1/state", json={"state": "later"}).json()["error"]["message"]
    assert api == "state must be open, paused or closed, not 'later'"
    assert api in answer.text.replace("&#39;", "'")
