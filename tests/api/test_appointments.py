"""Booked visitors against the real server: slots, booking, QR, check-in, import, retention."""

from __future__ import annotations

import base64
import io
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import zxingcpp
from PIL import Image

from counter_server import keys
from counter_server.core.tokens import make_claim, sign_appointment_token
from tests.conftest import LiveServer, ServerFactory

DAY = "2026-12-01"  # a Tuesday; the fixture's clock starts at 09:00 local


def book(server: LiveServer, start: str, service_id: str = "pass", **extra: Any) -> dict[str, Any]:
    with server.client("booking") as booking:
        response = booking.post(
            "/api/v1/appointments", json={"service_id": service_id, "start": start, **extra}
        )
    assert response.status_code == 201, response.text
    return response.json()


def check_in(server: LiveServer, **body: str) -> httpx.Response:
    with server.client("kiosk") as kiosk:
        return kiosk.post("/api/v1/checkins", json=body)


def error_of(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()["error"]
    return body


def restart(server: LiveServer, clock: str) -> None:
    server.stop()
    server.start(clock=clock)


def db_rows(server: LiveServer, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        return conn.execute(sql).fetchall()


def test_free_slots_come_from_capacity_and_shrink_when_booked(live_server: LiveServer) -> None:
    with live_server.client("booking") as booking:
        before = booking.get("/api/v1/slots", params={"service_id": "pass", "date": DAY}).json()
        first = before["slots"][0]
        assert first == {
            "start": f"{DAY}T09:15:00+01:00",
            "end": f"{DAY}T09:45:00+01:00",
            "free": 3,
        }
        book(live_server, first["start"])
        after = booking.get("/api/v1/slots", params={"service_id": "pass", "date": DAY}).json()
    assert after["slots"][0]["free"] == 2
    assert before["slots"][-1]["end"] == f"{DAY}T18:00:00+01:00"


def test_book_qr_check_in_and_called_at_the_slot(live_server: LiveServer, artifacts: Path) -> None:
    booked = book(
        live_server, f"{DAY}T09:15", contact={"name": "Erika Mustermann", "phone": "0301234"}
    )
    appointment = booked["appointment"]
    assert len(appointment["id"]) == 32 and len(appointment["code"]) == 8
    assert appointment["start"] == f"{DAY}T09:15:00+01:00" and appointment["status"] == "booked"

    with live_server.client("booking") as booking:
        png = booking.get(booked["qr_url"])
        page = booking.get(booked["confirmation_url"], params={"lang": "de"})
    assert png.headers["content-type"] == "image/png"
    scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [b.text for b in scanned] == [booked["token"]]
    assert "Erika" not in page.text and appointment["code"][:4] in page.text
    assert "data:image/png;base64," in page.text
    save_confirmation_screenshots(live_server, booked, artifacts)

    restart(live_server, f"{DAY}T09:14")
    first = check_in(live_server, appointment_token=scanned[0].text)
    assert first.status_code == 201, first.text
    ticket = first.json()["ticket"]
    assert (
        ticket["kind"] == "appointment" and ticket["appointment_at"] == "2026-12-01T08:15:00+00:00"
    )
    assert "Erika" not in first.text

    again = check_in(live_server, appointment_code=appointment["code"].lower())
    assert again.status_code == 409
    assert error_of(again)["code"] == "appointment_already_checked_in"
    assert error_of(again)["details"]["ticket"]["id"] == ticket["id"]
    assert db_rows(live_server, "SELECT count(*) FROM tickets")[0][0] == 1

    with live_server.client("counter:2") as clerk:
        assert clerk.post("/api/v1/counters/2/state", json={"state": "open"}).status_code == 200
        called = clerk.post("/api/v1/counters/2/next")
    assert called.status_code == 200 and called.json()["ticket"]["id"] == ticket["id"]


def save_confirmation_screenshots(
    server: LiveServer, booked: dict[str, Any], artifacts: Path
) -> None:
    from playwright.sync_api import sync_playwright

    folder = artifacts / "appointments"
    folder.mkdir(exist_ok=True)
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            page = browser.new_page(viewport={"width": 800, "height": 1000})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if "127.0.0.1" in route.request.url else route.abort()
                ),
            )
            for lang in ("de", "ar"):
                url = f"{server.url}{booked['confirmation_url']}?lang={lang}&token={server.tokens['booking']}"
                page.goto(url)
                assert page.locator("img").evaluate("img => img.naturalWidth") > 0
                page.screenshot(path=str(folder / f"confirmation-{lang}.png"), full_page=True)
        finally:
            browser.close()


