"""Issue 19: backups made during a burst of check-ins restore and serve the same board;
a broken backup, a running server and a newer database are refused."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import httpx
import pytest

from bench.harness import free_port
from counter_server import backup
from counter_server.paths import StartRefused
from counter_server.serve_cli import backup_before_migrating
from tests.conftest import DEFAULT_CLOCK, LiveServer, ServerFactory


def townhall(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "counter_server.cli", *args],
                          capture_output=True, text=True, timeout=120)


def _burst(server: LiveServer, stop: threading.Event, acked: list[str]) -> None:
    with server.client("kiosk") as kiosk:
        while not stop.is_set():
            answer = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"},
                                headers={"Idempotency-Key": str(uuid.uuid4())})
            if answer.status_code == 201:
                acked.append(answer.json()["ticket"]["id"])


def _tickets(db: Path) -> set[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return {tuple(row) for row in conn.execute("SELECT id, number, state FROM tickets")}  # type: ignore[misc]


def _board(server: LiveServer) -> dict[str, object]:
    """The board without what depends on the running clock (estimates, now)."""
    with server.client("display") as display:
        board = display.get("/api/v1/board").json()
    waiting = sorted((w["service_id"], w["waiting"]) for w in board["waiting"])
    return {"seq": board["seq"], "waiting": waiting, "total": board["waiting_total"], "current": board["current"]}


def test_backup_during_check_ins_restores_and_serves_the_same_board(
        server_factory: ServerFactory, tmp_path: Path) -> None:
    server = server_factory()
    stop, acked = threading.Event(), []
    burst = threading.Thread(target=_burst, args=(server, stop, acked))
    burst.start()
    try:
        while len(acked) < 10:
            stop.wait(0.05)
        during = townhall("backup", "--data-dir", str(server.data_dir), "--to", str(tmp_path / "b"))
    finally:
        stop.set()
        burst.join()
    assert during.returncode == 0, during.stderr
    [mid] = backup.existing(tmp_path / "b")
    assert backup.problems(mid) == []
    assert {t[0] for t in _tickets(mid / "townhall.db")} >= set(acked[:10])
    final = townhall("backup", "--data-dir", str(server.data_dir), "--to", str(tmp_path / "b"), "--keep", "1")
    assert final.returncode == 0 and "removed old backup" in final.stdout
    [last] = backup.existing(tmp_path / "b")
    board = _board(server)
    server.stop()

    restored_dir = tmp_path / "restored"
    answer = townhall("restore", "--data-dir", str(restored_dir), "--from", str(last))
    assert answer.returncode == 0, answer.stderr
    assert _tickets(restored_dir / "townhall.db") == _tickets(server.data_dir / "townhall.db")
    assert {t[0] for t in _tickets(restored_dir / "townhall.db")} >= set(acked)
    restored = LiveServer(data_dir=restored_dir, port=free_port(), tokens=server.tokens, clock=DEFAULT_CLOCK)
    restored.start()
    try:
        assert _board(restored) == board  # the old device tokens work, the same visitors wait
    finally:
        restored.stop()


def test_a_corrupted_backup_is_refused(live_server: LiveServer, tmp_path: Path) -> None:
    made = backup.backup(live_server.data_dir, tmp_path / "b").path
    db = made / "townhall.db"
    data = bytearray(db.read_bytes())
    data[4096:8192] = b"\xa5" * 4096  # a page of garbage, as a bad disk leaves it
    db.write_bytes(bytes(data))
    target = tmp_path / "target"
    answer = townhall("restore", "--data-dir", str(target), "--from", str(made))
    assert answer.returncode == 2
    assert "refused" in answer.stderr and "integrity_check failed" in answer.stderr
    assert not (target / "townhall.db").exists()
    (made / "townhall.db").write_bytes(b"not a database")
    assert townhall("restore", "--data-dir", str(target), "--from", str(made)).returncode == 2


def test_restore_is_refused_while_a_server_runs(live_server: LiveServer, tmp_path: Path) -> None:
    made = backup.backup(live_server.data_dir, tmp_path / "b").path
    answer = townhall("restore", "--data-dir", str(live_server.data_dir), "--from", str(made))
    assert answer.returncode == 2 and "stop it before a restore" in answer.stderr
    assert httpx.get(live_server.url + "/health").status_code == 200


def test_a_newer_database_is_refused_and_a_migration_is_backed_up_first(
        server_factory: ServerFactory, tmp_path: Path) -> None:
    server = server_factory(start=False)
    db = server.data_dir / "townhall.db"
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM _migrations WHERE name = (SELECT name FROM _migrations ORDER BY rowid DESC LIMIT 1)")
    made = backup_before_migrating(server.data_dir)
    assert made is not None and backup.problems(made) == []
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', '2030-01-01')")
    answer = townhall("serve", "--data-dir", str(server.data_dir), "--port", str(free_port()))
    assert answer.returncode == 2 and "newer townhall" in answer.stderr and "m999_from_the_future" in answer.stderr
    with pytest.raises(StartRefused):
        _refuse_newer(db)


def _refuse_newer(db: Path) -> None:
    from counter_server.store import Store

    Store(db).close()
