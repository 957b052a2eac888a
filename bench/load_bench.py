"""Cost per request as the queue grows: check-in, Next, board and clerk view at N waiting.

All eight counters are open (so every estimate runs its forward run); the queue is
filled through `POST /api/v1/checkins`. At each length: ten check-ins, then ten Nexts
(rotating over the counters, `previous=done`), which bring the queue back, and so on;
the server's CPU is read from /proc around each group of ten. Then reads: the board and the
clerk view right after an event (cold: the estimate cache is stale) and again (warm).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from typing import Any

import httpx

from .harness import LiveServer
from .measure import CpuMeter, elapsed_ms, summary

SERVICES = ["ausweis", "anmeldung", "pass", "abholung", "bescheinigung"]
COUNTERS = [str(n) for n in range(1, 9)]


def new_key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


class Desk:
    """A kiosk and the eight clerks of one server, as sync HTTP clients."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.kiosk = server.client("kiosk")
        self.clerks = {c: server.client(f"counter:{c}") for c in COUNTERS}
        self.display = server.client("display")
        self.cpu = CpuMeter(server.process.pid if server.process else 0)
        # those a finished day left waiting (a Next finds nobody its counter serves) count too
        self.waiting = waiting_count(server)
        self._turn = 0

    def close(self) -> None:
        for client in (self.kiosk, self.display, *self.clerks.values()):
            client.close()

    def open_counters(self) -> None:
        for c, clerk in self.clerks.items():
            clerk.post(f"/api/v1/counters/{c}/state", json={"state": "open"}).raise_for_status()

    def check_in(self) -> float:
        started = time.perf_counter()
        answer = self.kiosk.post("/api/v1/checkins", json={"service_id": SERVICES[self.waiting % 5]},
                                 headers=new_key())
        took = elapsed_ms(started)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert "position" in body and "eta_min" in body, body
        self.waiting += 1
        return took

    def next(self) -> float:
        counter = COUNTERS[self._turn % len(COUNTERS)]
        self._turn += 1
        started = time.perf_counter()
        answer = self.clerks[counter].post(f"/api/v1/counters/{counter}/next?previous=done", headers=new_key())
        took = elapsed_ms(started)
        assert answer.status_code in (200, 204), answer.text
        if answer.status_code == 200 and answer.json().get("ticket"):
            self.waiting -= 1
        return took

    def fill(self, target: int) -> None:
        while self.waiting < target:
            self.check_in()

    def timed_get(self, client: httpx.Client, path: str) -> float:
        started = time.perf_counter()
        answer = client.get(path)
        took = elapsed_ms(started)
        assert answer.status_code == 200, answer.text
        return took


STEP = 10  # check-ins, then as many Nexts: the queue stays within STEP of its length


def batches(desk: Desk, count: int) -> tuple[dict[str, float], dict[str, float]]:
    """`count` check-ins and `count` Nexts in steps of STEP, so the queue keeps its length;
    the server's CPU read around each step (its clock ticks are 10 ms: summed over steps)."""
    took: dict[str, list[float]] = {"checkin": [], "next": []}
    cpu_ms = {"checkin": 0.0, "next": 0.0}
    done = 0
    while done < count:
        step = min(STEP, count - done)
        for kind, action in (("checkin", desk.check_in), ("next", desk.next)):
            with desk.cpu.measure() as cpu:
                took[kind] += [action() for _ in range(step)]
            cpu_ms[kind] += cpu.ms
        done += step
    return tuple(  # type: ignore[return-value]
        {**summary(took[kind]), "cpu_ms_per_request": round(cpu_ms[kind] / max(1, count), 2)}
        for kind in ("checkin", "next")
    )


def reads(desk: Desk, count: int) -> dict[str, dict[str, float]]:
    """Board and clerk view, each right after an event (cold) and once more (warm)."""
    found: dict[str, list[float]] = {"board_cold": [], "board_warm": [], "clerk_cold": [], "clerk_warm": []}
    clerk = desk.clerks["8"]
    for i in range(count):
        desk.check_in() if i % 2 == 0 else desk.next()
        found["board_cold"].append(desk.timed_get(desk.display, "/api/v1/board"))
        found["board_warm"].append(desk.timed_get(desk.display, "/api/v1/board"))
        desk.next() if i % 2 == 0 else desk.check_in()
        found["clerk_cold"].append(desk.timed_get(clerk, "/api/v1/counters/8/queue"))
        found["clerk_warm"].append(desk.timed_get(clerk, "/api/v1/counters/8/queue"))
    return {name: summary(values) for name, values in found.items()}


def measure_level(desk: Desk, waiting: int, count: int) -> dict[str, Any]:
    desk.fill(waiting)
    result: dict[str, Any] = {"waiting": waiting}
    result["checkin"], result["next"] = batches(desk, count)
    result.update(reads(desk, count))
    return result


def queue_lengths(server: LiveServer, lengths: list[int], count: int) -> list[dict[str, Any]]:
    desk = Desk(server)
    try:
        desk.open_counters()
        for _ in range(20):  # warm up: first requests after a start pay for lazy imports
            desk.check_in()
            desk.next()
        return [measure_level(desk, n, count) for n in lengths]
    finally:
        desk.close()


async def finished_day(server: LiveServer, tickets: int) -> None:
    """`tickets` visits checked in and finished (Next with previous=done), eight counters at once."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        kiosk = {"Authorization": f"Bearer {server.tokens['kiosk']}"}

        async def counter_loop(counter: str, share: int) -> None:
            clerk = {"Authorization": f"Bearer {server.tokens['counter:' + counter]}"}
            await http.post(f"/api/v1/counters/{counter}/state", json={"state": "open"}, headers=clerk)
            for i in range(share):
                service = SERVICES[(int(counter) + i) % 5]
                await http.post("/api/v1/checkins", json={"service_id": service}, headers={**kiosk, **new_key()})
                await http.post(f"/api/v1/counters/{counter}/next?previous=done", headers={**clerk, **new_key()})
            await http.post(f"/api/v1/counters/{counter}/next?previous=done", headers={**clerk, **new_key()})

        # a Next may find nobody this counter serves: go on until `tickets` are done
        while (missing := tickets - finished_count(server)) > 0:
            share = -(-missing // len(COUNTERS))
            await asyncio.gather(*(counter_loop(c, share) for c in COUNTERS))


def finished_count(server: LiveServer) -> int:
    """How many visits of the day are done, read from the data directory's database."""
    return tickets_in(server, "done")


def waiting_count(server: LiveServer) -> int:
    return tickets_in(server, "waiting")


def tickets_in(server: LiveServer, state: str) -> int:
    """How many tickets are in `state`, read from the data directory's database."""
    db = sqlite3.connect(server.data_dir / "townhall.db")
    try:
        return int(db.execute("SELECT count(*) FROM tickets WHERE state = ?", [state]).fetchone()[0])
    finally:
        db.close()


def with_finished_day(server: LiveServer, tickets: int, waiting: int, count: int) -> dict[str, Any]:
    """A day with `tickets` finished visits, then the figures at `waiting` waiting, and the RSS."""
    started = time.perf_counter()
    asyncio.run(finished_day(server, tickets))
    day_s = round(elapsed_ms(started) / 1000, 1)
    done = finished_count(server)
    level = queue_lengths(server, [waiting], count)[0]
    return {"finished": done, "day_s": day_s, "rss_mb": round(server.rss_mb(), 1), **level}