def test_every_refusal_has_its_own_code(server_factory: ServerFactory) -> None:
    server = server_factory(clock=f"{DAY}T09:14")
    soon = book(server, f"{DAY}T10:00")
    later_day = book(server, "2026-12-03T10:00")
    cancelled = book(server, f"{DAY}T09:30")
    with server.client("booking") as booking:
        assert (
            booking.post(
                f"/api/v1/appointments/{cancelled['appointment']['id']}/cancel"
            ).status_code
            == 200
        )

    early = check_in(server, appointment_token=soon["token"])
    assert (early.status_code, error_of(early)["code"]) == (409, "appointment_too_early")
    assert error_of(early)["details"] == {
        "start": f"{DAY}T10:00:00+01:00",
        "checkin_from": f"{DAY}T09:45:00+01:00",
    }
    assert (
        error_of(check_in(server, appointment_token=later_day["token"]))["code"]
        == "token_wrong_day"
    )
    assert (
        error_of(check_in(server, appointment_code=later_day["appointment"]["code"]))["code"]
        == "appointment_too_early"
    )
    assert (
        error_of(check_in(server, appointment_token=cancelled["token"]))["code"]
        == "appointment_cancelled"
    )
    assert error_of(check_in(server, appointment_code="ZZZZ-ZZZZ"))["code"] == "appointment_unknown"
    assert error_of(check_in(server, appointment_code="0O1IL"))["code"] == "appointment_unknown"

    raw = bytearray(base64.urlsafe_b64decode(soon["token"] + "=="))
    raw[25] ^= 1
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    for bad in (forged, "garbage", soon["token"][:-3]):
        refused = check_in(server, appointment_token=bad)
        assert (refused.status_code, error_of(refused)["code"]) == (422, "token_invalid")

    kid, private_key = keys.load_signing_key(server.data_dir)
    claim = make_claim(
        appointment_id=soon["appointment"]["id"],
        office_id="standesamt-anderswo",
        service_id="pass",
        start=datetime.fromisoformat(soon["appointment"]["start"]),
        timezone="Europe/Berlin",
        key_id=kid,
    )
    other_office = sign_appointment_token(claim=claim, private_key=private_key)
    assert (
        error_of(check_in(server, appointment_token=other_office))["code"] == "token_wrong_office"
    )

    restart(server, f"{DAY}T10:16")
    late = check_in(server, appointment_token=soon["token"])
    assert (late.status_code, error_of(late)["code"]) == (409, "appointment_too_late")
    with server.client("booking") as booking:
        day = booking.get("/api/v1/appointments", params={"date": DAY}).json()
    assert {a["id"]: a["status"] for a in day["appointments"]}[
        soon["appointment"]["id"]
    ] == "no_show"

    restart(server, "2026-12-02T09:00")
    assert error_of(check_in(server, appointment_token=soon["token"]))["code"] == "token_expired"
    assert db_rows(server, "SELECT count(*) FROM tickets")[0][0] == 0


