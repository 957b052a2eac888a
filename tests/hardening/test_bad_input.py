"""Bad input gets a 4xx JSON error and changes nothing: lone surrogates, deep nesting, huge bodies."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

SURROGATE = '"\\ud800"'  # valid JSON text, but a lone UTF-16 surrogate: no UTF-8 for it
DEEP = "[" * 100_000 + "]" * 100_000


def _counts(server: LiveServer) -> tuple[int, ...]:
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("tickets", "appointments", "appointment_contacts", "print_jobs", "idempotency", "events")
        )


def _assert_refused(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body: dict[str, Any] = response.json()
    assert set(body["error"]) >= {"code", "message"}
    return body


CASES = [
    ("kiosk", "/api/v1/checkins", '{"service_id": "ausweis", "lang": ' + SURROGATE + "}"),
    ("kiosk", "/api/v1/checkins", '{"service_id": ' + SURROGATE + "}"),
    ("kiosk", "/api/v1/checkins", '{"appointment_code": ' + SURROGATE + "}"),
    ("kiosk", "/api/v1/checkins", '{"appointment_token": ' + SURROGATE + "}"),
    ("booking", "/api/v1/appointments",
     '{"service_id": "pass", "start": "2026-12-01T10:15", "contact": {"name": ' + SURROGATE + "}}"),
    ("booking", "/api/v1/appointments/import",
     '[{"external_id": ' + SURROGATE + ', "service_id": "pass", "start": "2026-12-01T10:15"}]'),
    ("booking", "/api/v1/appointments/import", DEEP),
    ("kiosk", "/api/v1/checkins", DEEP),
]


@pytest.mark.parametrize(("role", "path", "body"), CASES)
def test_bad_text_and_deep_nesting_are_refused_and_change_nothing(
    live_server: LiveServer, role: str, path: str, body: str
) -> None:
    before = _counts(live_server)
    with live_server.client(role) as client:
        response = client.post(path, content=body.encode(), headers={"Content-Type": "application/json"})
        _assert_refused(response, 400, 413, 422)
        assert client.get("/health").status_code == 200
    assert _counts(live_server) == before


def test_deep_nesting_on_a_ticket_action_and_a_surrogate_in_a_printer_status(live_server: LiveServer) -> None:
    with live_server.client("kiosk") as kiosk:
        ticket = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"}).json()["ticket"]
    before = _counts(live_server)
    with live_server.client("counter:1") as counter:
        response = counter.post(f"/api/v1/tickets/{ticket['id']}/transfer", content=DEEP.encode())
        _assert_refused(response, 400, 413, 422)
    with live_server.client("admin") as admin:
        status = admin.post("/api/v1/printers/nope/status", content=b'{"status": "ok", "detail": ' + SURROGATE.encode() + b"}")
        _assert_refused(status, 400, 404, 422)
    assert _counts(live_server) == before


def test_a_huge_body_is_refused_with_413_before_it_is_read(live_server: LiveServer) -> None:
    before = _counts(live_server)
    huge = b'{"service_id": "ausweis", "lang": "' + b"x" * 5_000_000 + b'"}'
    with live_server.client("kiosk") as kiosk:
        response = kiosk.post("/api/v1/checkins", content=huge, headers={"Content-Type": "application/json"})
        assert _assert_refused(response, 413)["error"]["code"] == "payload_too_large"
        long_lang = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis", "lang": "x" * 5000})
        _assert_refused(long_lang, 422)
    assert _counts(live_server) == before


def test_an_import_that_fails_in_row_51_books_nothing(live_server: LiveServer) -> None:
    rows = [
        f'{{"external_id": "ext-{n}", "service_id": "pass", "start": "2026-12-02T{8 + n // 4:02d}:{(n % 4) * 15:02d}"}}'
        for n in range(60)
    ]
    rows[50] = '{"external_id": ' + SURROGATE + ', "service_id": "pass", "start": "2026-12-02T11:00"}'
    before = _counts(live_server)
    with live_server.client("booking") as booking:
        response = booking.post("/api/v1/appointments/import", content=("[" + ",".join(rows) + "]").encode(),
                                headers={"Content-Type": "application/json"})
    _assert_refused(response, 422)
    assert _counts(live_server) == before
