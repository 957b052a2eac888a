"""Devices in the console (issue 17): list, add with a token shown once and a QR code, rename,
revoke (refused and disconnected within a second), rotate; each action in the audit log."""

from __future__ import annotations

import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.conftest import LiveServer

from .helpers import hidden, login


def _device_id(server: LiveServer, name: str) -> str:
    with server.client("admin") as admin:
        devices = admin.get("/api/v1/devices").json()["devices"]
    return next(d["id"] for d in devices if d["name"] == name)


def test_the_api_lists_adds_renames_rotates_and_logs(live_server: LiveServer) -> None:
    with live_server.client("admin") as admin:
        listed = admin.get("/api/v1/devices").json()["devices"]
        assert {"display", "kiosk", "counter:1"} <= {d["name"] for d in listed}
        added = admin.post("/api/v1/devices", json={"role": "display", "name": "TV Flur"})
        assert added.status_code == 201
        token, device_id = added.json()["token"], added.json()["device"]["id"]
        assert added.json()["pairing"].endswith(f"/display?token={token}")
        assert httpx.get(live_server.url + "/api/v1/devices/me",
                         headers={"Authorization": f"Bearer {token}"}).json()["name"] == "TV Flur"
        assert admin.post(f"/api/v1/devices/{device_id}/rename", json={"name": "TV Wartebereich"}).status_code == 200
        rotated = admin.post(f"/api/v1/devices/{device_id}/rotate").json()["token"]
        assert httpx.get(live_server.url + "/api/v1/devices/me",
                         headers={"Authorization": f"Bearer {token}"}).status_code == 401
        me = httpx.get(live_server.url + "/api/v1/devices/me", headers={"Authorization": f"Bearer {rotated}"})
        assert me.json()["name"] == "TV Wartebereich"
        bad = admin.post("/api/v1/devices", json={"role": "counter", "name": "x", "counter_id": "99"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_device"
        assert admin.post("/api/v1/devices/nope/revoke").status_code == 404
        actions = [e["action"] for e in admin.get("/api/v1/audit").json()["entries"]]
    assert actions[:3] == ["device.rotate", "device.rename", "device.add"]


def test_a_revoked_display_is_disconnected_and_refused_within_a_second(live_server: LiveServer) -> None:
    display_id = _device_id(live_server, "display")
    console = login(live_server)
    with connect(live_server.ws_url("display")) as ws:
        ws.recv(timeout=5)  # the snapshot
        page = console.get("/admin/devices")
        assert "verbunden" in page.text
        started = time.monotonic()
        answer = console.post(f"/admin/devices/{display_id}/revoke", data={"csrf": console.csrf})
        assert answer.status_code == 303
        with pytest.raises(ConnectionClosed):
            while True:
                ws.recv(timeout=1)
        assert time.monotonic() - started < 1.0
    with live_server.client("display") as display:
        for path in ("/api/v1/devices/me", "/api/v1/board", "/api/v1/services", "/api/v1/counters"):
            assert display.get(path).status_code == 401, path
    with pytest.raises(Exception), connect(live_server.ws_url("display")) as ws:  # noqa: B017
        ws.recv(timeout=2)
    audit = console.get("/admin/audit").text
    assert "device.revoke" in audit and "display" in audit


def test_the_console_page_adds_a_device_and_shows_its_token_once(live_server: LiveServer) -> None:
    console = login(live_server)
    answer = console.post("/admin/devices/add", data={"csrf": console.csrf, "role": "kiosk", "name": "Eingang 2"})
    assert answer.status_code == 200
    token = hidden(answer.text.replace('id="token">', 'name="tok" value="').replace("</p>", '"', 1), "tok")
    assert token.startswith("thq_") and "<svg" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert token not in console.get("/admin/devices").text
    refused = console.post("/admin/devices/add", data={"role": "kiosk", "name": "ohne CSRF"})
    assert refused.status_code == 403 and "CSRF" in refused.text