def test_two_kiosks_scanning_at_once_get_one_ticket(server_factory: ServerFactory) -> None:
    server = server_factory(clock=f"{DAY}T09:20")
    token = book(server, f"{DAY}T09:30")["token"]
    answers: list[httpx.Response] = []

    def scan() -> None:
        answers.append(check_in(server, appointment_token=token))

    threads = [threading.Thread(target=scan) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5
    first = next(a for a in answers if a.status_code == 201).json()["ticket"]["id"]
    assert {error_of(a)["details"]["ticket"]["id"] for a in answers if a.status_code == 409} == {
        first
    }
    assert db_rows(server, "SELECT count(*) FROM tickets")[0][0] == 1


def test_key_rotation_keeps_old_codes_valid(server_factory: ServerFactory) -> None:
    server = server_factory(clock=f"{DAY}T09:20")
    old = book(server, f"{DAY}T09:30")
    old_kid = keys.load_signing_key(server.data_dir)[0]
    new_kid = keys.rotate_key(server.data_dir)
    new = book(server, f"{DAY}T09:30")
    with server.client("kiosk") as kiosk:
        published = kiosk.get("/api/v1/keys").json()
    assert published["current"] == new_kid
    assert {k["kid"] for k in published["keys"]} == {old_kid, new_kid}
    assert check_in(server, appointment_token=old["token"]).status_code == 201
    assert check_in(server, appointment_token=new["token"]).status_code == 201
    kid_of = lambda token: base64.urlsafe_b64decode(token + "==")[1:5].hex()  # noqa: E731
    assert (kid_of(old["token"]), kid_of(new["token"])) == (old_kid, new_kid)


def test_booking_refuses_bad_input_and_changes_nothing(live_server: LiveServer) -> None:
    with live_server.client("booking") as booking, live_server.client("kiosk") as kiosk:
        cases = [
            (
                booking.post(
                    "/api/v1/appointments",
                    content=b"{not json",
                    headers={"content-type": "application/json"},
                ),
                400,
                "malformed_json",
            ),
            (
                booking.post(
                    "/api/v1/appointments", json={"service_id": "nope", "start": f"{DAY}T10:00"}
                ),
                404,
                "unknown_service",
            ),
            (
                booking.post(
                    "/api/v1/appointments", json={"service_id": "pass", "start": "tomorrow"}
                ),
                422,
                "invalid_appointment",
            ),
            (
                booking.post(
                    "/api/v1/appointments", json={"service_id": "pass", "start": f"{DAY}T10:05"}
                ),
                409,
                "slot_unavailable",
            ),
            (
                booking.post(
                    "/api/v1/appointments", json={"service_id": "pass", "start": f"{DAY}T08:00"}
                ),
                409,
                "slot_unavailable",
            ),
            (
                booking.post(
                    "/api/v1/appointments", json={"service_id": "pass", "start": "2026-12-24T10:00"}
                ),
                409,
                "slot_unavailable",
            ),
            (
                booking.post(
                    "/api/v1/appointments",
                    json={
                        "service_id": "pass",
                        "start": f"{DAY}T10:00",
                        "contact": {"name": "x", "iban": "DE00"},
                    },
                ),
                422,
                "invalid_appointment",
            ),
            (
                booking.post(
                    "/api/v1/appointments", json={"service_id": "pass", "start": "2099-01-05T10:00"}
                ),
                422,
                "invalid_appointment",
            ),
            (
                booking.post(
                    "/api/v1/appointments", json={"service_id": "pass", "start": "0001-01-01T00:00"}
                ),
                422,
                "invalid_appointment",
            ),
            (
                kiosk.post(
                    "/api/v1/appointments", json={"service_id": "pass", "start": f"{DAY}T10:00"}
                ),
                403,
                "forbidden",
            ),
            (
                booking.get("/api/v1/slots", params={"service_id": "pass", "date": "1.12.2026"}),
                422,
                "invalid_request",
            ),
            (
                booking.post("/api/v1/appointments/" + "0" * 32 + "/cancel"),
                404,
                "appointment_unknown",
            ),
        ]
        for response, status, code in cases:
            assert (response.status_code, error_of(response)["code"]) == (status, code), (
                response.text
            )
        assert (
            httpx.get(live_server.url + "/api/v1/slots?service_id=pass&date=" + DAY).status_code
            == 401
        )
    assert db_rows(live_server, "SELECT count(*) FROM appointments")[0][0] == 0


def test_counters_see_their_day_without_contact_details(live_server: LiveServer) -> None:
    booked = book(
        live_server, f"{DAY}T09:15", contact={"name": "Erika Mustermann", "email": "e@example.org"}
    )
    assert check_in(live_server, appointment_token=booked["token"]).status_code == 201
    book(live_server, f"{DAY}T11:00", service_id="ausweis")
    with live_server.client("counter:2") as clerk, live_server.client("booking") as booking:
        seen = clerk.get("/api/v1/appointments", params={"date": DAY}).json()
        full = booking.get("/api/v1/appointments", params={"date": DAY}).json()
    assert "e@example.org" not in str(seen) and "e@example.org" in str(full)
    mine = next(a for a in seen["appointments"] if a["id"] == booked["appointment"]["id"])
    assert mine["contact"] == {"name": "Erika Mustermann"}
    assert mine["arrived"] is True and mine["ticket"]["number"].startswith("P")
    per_counter = {c["id"]: (c["booked"], c["arrived"]) for c in seen["counters"]}
    assert per_counter[booked["appointment"]["counter_id"]][1] == 1
    assert sum(b for b, _ in per_counter.values()) == 2


CSV = """external_id;service_id;date;time;name;phone
ext-1;pass;2026-12-01;10:00;Max Muster;0301
ext-2;ausweis;2026-12-01;10:07;;
ext-3;reisepass;2026-12-01;10:00;;
ext-4;pass;2026-12-01;25:00;;
;pass;2026-12-01;11:00;;
ext-6;pass;2026-12-01;18:30;;
ext-7;pass;2026-12-01;08:30;;
ext-1;pass;2026-12-01;10:00;Max Muster;0301
"""


def test_import_reports_bad_rows_and_is_idempotent(live_server: LiveServer) -> None:
    with live_server.client("booking") as booking:
        first = booking.post(
            "/api/v1/appointments/import",
            content=CSV.encode(),
            headers={"content-type": "text/csv"},
        ).json()
        statuses = [
            (r["external_id"], r["status"], r.get("error", {}).get("code")) for r in first["rows"]
        ]
        assert statuses == [
            ("ext-1", "created", None),
            ("ext-2", "created", None),
            ("ext-3", "rejected", "unknown_service"),
            ("ext-4", "rejected", "invalid_appointment"),
            ("", "rejected", "invalid_appointment"),
            ("ext-6", "rejected", "slot_unavailable"),
            ("ext-7", "rejected", "start_in_past"),
            ("ext-1", "unchanged", None),
        ]
        assert (first["accepted"], first["rejected"]) == (3, 5)
        assert first["rows"][1]["appointment"]["start"] == "2026-12-01T10:07:00+01:00"

        moved = [
            {"external_id": "ext-1", "service_id": "pass", "start": "2026-12-01T12:00"},
            {
                "external_id": "ext-2",
                "service_id": "ausweis",
                "start": "2026-12-01T10:07",
                "duration_min": 20,
            },
        ]
        second = booking.post("/api/v1/appointments/import", json={"appointments": moved}).json()
        assert [r["status"] for r in second["rows"]] == ["updated", "unchanged"]
        assert second["rows"][0]["appointment"]["start"] == "2026-12-01T12:00:00+01:00"

        for content, kind in (
            (b"{", "application/json"),
            (b"a,b\n1,2", "text/csv"),
            (b"x", "text/plain"),
            (b'{"rows": 1}', "application/json"),
        ):
            refused = booking.post(
                "/api/v1/appointments/import", content=content, headers={"content-type": kind}
            )
            assert (refused.status_code, error_of(refused)["code"]) == (422, "import_invalid")
    assert db_rows(live_server, "SELECT count(*) FROM appointments")[0][0] == 2
    assert db_rows(live_server, "SELECT name FROM appointment_contacts") == [("Max Muster",)]


def test_retention_removes_contact_data_and_nothing_else(server_factory: ServerFactory) -> None:
    server = server_factory(clock=f"{DAY}T09:00")
    kept = book(server, f"{DAY}T09:15", contact={"name": "Erika Mustermann", "phone": "0301"})
    later = book(server, "2026-12-07T10:00", contact={"name": "Max Muster"})
    assert check_in(server, appointment_token=kept["token"]).status_code == 201

    def everything_but_contacts() -> list[Any]:
        return [
            db_rows(server, f"SELECT * FROM {t} ORDER BY 1")
            for t in ("appointments", "tickets", "events")
        ]

    restart(server, "2026-12-03T09:00")  # one day after: still within two days
    assert len(db_rows(server, "SELECT * FROM appointment_contacts")) == 2
    before = everything_but_contacts()

    restart(server, "2026-12-03T10:00")  # two days after the 09:15 slot
    assert db_rows(server, "SELECT appointment_id FROM appointment_contacts") == [
        (later["appointment"]["id"],)
    ]
    after = everything_but_contacts()
    assert after[0] == before[0] and after[1] == before[1]
    assert after[2][: len(before[2])] == before[2]


def test_init_creates_the_signing_key_and_the_cli_rotates_it(server_factory: ServerFactory) -> None:
    data_dir = server_factory(start=False).data_dir
    first = keys.load_signing_key(data_dir)[0]
    assert (data_dir / "keys" / "signing.key").stat().st_mode & 0o077 == 0

    def townhall(*args: str) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "counter_server.cli",
            "keys",
            *args,
            "--data-dir",
            str(data_dir),
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    rotated = townhall("rotate")
    new = rotated.stdout.strip().splitlines()[-1]
    assert rotated.returncode == 0 and new != first and keys.load_signing_key(data_dir)[0] == new
    listed = townhall("list").stdout
    assert first in listed and new in listed and "signing" in listed
    assert townhall("retire", new).returncode == 2
    assert townhall("retire", first).returncode == 0
    assert set(keys.load_public_keys(data_dir)) == {new}


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Outside Booking//DE\r\n"
    "BEGIN:VEVENT\r\nUID:ics-1@booking.example\r\nDTSTART;TZID=Europe/Berlin:20261201T113000\r\n"
    "DTEND;TZID=Europe/Berlin:20261201T120000\r\nCATEGORIES:pass\r\n"
    "SUMMARY:Reisepass Erika Muster\r\n mann\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:ics-2@booking.example\r\nDTSTART:20261201T110000Z\r\n"
    "X-TOWNHALL-SERVICE:ausweis\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:ics-3@booking.example\r\nDTSTART:20261201T110000Z\r\n"
    "CATEGORIES:standesamt\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:ics-4@booking.example\r\nSTATUS:CANCELLED\r\nDTSTART:20261201T110000Z\r\n"
    "CATEGORIES:pass\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_import_of_an_icalendar_file(live_server: LiveServer) -> None:
    with live_server.client("booking") as booking:
        report = booking.post(
            "/api/v1/appointments/import",
            content=ICS.encode(),
            headers={"content-type": "text/calendar"},
        ).json()
        again = booking.post(
            "/api/v1/appointments/import",
            content=ICS.encode(),
            headers={"content-type": "text/calendar"},
        ).json()
    outcome = [
        (r["external_id"], r["status"], r.get("error", {}).get("code")) for r in report["rows"]
    ]
    assert outcome == [
        ("ics-1@booking.example", "created", None),
        ("ics-2@booking.example", "created", None),
        ("ics-3@booking.example", "rejected", "unknown_service"),
    ]
    assert report["rows"][0]["appointment"]["start"] == "2026-12-01T11:30:00+01:00"
    assert report["rows"][1]["appointment"]["start"] == "2026-12-01T12:00:00+01:00"
    assert [r["status"] for r in again["rows"]] == ["unchanged", "unchanged", "rejected"]
    assert db_rows(live_server, "SELECT count(*) FROM appointment_contacts")[0][0] == 0
