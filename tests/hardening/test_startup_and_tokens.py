"""Start-up that must refuse, files only the server's user reads, tokens out of URLs and logs,
and revocation that takes effect within a second."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from counter_server.cli import init_data_dir
from tests.conftest import LiveServer, ServerFactory


def _serve(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counter_server.cli", "serve", "--data-dir", str(data_dir), "--port", "1"],
        capture_output=True, text=True, timeout=60,
    )


def test_a_missing_database_is_not_silently_made_new(tmp_path: Path) -> None:
    init_data_dir(tmp_path, demo_office=True)
    (tmp_path / "townhall.db").unlink()
    result = _serve(tmp_path)
    assert result.returncode == 2
    assert "townhall.db: missing" in result.stderr and "townhall init" in result.stderr and "backup" in result.stderr
    assert not (tmp_path / "townhall.db").exists()


def test_missing_public_keys_refuse_the_start(tmp_path: Path) -> None:
    init_data_dir(tmp_path, demo_office=True)
    shutil.rmtree(tmp_path / "keys" / "public")
    result = _serve(tmp_path)
    assert result.returncode == 2 and "keys/public/" in result.stderr and "backup" in result.stderr


def test_init_keeps_the_data_to_the_servers_user(tmp_path: Path) -> None:
    data_dir = tmp_path / "office"
    init_data_dir(data_dir, demo_office=True)
    with sqlite3.connect(data_dir / "townhall.db") as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS probe (x)")
        files = [data_dir / "office.toml", *data_dir.glob("townhall.db*"), data_dir / "keys" / "signing.key"]
        assert len(files) >= 4
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700


def test_a_loose_data_directory_is_named_in_a_warning(server_factory: ServerFactory) -> None:
    server = server_factory(start=False)
    (server.data_dir / "office.toml").chmod(0o644)
    server.start()
    server.stop()
    assert "office.toml can be read by other users: chmod 600" in server.log_path.read_text()


def test_query_tokens_only_where_a_browser_cannot_send_a_header(live_server: LiveServer) -> None:
    token = live_server.tokens["display"]
    assert httpx.get(f"{live_server.url}/api/v1/board?token={token}").status_code == 401
    # a calendar program subscribes to the clerks' feed by its address: ?token= is taken there
    counter = live_server.tokens["counter:1"]
    assert httpx.get(f"{live_server.url}/api/v1/calendar/office.ics?token={counter}").status_code == 200
    with live_server.client("display") as display:
        assert display.get("/api/v1/board").status_code == 200
    with connect(live_server.ws_url("display")) as ws:
        assert '"snapshot"' in str(ws.recv(timeout=10))


def test_tokens_never_reach_the_log(server_factory: ServerFactory) -> None:
    server = server_factory(start=False)
    server.log_level = "info"
    server.start()
    with connect(server.ws_url("display")) as ws:
        ws.recv(timeout=10)
    server.stop()
    log = server.log_path.read_text()
    assert "token=***" in log
    assert server.tokens["display"] not in log


def test_a_revoked_token_is_refused_within_a_second(live_server: LiveServer) -> None:
    with live_server.client("kiosk") as kiosk:
        assert kiosk.get("/api/v1/services").status_code == 200
        with sqlite3.connect(live_server.data_dir / "townhall.db") as conn:
            conn.execute("UPDATE devices SET revoked_at = '2026-12-01T09:00:00+00:00' WHERE role = 'kiosk'")
        revoked_at = time.monotonic()
        while kiosk.get("/api/v1/services").status_code == 200:
            assert time.monotonic() - revoked_at < 1.5
            time.sleep(0.05)
        assert kiosk.get("/api/v1/services").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/counters", "/api/v1/devices/me"])
def test_every_http_route_takes_the_token_from_the_header(live_server: LiveServer, path: str) -> None:
    token = live_server.tokens["admin"]
    assert httpx.get(f"{live_server.url}{path}?token={token}").status_code == 401
