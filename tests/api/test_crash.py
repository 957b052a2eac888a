"""SIGKILL during a burst of check-ins: every acknowledged ticket survives, numbering goes on."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid

import httpx

from tests.conftest import LiveServer


def burst(server: LiveServer, acknowledged: list[str], stop: threading.Event) -> None:
    with server.client("kiosk") as kiosk:
        while not stop.is_set():
            try:
                answer = kiosk.post("/api/v1/checkins", json={"service_id": "abholung"},
                                    headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=2)
            except httpx.HTTPError:
                return
            if answer.status_code == 201:
                acknowledged.append(answer.json()["ticket"]["number"])


def test_kill_during_burst_loses_no_acknowledged_ticket(live_server: LiveServer) -> None:
    acknowledged: list[str] = []
    stop = threading.Event()
    workers = [threading.Thread(target=burst, args=(live_server, acknowledged, stop)) for _ in range(4)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    live_server.kill()
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    assert len(acknowledged) >= 60

    with sqlite3.connect(live_server.data_dir / "townhall.db") as conn:
        stored = {row[0] for row in conn.execute("SELECT number FROM tickets")}
    assert set(acknowledged) <= stored
    assert len(acknowledged) == len(set(acknowledged))

    live_server.start()
    with live_server.client("kiosk") as kiosk:
        after = kiosk.post("/api/v1/checkins", json={"service_id": "abholung"},
                           headers={"Idempotency-Key": str(uuid.uuid4())}).json()["ticket"]["number"]
    highest = max(int(n[1:]) for n in stored)
    assert after == f"H{highest + 1:03d}"
