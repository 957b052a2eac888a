"""The bare anchors, measured in the same run as the server: uvicorn + SQLite, and websockets."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from .harness import free_port, stop_process
from .measure import CpuMeter, elapsed_ms, summary


@contextmanager
def bare_process(kind: str, *extra: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`python -m bench.bare_servers KIND` on a free port, until its port answers."""
    port = free_port()
    command = [sys.executable, "-m", "bench.bare_servers", kind, "--port", str(port), *extra]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"bare {kind} server exited: {process.stderr and process.stderr.read()!r}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"bare {kind} server did not start") from None
                time.sleep(0.05)
        yield process, port
    finally:
        stop_process(process)


def _post_row(http: httpx.Client, i: int) -> float:
    started = time.perf_counter()
    answer = http.post("/rows", json={"service_id": "ausweis", "n": i})
    took = elapsed_ms(started)
    assert answer.status_code == 201, answer.text
    return took


def bare_sqlite(tmp: Path, count: int, burst: int) -> dict[str, Any]:
    """One row per request, one at a time (latency and CPU), then `burst` clients at once."""
    with bare_process("sqlite", "--db", str(tmp / "bare.db")) as (process, port):
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=10) as http:
            for i in range(20):
                _post_row(http, i)  # warm up
            with CpuMeter(process.pid).measure() as cpu:
                latencies = [_post_row(http, i) for i in range(count)]
        result: dict[str, Any] = {**summary(latencies), "cpu_ms_per_request": round(cpu.ms / count, 2)}
        result["burst"] = bare_burst(url, burst, rounds=max(1, count // 20))
        return result


def bare_burst(url: str, size: int, rounds: int) -> dict[str, float]:
    """`size` clients posting at the same moment, `rounds` times: every answer's latency."""
    clients = [httpx.Client(base_url=url, timeout=10) for _ in range(size)]
    latencies: list[float] = []
    try:
        with ThreadPoolExecutor(size) as pool:
            for _ in range(rounds):
                barrier = threading.Barrier(size)

                def one(i: int, barrier: threading.Barrier = barrier) -> float:
                    barrier.wait()
                    return _post_row(clients[i], i)

                latencies += list(pool.map(one, range(size)))
    finally:
        for client in clients:
            client.close()
    return summary(latencies)
