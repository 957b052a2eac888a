"""The kiosk window rendered offscreen, tapped like a finger, against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.kivy
ROOT = Path(__file__).resolve().parents[2]


def run_kiosk(name: str, tmp_path: Path, **args: Any) -> dict[str, Any]:
    result = tmp_path / f"{name}.json"
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KIVY_HOME": str(tmp_path / "kivy-home")}
    done = subprocess.run(
        [sys.executable, "-m", "tests.kiosk.scenarios", name, json.dumps(args), str(result)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(result.read_text())


@pytest.mark.parametrize("mode", ["de", "ar", "a11y"])
def test_every_screen_fits_and_is_saved_for_people_to_look_at(
    mode: str, tmp_path: Path, artifacts: Path
) -> None:
    out = artifacts / "kiosk"
    result = run_kiosk("screens", tmp_path, mode=mode, out=str(out))
    assert {k: v for k, v in result["problems"].items() if v} == {}
    assert len(result["problems"]) == 12
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
