"""Printer benchmarks: the real server, the real print agent process, the ESC/POS emulator on TCP.

    python -m bench.printer_bench [--checkins 200] [--burst 20] [--status-changes 20] [--json]

1. time from a kiosk's check-in request to the ticket's last byte (the cut) at the
   printer, one visitor at a time and in a burst (goal: p99 under 300 ms);
2. time from the printer changing its status to `printer.status` reaching a
   websocket client of the server, with the agent's default 1 s status poll
   (goal: under 2 s).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

from counter_server.cli import init_data_dir
from printers.emulator import EmulatedStatus, Emulator

from .harness import LiveServer, printer_agent_command, stop_process

CLOCK = "2026-12-01T08:05"
SERVICES = ["ausweis", "anmeldung", "pass", "abholung", "bescheinigung"]
PRINTER_ID = "bench"
PRINTERS_TOML = f"""

[[printers]]
id = "{PRINTER_ID}"
name = "Benchmark printer"
paper_mm = 80
kiosks = ["kiosk"]
agent = "printer"
"""


def summary(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))], 1)

    return {
        "n": len(ordered),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(ordered[-1], 1),
    }


class Bench:
    """Server, emulator and agent for one run, in a temporary folder."""

    def __init__(self, root: Path, *, status_interval: float) -> None:
        self.root = root
        data_dir = root / "office"
        init_data_dir(data_dir, demo_office=True)
        config = data_dir / "office.toml"
        config.write_text(config.read_text(encoding="utf-8") + PRINTERS_TOML, encoding="utf-8")
        self.server = LiveServer.prepare(data_dir, CLOCK)
        self.emulator = Emulator(out_dir=root / "paper", port=0, render_png=False)
        self.status_interval = status_interval
        self.agent: subprocess.Popen[bytes] | None = None
        self.arrivals: dict[str, float] = {}
        self._seen = 0

    def start(self) -> None:
        self.server.start()
        self.emulator.start()
        command = printer_agent_command(
            server=self.server.url,
            token=self.server.tokens["printer"],
            printer=self.emulator.address,
            state_dir=self.root / "agent",
            status_interval=self.status_interval,
        )
        log = (self.root / "agent.log").open("ab")
        self.agent = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self._wait(lambda: self.printer_status() == "ok", 20, "agent reports the printer ok")

    def stop(self) -> None:
        stop_process(self.agent)
        self.emulator.stop()
        self.server.stop()

    def printer_status(self) -> str:
        with self.server.client("display") as display:
            return str(display.get("/api/v1/printers").json()["printers"][0]["status"])

    def _wait(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise RuntimeError(f"not within {timeout}s: {what}")
            time.sleep(0.02)

    def arrival_of(self, number: str, timeout: float = 10) -> float:
        """Wall time the ticket with `number` was cut at the emulator."""
        deadline = time.monotonic() + timeout
        while number not in self.arrivals:
            for ticket in self.emulator.wait_for_tickets(self._seen + 1, timeout=0.05)[
                self._seen :
            ]:
                lines = ticket.text.splitlines()
                found = next((line for line in lines if len(line) == 4 and line[1:].isdigit()), "")
                self.arrivals[found] = ticket.received_at
                self._seen += 1
            if time.monotonic() > deadline:
                raise RuntimeError(f"ticket {number} never printed")
        return self.arrivals[number]


def _check_in(kiosk: httpx.Client, index: int) -> tuple[float, float, str]:
    """(wall time sent, wall time answered, ticket number)."""
    started = time.time()
    response = kiosk.post(
        "/api/v1/checkins",
        json={"service_id": SERVICES[index % len(SERVICES)]},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    response.raise_for_status()
    return started, time.time(), str(response.json()["ticket"]["number"])


def _serve_some(bench: Bench, clerks: dict[str, httpx.Client], index: int) -> None:
    """Clerks call now and then so the queue stays at a busy morning's length."""
    counter = list(clerks)[index % len(clerks)]
    clerk = clerks[counter]
    clerk.post(f"/api/v1/counters/{counter}/next?previous=done", headers={"Idempotency-Key": str(uuid.uuid4())})


def bench_one_by_one(bench: Bench, count: int, gap_s: float) -> dict[str, float]:
    clerks = {str(n): bench.server.client(f"counter:{n}") for n in range(1, 9)}
    for counter, clerk in clerks.items():
        clerk.post(f"/api/v1/counters/{counter}/state", json={"state": "open"})
    latencies = []
    with bench.server.client("kiosk") as kiosk:
        for index in range(count):
            started, _, number = _check_in(kiosk, index)
            latencies.append((bench.arrival_of(number) - started) * 1000)
            if index % 2:
                _serve_some(bench, clerks, index)
            time.sleep(gap_s)
    for clerk in clerks.values():
        clerk.close()
    return summary(latencies)


def bench_burst(bench: Bench, size: int) -> dict[str, dict[str, float]]:
    """`size` kiosks checking in at the same moment: the answer, then the printed ticket."""
    barrier = threading.Barrier(size)

    def one(index: int) -> tuple[float, float, str]:
        with bench.server.client("kiosk") as kiosk:
            barrier.wait()
            return _check_in(kiosk, index)

    with ThreadPoolExecutor(size) as pool:
        timings = list(pool.map(one, range(size)))
    return {
        "checkin_answer": summary([(answered - t) * 1000 for t, answered, _ in timings]),
        "last_byte": summary([(bench.arrival_of(n, 30) - t) * 1000 for t, _, n in timings]),
    }


def bench_status(bench: Bench, changes: int) -> dict[str, float]:
    latencies = []
    url = f"ws://127.0.0.1:{bench.server.port}/api/v1/events?token={bench.server.tokens['display']}"
    with connect(url) as ws:
        for index in range(changes):
            target = EmulatedStatus.PAPER_OUT if index % 2 == 0 else EmulatedStatus.OK
            time.sleep(0.3 + (index % 7) * 0.13)  # land at varied points of the poll cycle
            started = time.monotonic()
            bench.emulator.set_status(target)
            while True:
                event = json.loads(ws.recv(timeout=10))
                if event["type"] == "printer.status" and event["data"]["status"] == target.value:
                    break
            latencies.append((time.monotonic() - started) * 1000)
    return summary(latencies)


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="printer-bench-") as tmp:
        bench = Bench(Path(tmp), status_interval=args.status_interval)
        bench.start()
        try:
            return {
                "checkin_to_last_byte_one_by_one": bench_one_by_one(bench, args.checkins, 0.05),
                f"checkin_to_last_byte_burst_of_{args.burst}": bench_burst(bench, args.burst),
                "status_change_to_event": bench_status(bench, args.status_changes),
                "status_interval_s": args.status_interval,
            }
        finally:
            bench.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.printer_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--checkins", type=int, default=200)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--status-changes", type=int, default=20)
    parser.add_argument("--status-interval", type=float, default=1.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = run(args)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, figures in results.items():
            print(f"{name:42} {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
