"""The kiosk window rendered offscreen, tapped like a finger, against a real server."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from kiosk.scan import decode_qr
from tests.conftest import LiveServer, ServerFactory

pytestmark = pytest.mark.kivy
ROOT = Path(__file__).resolve().parents[2]


def start_kiosk(name: str, tmp_path: Path, **args: Any) -> subprocess.Popen[str]:
    """A kiosk scenario in the background, for tests that act on the server meanwhile."""
    result = tmp_path / f"{name}.json"
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(tmp_path / "kivy-home")}
    with (tmp_path / f"{name}.log").open("w") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "tests.kiosk.scenarios", name, json.dumps(args), str(result)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )


def wait_for_signal(kiosk: subprocess.Popen[str], path: Path, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if kiosk.poll() is not None or time.monotonic() > deadline:
            kiosk.kill()
            log = next(path.parent.parent.glob("*.log"), None)
            tail = log.read_text()[-3000:] if log else "(no log)"
            raise AssertionError(f"kiosk gave no {path.name}; its log ends:\n{tail}")
        time.sleep(0.1)
    return json.loads(path.read_text())


def finish_kiosk(kiosk: subprocess.Popen[str], result: Path) -> dict[str, Any]:
    try:
        code = kiosk.wait(timeout=240)
    finally:
        kiosk.kill()
    assert code == 0, (result.parent / f"{result.stem}.log").read_text()[-3000:]
    data: dict[str, Any] = json.loads(result.read_text())
    return data


def server_rows(server: LiveServer, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        return conn.execute(sql).fetchall()


def run_kiosk(name: str, tmp_path: Path, **args: Any) -> dict[str, Any]:
    return finish_kiosk(start_kiosk(name, tmp_path, **args), tmp_path / f"{name}.json")


@pytest.mark.parametrize("mode", ["de", "ar", "a11y"])
def test_every_screen_fits_and_is_saved_for_people_to_look_at(
    mode: str, tmp_path: Path, artifacts: Path
) -> None:
    out = artifacts / "kiosk"
    result = run_kiosk("screens", tmp_path, mode=mode, out=str(out))
    assert {k: v for k, v in result["problems"].items() if v} == {}
    assert len(result["problems"]) == 13
    for name in result["problems"]:
        assert (out / f"{name}.png").stat().st_size > 10_000


def public_ticket(server: LiveServer, status_url: str) -> dict[str, Any]:
    public_id = status_url.rstrip("/").rsplit("/", 1)[-1]
    response = httpx.get(f"{server.url}/api/v1/tickets/public/{public_id}", timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def test_walk_in_two_taps_give_one_ticket_in_the_server(
    live_server: LiveServer, tmp_path: Path, artifacts: Path
) -> None:
    result = run_kiosk(
        "walk_in",
        tmp_path,
        server=live_server.url,
        token=live_server.tokens["kiosk"],
        service_id="pass",
        out=str(artifacts / "kiosk"),
    )
    assert result["shown_number"] == result["number"]
    # the QR code on the screen leads a phone to the same status page
    screenshot = Image.open(artifacts / "kiosk" / "live-walk-in-ticket.png")
    assert decode_qr(screenshot) == result["status_url"]
    ticket = public_ticket(live_server, result["status_url"])
    assert result["number"] in json.dumps(ticket)
    services = httpx.get(
        f"{live_server.url}/api/v1/services",
        headers={"Authorization": f"Bearer {live_server.tokens['kiosk']}"},
        timeout=5,
    ).json()["services"]
    waiting = {s["id"]: s["waiting"] for s in services}
    assert waiting["pass"] == 1, "the double tap must not give a second ticket"


def test_booked_visitor_gets_plain_words_and_a_walk_in_ticket(
    live_server: LiveServer, tmp_path: Path, artifacts: Path
) -> None:
    result = run_kiosk(
        "appointment",
        tmp_path,
        server=live_server.url,
        token=live_server.tokens["kiosk"],
        code="ABCD2345",
        scan="not-a-real-signed-appointment-token",
        service_id="ausweis",
        out=str(artifacts / "kiosk"),
    )
    refusals = {"appointment_not_supported", "appointment_unknown", "token_invalid"}
    assert result["typed"] in refusals
    assert result["scanned"] in refusals
    assert result["walk_in_ticket"]


def test_without_server_the_kiosk_says_so_calmly(tmp_path: Path, artifacts: Path) -> None:
    result = run_kiosk(
        "offline", tmp_path, server="http://127.0.0.1:9", out=str(artifacts / "kiosk")
    )
    assert result["banner"].startswith("Keine Verbindung")
    assert result["walk_in_enabled"] is False
    assert result["outcome"] == "server_unreachable"
    assert result["actions"] == ["retry", "home"]


def test_during_an_outage_tickets_come_from_leased_numbers_and_reach_the_server_after(
    server_factory: ServerFactory, tmp_path: Path, artifacts: Path
) -> None:
    server = server_factory(clock="2026-12-01T09:00")
    with server.client("booking") as booking:
        booked = booking.post(
            "/api/v1/appointments", json={"service_id": "pass", "start": "2026-12-01T09:15"}
        ).json()
    signals = tmp_path / "signals"
    signals.mkdir()
    kiosk = start_kiosk(
        "outage",
        tmp_path,
        server=server.url,
        token=server.tokens["kiosk"],
        service_id="anmeldung",
        token_qr=booked["token"],
        signals=str(signals),
        out=str(artifacts / "kiosk"),
    )
    leased = wait_for_signal(kiosk, signals / "leased.json")
    server.stop()
    (signals / "server-stopped.json").write_text("{}")
    issued = wait_for_signal(kiosk, signals / "issued.json")
    assert issued["walk_in"] in leased["numbers"] and issued["booked"] in leased["numbers"]
    server.start(clock="2026-12-01T09:20")
    (signals / "server-started.json").write_text("{}")
    result = finish_kiosk(kiosk, tmp_path / "outage.json")

    assert result["banner"].startswith("Keine Verbindung zum Wartesystem. Wartenummern")
    assert any("Ihre Nummer gilt trotzdem" in line for line in result["lines"])
    assert result["again"] == "appointment_already_checked_in"
    walk_in = public_ticket(server, result["walk_in_status_url"])
    assert walk_in["number"] == issued["walk_in"]
    with server.client("admin") as admin:
        day = admin.get("/api/v1/appointments", params={"date": "2026-12-01"}).json()
    mine = next(a for a in day["appointments"] if a["id"] == booked["appointment"]["id"])
    assert mine["status"] == "checked_in"
    rows = server_rows(server, "SELECT number, kind FROM tickets ORDER BY number")
    assert sorted(rows) == sorted([(issued["walk_in"], "walk_in"), (issued["booked"], "appointment")])
