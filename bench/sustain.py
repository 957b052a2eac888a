"""Sustained load: check-ins and Nexts at fixed rates for a while, displays connected.

Open loop: request k is due at start + k / rate whatever the server does, and its
latency counts from when it was due (a late server is not let off by a slower client).
A counter's Nexts are one at a time (a clerk presses again only after the answer).
The displays (`?board=1`) live in their own process so that draining their messages
does not delay this one's clock. Shed: answers 429/503, errors, timeouts, and what is
still unanswered 30 s after the last request was due.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from typing import Any

import httpx

from .fanout import connect_all
from .harness import LiveServer
from .load_bench import COUNTERS, SERVICES
from .measure import CpuMeter, summary

SHED = {429, 503}
GRACE_S = 30.0


def _displays_main(url: str, count: int, ready: Any) -> None:
    async def run() -> None:
        clients = await connect_all(url, count)
        ready.set()

        async def drain(ws: Any) -> None:
            async for _ in ws:
                pass

        await asyncio.gather(*(drain(ws) for ws in clients), return_exceptions=True)

    asyncio.run(run())


def start_displays(url: str, count: int) -> multiprocessing.Process:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    process = ctx.Process(target=_displays_main, args=(url, count, ready), daemon=True)
    process.start()
    if not ready.wait(120):
        process.kill()
        raise RuntimeError(f"{count} displays did not connect")
    return process


class Load:
    def __init__(self, server: LiveServer, http: httpx.AsyncClient) -> None:
        self.server, self.http = server, http
        self.latencies: dict[str, list[float]] = {"checkin": [], "next": []}
        self.statuses: dict[str, dict[int, int]] = {"checkin": {}, "next": {}}
        self.locks = {c: asyncio.Lock() for c in COUNTERS}

    def auth(self, device: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.server.tokens[device]}", "Idempotency-Key": str(uuid.uuid4())}

    def _count(self, kind: str, status: int, due: float) -> None:
        self.statuses[kind][status] = self.statuses[kind].get(status, 0) + 1
        if status not in SHED and status > 0:
            self.latencies[kind].append((time.perf_counter() - due) * 1000)

    async def _send(self, kind: str, due: float, path: str, device: str, body: Any = None) -> None:
        try:
            answer = await self.http.post(path, json=body, headers=self.auth(device))
            status = answer.status_code
        except httpx.HTTPError:
            status = 0
        self._count(kind, status, due)

    async def checkin(self, k: int, due: float) -> None:
        await self._send("checkin", due, "/api/v1/checkins", "kiosk", {"service_id": SERVICES[k % 5]})

    async def next(self, k: int, due: float) -> None:
        counter = COUNTERS[k % len(COUNTERS)]
        async with self.locks[counter]:
            await self._send("next", due, f"/api/v1/counters/{counter}/next?previous=done", f"counter:{counter}")


async def _schedule(action: Any, rate: float, seconds: float, start: float) -> None:
    tasks = []
    for k in range(int(rate * seconds)):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(action(k, due)))
    await asyncio.gather(*tasks)


async def _run(server: LiveServer, seconds: float, checkins: float, nexts: float, prefill: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
        load = Load(server, http)
        for c in COUNTERS:
            await http.post(f"/api/v1/counters/{c}/state", json={"state": "open"}, headers=load.auth(f"counter:{c}"))
        for k in range(prefill):
            await load.checkin(k, time.perf_counter())
        load.latencies["checkin"].clear()
        load.statuses["checkin"].clear()
        assert server.process is not None
        start = time.perf_counter() + 0.1
        client_cpu = time.process_time()
        with CpuMeter(server.process.pid).measure() as cpu:
            try:  # what is not answered GRACE_S after the last was due counts as shed
                await asyncio.wait_for(asyncio.gather(_schedule(load.checkin, checkins, seconds, start),
                                                      _schedule(load.next, nexts, seconds, start)),
                                       seconds + GRACE_S)
            except TimeoutError:
                pass
        took = time.perf_counter() - start
        client_cpu = time.process_time() - client_cpu
    result = _report(load, seconds, took, cpu.ms, {"checkin": checkins, "next": nexts})
    # the load generator's own CPU: near 1.0 means the client, not the server, set the pace
    return {**result, "client_cpu_share": round(client_cpu / took, 2)}


def _report(load: Load, seconds: float, took: float, cpu_ms: float, rates: dict[str, float]) -> dict[str, Any]:
    out: dict[str, Any] = {"seconds": seconds, "took_s": round(took, 1), "server_cpu_share": round(cpu_ms / 1000 / took, 2)}
    everything: list[float] = []
    for kind, rate in rates.items():
        ok = sum(n for status, n in load.statuses[kind].items() if 200 <= status < 300)
        unanswered = int(rate * seconds) - sum(load.statuses[kind].values())
        shed = unanswered + sum(n for status, n in load.statuses[kind].items() if status in SHED or status == 0)
        out[kind] = {"asked_per_s": rate, "done_per_s": round(ok / took, 1), "shed": shed,
                     "statuses": {str(k): v for k, v in sorted(load.statuses[kind].items())},
                     **summary(load.latencies[kind])}
        everything += load.latencies[kind]
    out["all"] = summary(everything)
    out["shed"] = out["checkin"]["shed"] + out["next"]["shed"]
    return out


def sustain(server: LiveServer, *, seconds: float, checkins: float = 30, nexts: float = 20,
            displays: int = 200, prefill: int = 100) -> dict[str, Any]:
    swarm = start_displays(server.ws_url("display") + "&board=1", displays) if displays else None
    try:
        result = asyncio.run(_run(server, seconds, checkins, nexts, prefill))
    finally:
        if swarm is not None:
            swarm.kill()
            swarm.join(10)
    return {**result, "displays": displays}
