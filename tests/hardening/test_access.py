"""The role x endpoint matrix: every route of the OpenAPI, every role, as README ## Access says."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
ROLES = ("kiosk", "counter:1", "display", "printer", "booking", "admin")
DUMMY = {"counter_id": "1", "lang": "de"}


def _documented() -> dict[tuple[str, str], set[str]]:
    section = README[README.index("\n## Access\n") : README.index("\n## Events\n")]
    rows = re.findall(r"^\| `(GET|POST|WS) (\S+)` \| ([a-z, ]+) \|", section, re.MULTILINE)
    return {(method, path): {r.strip() for r in roles.split(",")} for method, path, roles in rows}


def _allowed(roles: set[str], role: str) -> bool:
    if "none" in roles:
        return True
    if role == "none":
        return False
    if "any" in roles or role == "admin":
        return True
    return role.split(":")[0] in roles


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: DUMMY.get(m.group(1), "x" + m.group(1)), path)


def test_every_route_of_the_openapi_is_in_the_matrix(live_server: LiveServer) -> None:
    spec = httpx.get(live_server.url + "/openapi.json").json()
    routes = {(method.upper(), path) for path, methods in spec["paths"].items() for method in methods}
    documented = {key for key in _documented() if key[0] != "WS"}
    assert routes == documented


@pytest.mark.parametrize("role", [*ROLES, "none"])
def test_each_role_reaches_exactly_what_the_matrix_allows(live_server: LiveServer, role: str) -> None:
    headers = {} if role == "none" else {"Authorization": f"Bearer {live_server.tokens[role]}"}
    wrong = []
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=60) as client:
        for (method, path), roles in _documented().items():
            if method == "WS":
                continue
            response = client.request(method, _url(path), json={} if method == "POST" else None)
            refused = response.status_code in (401, 403) and response.json()["error"]["code"] in (
                "unauthorized", "forbidden")
            if refused == _allowed(roles, role):
                wrong.append(f"{method} {path}: {response.status_code} {response.text[:80]}")
    assert not wrong, "\n".join(wrong)


def test_a_counter_acts_only_for_itself_and_its_errands(live_server: LiveServer) -> None:
    with live_server.client("kiosk") as kiosk:
        waiting = kiosk.post("/api/v1/checkins", json={"service_id": "sonstiges"}).json()["ticket"]
    with live_server.client("counter:1") as counter:  # counter 1 does ausweis, pass, abholung
        assert counter.post("/api/v1/counters/2/state", json={"state": "open"}).status_code == 403
        assert counter.post(f"/api/v1/tickets/{waiting['id']}/cancel").status_code == 403
    with live_server.client("counter:6") as counter:  # counter 6 does sonstiges
        assert counter.post(f"/api/v1/tickets/{waiting['id']}/cancel").status_code == 200


def test_the_websocket_wants_a_device(live_server: LiveServer) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = live_server.ws_url("display").split("?")[0]
    with pytest.raises(InvalidStatus), connect(url) as ws:
        ws.recv(timeout=5)


def test_the_openapi_names_the_bearer_scheme_and_every_refusal(live_server: LiveServer) -> None:
    spec = httpx.get(live_server.url + "/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    checkin = spec["paths"]["/api/v1/checkins"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(checkin["responses"])
    assert checkin["security"] == [{"HTTPBearer": []}]


def test_a_wrong_method_says_which_are_allowed(live_server: LiveServer) -> None:
    response = httpx.delete(live_server.url + "/api/v1/checkins")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_bodies_are_strict(live_server: LiveServer) -> None:
    with live_server.client("kiosk") as kiosk:
        assert kiosk.post("/api/v1/leases", json={"per_service": False}).status_code == 422
        assert kiosk.post("/api/v1/checkins", json={"service_id": "ausweis", "servce": "x"}).status_code == 422
