"""Clerks as people (issue 17): staff accounts made with `townhall staff`, a clerk's shift at a
counter whose events carry the staff id (never the name), the audit log naming the clerk,
lockout after five wrong passwords, disabled accounts and roles refused where they do not belong."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import httpx

from tests.conftest import LiveServer, ServerFactory

from .helpers import hidden

PASSWORD = "korrekt-pferd-9"


def staff_cli(server: LiveServer, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "counter_server.cli", "staff", *args, "--data-dir",
                           str(server.data_dir)], input=(password or "") + "\n", capture_output=True, text=True,
                          timeout=60)


def console_login(server: LiveServer, login: str, password: str) -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=server.url, timeout=10)
    page = client.get("/admin/login?next=/admin/staff")
    answer = client.post("/admin/login", data={"csrf": hidden(page.text, "csrf"), "next": "/admin/staff",
                                                "login": login, "password": password})
    return client, answer


def shift(server: LiveServer, login: str, password: str = PASSWORD, **extra: str) -> httpx.Response:
    return httpx.post(server.url + "/api/v1/shifts", json={"login": login, "password": password, **extra}, timeout=30)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _events(server: LiveServer, type_: str) -> list[dict[str, object]]:
    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        return [json.loads(d) for (d,) in db.execute("SELECT data FROM events WHERE type = ?", [type_])]


def _staff_server(server_factory: ServerFactory) -> LiveServer:
    server = server_factory(start=False)
    assert staff_cli(server, "add", "anna", "--name", "Anna Berg", password=PASSWORD).returncode == 0
    assert staff_cli(server, "add", "chef", "--role", "admin", "--name", "Chefin", password=PASSWORD).returncode == 0
    short = staff_cli(server, "add", "kurz", password="zu-kurz")
    assert short.returncode == 2 and "10 characters" in short.stderr
    listed = staff_cli(server, "list").stdout
    assert "anna  clerk  active  Anna Berg" in listed and "chef  admin  active" in listed
    server.start()
    return server


def test_a_clerk_serves_at_a_counter_and_events_and_audit_say_who(server_factory: ServerFactory) -> None:
    server = _staff_server(server_factory)
    started = shift(server, "anna", counter_id="1")
    assert started.status_code == 201, started.text
    token, staff_id = started.json()["token"], started.json()["staff"]["id"]
    me = httpx.get(server.url + "/api/v1/devices/me", headers=bearer(token)).json()
    assert me["counter_id"] == "1" and me["role"] == "counter" and me["staff_id"] == staff_id
    with server.client("kiosk") as kiosk:
        assert kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"}).status_code == 201
    with httpx.Client(base_url=server.url, headers=bearer(token), timeout=10) as clerk:
        assert clerk.post("/api/v1/counters/1/state", json={"state": "open"}).status_code == 200
        assert clerk.post("/api/v1/counters/2/state", json={"state": "open"}).status_code == 403
        called = clerk.post("/api/v1/counters/1/next")
        assert called.status_code == 200, called.text
    [event] = _events(server, "ticket.called")
    assert event["staff_id"] == staff_id and "Anna" not in json.dumps(event)
    assert _events(server, "counter.state")[-1]["staff_id"] == staff_id
    # the workstation's own token stays as it was: its events carry no staff id
    with server.client("counter:2") as desk:
        assert desk.post("/api/v1/counters/2/state", json={"state": "open"}).status_code == 200
    assert "staff_id" not in _events(server, "counter.state")[-1]
    admin, answer = console_login(server, "chef", PASSWORD)
    assert answer.status_code == 303
    audit = admin.get("/admin/audit").text
    assert "shift.start" in audit and "Anna Berg (clerk)" in audit
    accounts = admin.get("/admin/staff").text
    assert "Anna Berg" in accounts and "1 / 0 / 0" in accounts  # today's calls of the clerk
    assert httpx.post(server.url + "/api/v1/shifts/end", headers=bearer(token)).status_code == 204
    assert httpx.get(server.url + "/api/v1/devices/me", headers=bearer(token)).status_code == 401
    assert "shift.end" in admin.get("/admin/audit").text
    # a workstation token brings its counter along
    with_desk = httpx.post(server.url + "/api/v1/shifts", headers=bearer(server.tokens["counter:2"]),
                           json={"login": "anna", "password": PASSWORD}, timeout=30)
    assert with_desk.status_code == 201 and with_desk.json()["counter_id"] == "2"
    refused = httpx.post(server.url + "/api/v1/shifts", headers=bearer(server.tokens["counter:2"]),
                         json={"login": "anna", "password": PASSWORD, "counter_id": "1"}, timeout=30)
    assert refused.status_code == 403


def test_five_wrong_passwords_lock_the_account(server_factory: ServerFactory) -> None:
    server = _staff_server(server_factory)
    for _ in range(4):
        wrong = shift(server, "anna", "falsch-falsch", counter_id="1")
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "login_failed"
    locked = shift(server, "anna", "falsch-falsch", counter_id="1")
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "account_locked"
    assert shift(server, "anna", counter_id="1").status_code == 429  # even the right one waits
    _, answer = console_login(server, "anna", PASSWORD)
    assert answer.status_code == 429
    assert shift(server, "chef", counter_id="1").status_code == 201  # per account, not for everyone
    assert "falsch-falsch" not in server.log_path.read_text(encoding="utf-8")
    assert staff_cli(server, "passwd", "anna", password="neues-passwort-1").returncode == 0  # unlocks
    assert shift(server, "anna", "neues-passwort-1", counter_id="1").status_code == 201


def test_the_console_manages_accounts_and_roles_are_checked(server_factory: ServerFactory) -> None:
    server = _staff_server(server_factory)
    running = shift(server, "anna", counter_id="1").json()["token"]
    _, clerk_answer = console_login(server, "anna", PASSWORD)
    assert clerk_answer.status_code == 403  # a clerk account cannot open the console
    assert httpx.get(server.url + "/admin/staff", headers=bearer(running)).status_code == 403
    admin, _ = console_login(server, "chef", PASSWORD)
    page = admin.get("/admin/staff")
    csrf = hidden(page.text, "csrf")
    assert admin.post("/admin/staff/add", data={"login": "bert", "password": "kurz", "role": "clerk"}).status_code == 403
    short = admin.post("/admin/staff/add", data={"csrf": csrf, "login": "bert", "password": "kurz", "role": "clerk"})
    assert short.status_code == 422 and "10" in short.text
    added = admin.post("/admin/staff/add", data={"csrf": csrf, "login": "bert", "name": "Bert Kahn",
                                                 "password": PASSWORD, "role": "clerk"})
    assert added.status_code == 303
    assert shift(server, "bert", counter_id="3").status_code == 201
    anna_id = staff_cli(server, "list").stdout.split("anna")[0].split()[-1]
    assert admin.post(f"/admin/staff/{anna_id}/role", data={"csrf": csrf, "role": "head"}).status_code == 303
    _, head_answer = console_login(server, "anna", PASSWORD)
    assert head_answer.status_code == 303 and head_answer.headers["location"] == "/supervisor"
    assert admin.post(f"/admin/staff/{anna_id}/passwd", data={"csrf": csrf, "password": "x"}).status_code == 422
    assert admin.post(f"/admin/staff/{anna_id}/disable", data={"csrf": csrf}).status_code == 303
    assert httpx.get(server.url + "/api/v1/devices/me", headers=bearer(running)).status_code == 401
    assert shift(server, "anna", counter_id="1").status_code == 401
    _, disabled = console_login(server, "anna", PASSWORD)
    assert disabled.status_code == 401
    audit = admin.get("/admin/audit").text
    for action in ("staff.add", "staff.role", "staff.disable"):
        assert action in audit
    assert PASSWORD not in audit and PASSWORD not in server.log_path.read_text(encoding="utf-8")
    assert admin.post(f"/admin/staff/{anna_id}/enable", data={"csrf": csrf}).status_code == 303
    assert shift(server, "anna", counter_id="1").status_code == 201
