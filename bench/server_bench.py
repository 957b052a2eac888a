"""Server benchmarks on loopback, against the real `townhall serve` and a real SQLite file.

    python -m bench.server_bench [--checkins 400] [--displays 200] [--nexts 40] [--json]

1. check-in latency (durability FULL: WAL + synchronous=FULL, answer after commit);
2. time from a clerk's Next to `ticket.called` at N connected display websockets,
   next to a bare `websockets` broadcast of the same message in the same run;
3. server resident memory after a simulated day (300 tickets, 50 displays).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import websockets

from .harness import LiveServer

CLOCK = "2026-12-01T08:05"
SERVICES = ["ausweis", "anmeldung", "pass", "abholung", "bescheinigung"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(max(values), 2),
        "mean_ms": round(statistics.fmean(values), 2),
    }


def checkin(kiosk: httpx.Client, service: str) -> httpx.Response:
    return kiosk.post("/api/v1/checkins", json={"service_id": service},
                      headers={"Idempotency-Key": str(uuid.uuid4())})


def bench_checkins(server: LiveServer, count: int, *, backlog: int) -> dict[str, float]:
    """Check-ins while clerks keep calling, so that about `backlog` visitors wait (a busy
    morning); backlog 0 lets the queue grow without anybody being served."""
    counters = [str(n) for n in range(1, 9)]
    clerks = {c: server.client(f"counter:{c}") for c in counters}
    latencies = []
    waiting = 0
    with server.client("kiosk") as kiosk:
        if backlog:
            for c in counters:
                clerks[c].post(f"/api/v1/counters/{c}/state", json={"state": "open"})
        for i in range(count):
            started = time.perf_counter()
            answer = checkin(kiosk, SERVICES[i % len(SERVICES)])
            latencies.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 201, answer.text
            waiting += 1
            while backlog and waiting > backlog:
                c = counters[i % len(counters)]
                i += 1
                if clerks[c].post(f"/api/v1/counters/{c}/next?previous=done", headers={"Idempotency-Key": str(uuid.uuid4())}).status_code == 200:
                    waiting -= 1
    for clerk in clerks.values():
        clerk.close()
    return {**summary(latencies), "backlog": backlog}


async def _connect_all(urls: list[str]) -> list[Any]:
    clients = []
    for url in urls:
        ws = await websockets.connect(url, max_size=None)
        await ws.recv()  # snapshot
        clients.append(ws)
    return clients


async def _await_type(ws: Any, type_: str, sent_at: list[float], out: list[float]) -> None:
    while True:
        message = json.loads(await ws.recv())
        if message.get("type") == type_:
            out.append((time.perf_counter() - sent_at[0]) * 1000)
            return


async def bench_next_fanout(server: LiveServer, displays: int, rounds: int) -> tuple[dict[str, float], str]:
    with server.client("counter:8") as clerk:
        clerk.post("/api/v1/counters/8/state", json={"state": "open"})
    with server.client("kiosk") as kiosk:
        for _ in range(rounds):
            checkin(kiosk, "abholung")
    clients = await _connect_all([server.ws_url("display")] * displays)
    latencies: list[float] = []
    sample = ""
    async with httpx.AsyncClient(base_url=server.url, headers={"Authorization": f"Bearer {server.tokens['counter:8']}"}) as clerk:
        for _ in range(rounds):
            sent_at = [0.0]
            waiters = [asyncio.create_task(_await_type(ws, "ticket.called", sent_at, latencies)) for ws in clients]
            await asyncio.sleep(0.05)
            sent_at[0] = time.perf_counter()
            answer = await clerk.post("/api/v1/counters/8/next?previous=done", headers={"Idempotency-Key": str(uuid.uuid4())})
            sample = answer.text
            await asyncio.wait_for(asyncio.gather(*waiters), 30)
    for ws in clients:
        await ws.close()
    return summary(latencies), sample


async def bench_bare_broadcast(displays: int, rounds: int, message: str) -> dict[str, float]:
    """The floor: a plain websockets server relaying one message to every client."""
    members: set[Any] = set()

    async def handler(ws: Any) -> None:
        members.add(ws)
        await ws.send("{}")
        try:
            async for text in ws:
                websockets.broadcast(set(members) - {ws}, text)
        finally:
            members.discard(ws)

    async with websockets.serve(handler, "127.0.0.1", 0) as bare:
        port = next(iter(bare.sockets)).getsockname()[1]
        url = f"ws://127.0.0.1:{port}"
        clients = await _connect_all([url] * displays)
        trigger = await websockets.connect(url)
        await trigger.recv()
        latencies: list[float] = []
        for _ in range(rounds):
            sent_at = [0.0]
            waiters = [asyncio.create_task(_await_type(ws, "ticket.called", sent_at, latencies)) for ws in clients]
            await asyncio.sleep(0.05)
            sent_at[0] = time.perf_counter()
            await trigger.send(message)
            await asyncio.wait_for(asyncio.gather(*waiters), 30)
        for ws in [*clients, trigger]:
            await ws.close()
    return summary(latencies)


async def simulated_day(server: LiveServer, tickets: int, displays: int) -> float:
    clients = await _connect_all([server.ws_url("display")] * displays)

    async def drain(ws: Any) -> None:
        async for _ in ws:
            pass

    drains = [asyncio.create_task(drain(ws)) for ws in clients]
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        kiosk = {"Authorization": f"Bearer {server.tokens['kiosk']}"}
        counters = [str(n) for n in range(1, 9)]
        for counter in counters:
            await http.post(f"/api/v1/counters/{counter}/state", json={"state": "open"},
                            headers={"Authorization": f"Bearer {server.tokens['counter:' + counter]}"})
        for i in range(tickets):
            await http.post("/api/v1/checkins", json={"service_id": SERVICES[i % len(SERVICES)]},
                            headers={**kiosk, "Idempotency-Key": str(uuid.uuid4())})
            counter = counters[i % len(counters)]
            await http.post(f"/api/v1/counters/{counter}/next?previous=done",
                            headers={"Authorization": f"Bearer {server.tokens['counter:' + counter]}",
                                     "Idempotency-Key": str(uuid.uuid4())})
            if i % 10 == 0:
                await http.get("/api/v1/board", headers={"Authorization": f"Bearer {server.tokens['display']}"})
    await asyncio.sleep(1)
    rss = server.rss_mb()
    for task in drains:
        task.cancel()
    for ws in clients:
        await ws.close()
    return rss


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, backlog in (("checkin_latency", args.backlog), ("checkin_latency_unserved", 0)):
            server = LiveServer.prepare(Path(tmp) / name, CLOCK)
            server.start()
            try:
                results[name] = bench_checkins(server, args.checkins, backlog=backlog)
            finally:
                server.stop()
        server = LiveServer.prepare(Path(tmp) / "b", CLOCK)
        server.start()
        try:
            fanout, sample = asyncio.run(bench_next_fanout(server, args.displays, args.nexts))
        finally:
            server.stop()
        event = json.dumps({"seq": 1, "type": "ticket.called", "at": "2026-12-01T08:05:00+00:00",
                            "data": {"ticket": json.loads(sample)["ticket"], "counter": {"id": "8", "label": "Schalter 8", "room": "Raum E.04"}}})
        bare = asyncio.run(bench_bare_broadcast(args.displays, args.nexts, event))
        results["next_to_displays"] = {"server": fanout, "bare_websockets": bare,
                                       "p50_ratio": round(fanout["p50_ms"] / bare["p50_ms"], 2),
                                       "p99_ratio": round(fanout["p99_ms"] / bare["p99_ms"], 2),
                                       "displays": args.displays}
        server = LiveServer.prepare(Path(tmp) / "c", CLOCK)
        server.start()
        try:
            results["memory_after_day"] = {"rss_mb": round(asyncio.run(simulated_day(server, 300, 50)), 1),
                                           "tickets": 300, "displays": 50}
        finally:
            server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.server_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkins", type=int, default=400)
    parser.add_argument("--backlog", type=int, default=40, help="visitors kept waiting during check-ins")
    parser.add_argument("--displays", type=int, default=200)
    parser.add_argument("--nexts", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = run(args)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    n, m = results["next_to_displays"], results["memory_after_day"]
    for name in ("checkin_latency", "checkin_latency_unserved"):
        c = results[name]
        queue = f"~{c['backlog']} waiting" if c["backlog"] else f"queue grows to {c['n']}"
        print(f"check-in latency (n={c['n']}, {queue}): p50 {c['p50_ms']} ms   p99 {c['p99_ms']} ms   max {c['max_ms']} ms")
    print(f"Next -> {n['displays']} displays (server):  p50 {n['server']['p50_ms']} ms   p99 {n['server']['p99_ms']} ms")
    print(f"bare websockets broadcast:        p50 {n['bare_websockets']['p50_ms']} ms   p99 {n['bare_websockets']['p99_ms']} ms")
    print(f"ratio server / bare:              p50 {n['p50_ratio']}x   p99 {n['p99_ratio']}x")
    print(f"server RSS after a day ({m['tickets']} tickets, {m['displays']} displays): {m['rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
