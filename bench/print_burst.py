"""A burst of kiosks checking in at once, printed by the real print agent on the ESC/POS
emulator over TCP: the time from each request to its ticket's last byte (the cut).

The queue is first filled to `waiting` by a second kiosk that has no printer, so the
printer only gets the burst's tickets.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from counter_server.auth import add_device
from counter_server.store import Store

from .measure import summary
from .printer_bench import Bench, _check_in

SERVICES = ["ausweis", "anmeldung", "pass", "abholung", "bescheinigung"]


def add_kiosk(data_dir: Path, name: str) -> str:
    store = Store(data_dir / "townhall.db")
    try:
        _, token = store.write_sync(
            lambda tx: add_device(tx.db, role="kiosk", name=name, now=tx.now, counter_id=None),
            now=datetime.now(UTC),
        )
    finally:
        store.close()
    return str(token)


def fill(bench: Bench, token: str, waiting: int) -> None:
    import httpx

    with httpx.Client(base_url=bench.server.url, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as kiosk:
        for c in range(1, 9):
            with bench.server.client(f"counter:{c}") as clerk:
                clerk.post(f"/api/v1/counters/{c}/state", json={"state": "open"}).raise_for_status()
        for i in range(waiting):
            kiosk.post("/api/v1/checkins", json={"service_id": SERVICES[i % 5]},
                       headers={"Idempotency-Key": str(uuid.uuid4())}).raise_for_status()


def burst_once(bench: Bench, size: int) -> tuple[list[float], list[float]]:
    """`size` kiosk clients at one barrier: (answer ms, last byte at the printer ms) of each."""
    barrier = threading.Barrier(size)
    clients = [bench.server.client("kiosk") for _ in range(size)]

    def one(index: int) -> tuple[float, float, str]:
        barrier.wait()
        return _check_in(clients[index], index)

    try:
        with ThreadPoolExecutor(size) as pool:
            timings = list(pool.map(one, range(size)))
    finally:
        for client in clients:
            client.close()
    answers = [(answered - sent) * 1000 for sent, answered, _ in timings]
    last_bytes = [(bench.arrival_of(number, 30) - sent) * 1000 for sent, _, number in timings]
    return answers, last_bytes


@contextmanager
def print_rig(root: Path) -> Iterator[tuple[Bench, str]]:
    """Server (with a network printer for "kiosk"), emulator and agent, started; and a
    second kiosk's token ("kiosk-bulk", no printer) for filling the queue."""
    bench = Bench(root, status_interval=1.0)
    token = add_kiosk(bench.server.data_dir, "kiosk-bulk")
    bench.start()
    try:
        yield bench, token
    finally:
        bench.stop()


def print_bursts(bench: Bench, token: str, size: int, bursts: int, waiting: int) -> dict[str, Any]:
    fill(bench, token, waiting)
    answers: list[float] = []
    last_bytes: list[float] = []
    for _ in range(bursts):
        answered, printed = burst_once(bench, size)
        answers += answered
        last_bytes += printed
        time.sleep(0.5)
    return {"burst": size, "bursts": bursts, "waiting": waiting,
            "checkin_answer": summary(answers), "last_byte": summary(last_bytes)}
