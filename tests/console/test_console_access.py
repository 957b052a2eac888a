"""Role x console route (issue 17): every console page and action checks the role on the server.
Kiosk, counter, display, printer and booking tokens get 403 everywhere; the office head only the
supervisor view; no session at all is sent to the login page; a form without its CSRF token is
refused."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LiveServer

from .helpers import login

ADMIN_ONLY = [("GET", "/admin"), ("GET", "/admin/devices"), ("GET", "/admin/audit"),
              ("GET", "/admin/services/0"), ("GET", "/admin/counters/new"), ("GET", "/admin/printers/new"),
              ("POST", "/admin/printers/save"), ("POST", "/admin/texts/save"),
              ("POST", "/admin/services/save"), ("POST", "/admin/counters/save"), ("POST", "/admin/hours/save"),
              ("POST", "/admin/closed/save"), ("POST", "/admin/office/save"), ("POST", "/admin/settings/queue"),
              ("POST", "/admin/reload"), ("POST", "/admin/services/0/delete"), ("POST", "/admin/devices/add"),
              ("POST", "/admin/devices/x/revoke"), ("POST", "/admin/devices/x/rotate"), ("GET", "/admin/staff"),
              ("POST", "/admin/staff/add"), ("POST", "/admin/staff/x/disable"), ("POST", "/admin/staff/x/passwd")]
SUPERVISOR = [("GET", "/supervisor"), ("GET", "/supervisor/panel"), ("POST", "/supervisor/counters/1/state"),
              ("POST", "/supervisor/tickets/x/move"), ("POST", "/supervisor/services/pass/walk-ins")]


@pytest.mark.parametrize("role", ["kiosk", "counter:1", "display", "printer", "booking"])
def test_no_device_role_but_admin_and_head_reaches_the_console(live_server: LiveServer, role: str) -> None:
    before = (live_server.data_dir / "office.toml").read_bytes()
    with live_server.client(role) as client:
        for method, path in ADMIN_ONLY + SUPERVISOR:
            answer = client.request(method, path, data={"stop": "1", "state": "paused"} if method == "POST" else None)
            assert answer.status_code == 403, f"{role} {method} {path}: {answer.status_code}"
    assert (live_server.data_dir / "office.toml").read_bytes() == before
    # nor can such a token open a console session
    page = httpx.get(live_server.url + "/admin/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    answer = httpx.post(live_server.url + "/admin/login", cookies=page.cookies,
                        data={"csrf": csrf, "token": live_server.tokens[role], "next": "/admin"})
    assert answer.status_code == 403 and "thq_console" not in answer.cookies


def test_the_office_head_sees_the_supervisor_view_only(server_factory: object) -> None:
    server = server_factory()  # type: ignore[operator]
    with server.client("admin") as admin:
        token = admin.post("/api/v1/devices", json={"role": "head", "name": "Amtsleitung"}).json()["token"]
    server.tokens["head"] = token
    head = login(server, "head", "/supervisor")
    assert head.get("/supervisor").status_code == 200
    for method, path in ADMIN_ONLY:
        answer = head.request(method, path, data={"csrf": head.csrf} if method == "POST" else None)
        assert answer.status_code == 403, f"head {method} {path}"
    with server.client("head") as bearer_head:
        assert bearer_head.get("/api/v1/devices").status_code == 403
    assert head.post("/supervisor/counters/1/state", data={"csrf": head.csrf, "state": "open"}).status_code == 303
    assert head.post("/supervisor/counters/1/state", data={"state": "paused"}).status_code == 403  # no CSRF


def test_without_a_session_the_console_asks_to_log_in(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as anonymous:
        for method, path in ADMIN_ONLY + SUPERVISOR:
            answer = anonymous.request(method, path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/admin/login"), path
