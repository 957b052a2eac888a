"""Issue 19: the server's start line and request log, one server per data directory,
and SIGTERM to `townhall demo` stopping every child it started within 5 s."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx

from bench.harness import free_port
from tests.conftest import LiveServer, ServerFactory


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            found.append(int(status.parent.name))
    return found


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def _wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_serve_logs_start_and_every_request_as_json(server_factory: ServerFactory) -> None:
    server = server_factory(start=False)
    server.extra_args = ["--log-json"]
    server.start()
    with server.client("display") as display:
        display.get("/api/v1/board")
    httpx.get(server.url + "/api/v1/tickets/public/nope?token=secret")
    server.stop()
    lines = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    start = next(line for line in lines if line["msg"] == "starting")
    assert start["url"] == server.url and start["data_dir"] == str(server.data_dir) and start["version"]
    routes = {(line["route"], line["status"]) for line in lines if line["msg"] == "request"}
    assert ("/api/v1/board", 200) in routes
    assert ("/api/v1/tickets/public/{public_id}", 404) in routes
    assert "secret" not in server.log_path.read_text()
    assert any(line["msg"] == "stopped" for line in lines)


def _check_in_and_stop(server: LiveServer) -> list[str]:
    """One walk-in (a request and its event), then the server's log lines."""
    server.start()
    with server.client("kiosk") as kiosk:
        answer = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code == 201
    server.stop()
    return server.log_path.read_text().splitlines()


def test_each_event_gets_a_line_and_no_request_log_leaves_out_both(server_factory: ServerFactory) -> None:
    logged = _check_in_and_stop(server_factory(start=False))
    assert any(" msg=request " in line and "route=/api/v1/checkins " in line for line in logged)
    assert any(" msg=event type=ticket.created seq=" in line for line in logged)

    quiet = server_factory(start=False)
    quiet.extra_args = ["--no-request-log"]
    lines = _check_in_and_stop(quiet)
    assert any(" msg=starting " in line for line in lines)
    assert not any(" msg=request " in line or " msg=event " in line for line in lines), lines


def test_a_second_server_on_the_same_data_directory_is_refused(live_server: LiveServer) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "counter_server.cli", "serve", "--data-dir", str(live_server.data_dir),
         "--port", str(free_port())], capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert "another townhall server" in second.stderr and "already runs" in second.stderr
    assert httpx.get(live_server.url + "/health").status_code == 200


def _check_ins(url: str, token: str, stop: threading.Event, acked: list[str]) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=5) as kiosk:
        while not stop.is_set():
            try:
                answer = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"},
                                    headers={"Idempotency-Key": str(uuid.uuid4())})
            except httpx.HTTPError:
                continue
            if answer.status_code == 201:
                acked.append(answer.json()["ticket"]["id"])


def test_sigterm_to_demo_stops_every_child_and_frees_the_ports(tmp_path: Path) -> None:
    port, printer_port = free_port(), free_port()
    data_dir = tmp_path / "demo"
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "counter_server.cli", "demo", "--data-dir", str(data_dir), "--port", str(port),
             "--printer-port", str(printer_port), "--no-kiosk", "--clock", "2026-12-01T09:00"],
            stdout=out, stderr=subprocess.STDOUT)
    try:
        assert _wait_until(lambda: "Press Ctrl-C" in log.read_text() or demo.poll() is not None, 90)
        children = _children(demo.pid)
        assert len(children) == 3, (children, log.read_text())  # server, printer emulator, print agent
        token = json.loads((data_dir / "demo-tokens.json").read_text())["kiosk"]
        stop, acked = threading.Event(), []
        load = threading.Thread(target=_check_ins, args=(f"http://127.0.0.1:{port}", token, stop, acked))
        load.start()
        assert _wait_until(lambda: len(acked) >= 5, 30)
        started = time.monotonic()
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=5)
        stop.set()
        load.join()
        assert time.monotonic() - started < 5
        assert not [pid for pid in children if _alive(pid)]
        assert _port_free(port) and _port_free(printer_port)
    finally:
        if demo.poll() is None:
            demo.kill()
    with sqlite3.connect(data_dir / "townhall.db") as db:
        stored = {row[0] for row in db.execute("SELECT id FROM tickets")}
    assert set(acked) <= stored, "an acknowledged ticket was lost"
