"""Next -> N display websockets, next to a bare `websockets` broadcast of the same bytes.

Displays connect as the display page does (counter_server/web/live.js with `board: true`):
`/api/v1/events?token=...&board=1`, so the server also pushes the board after each burst.
A round: every socket waits for `ticket.called`; a clerk presses Next; the round's figure
is the time until the *last* socket got it (the first socket's and every socket's times are
kept too: the first is the Next itself, request, transaction and commit; from first to last
is the broadcast and the client reading it). The bare broadcast relays the very messages
the server sent for the Next (every event of its commit, `ticket.finished` and
`ticket.called`: the same bytes), from a client, to the same number of sockets in another
process, each socket all of them before the next, and its round ends when every socket has
the last. Before stop 36 it relayed only `ticket.called`, about half the bytes and messages
(`--called-only` still does, for comparison with earlier runs). The two take
their rounds in turn, so both meet the same moments of a shared host (before stop 34 all the
server's rounds came first, then all the bare ones); `paired_ratio_p50` is the median of the
rounds' server/bare ratios. Next is sent as the bare's trigger is, as ready-made bytes on one
open connection (`RawNext`): through httpx the client's own work took about 1 ms of every
figure (stop 33). CPU: the server's, over paced Nexts with no display, and with N displays
from each Next until PACE_S after its last arrival (the board push); the difference per
event is what the displays cost.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from contextlib import nullcontext
from typing import Any

import httpx
import websockets

from .anchors import bare_process
from .bare_servers import SEPARATOR
from .harness import LiveServer
from .measure import CpuMeter, elapsed_ms, summary

PACE_S = 0.2  # between rounds: the board push (50 ms after an event) is out before the next


async def connect_all(url: str, count: int) -> list[Any]:
    async def one() -> Any:
        ws = await websockets.connect(url, max_size=None, compression=None, open_timeout=60)
        await ws.recv()  # the snapshot (or the bare server's hello)
        return ws

    clients: list[Any] = []
    for start in range(0, count, 50):
        clients += await asyncio.gather(*(one() for _ in range(min(50, count - start))))
    return clients


async def _last_arrival(clients: list[Any], trigger: Any, cpu: CpuMeter | None = None) -> tuple[float, list[float], list[str]]:
    """Run `trigger()`; wait until every client got `ticket.called`: (last ms, each ms, the
    messages the first client got for it, `ticket.called` last); (-1, [], []) when the trigger
    failed. With `cpu`, its process's CPU from the trigger to PACE_S after the last arrival
    (the board push, 50 ms after the event, falls into it)."""
    sent_at = [0.0]
    texts: list[str] = []

    async def wait(ws: Any, keep: list[str] | None) -> float:
        while True:
            text = await ws.recv()
            if keep is not None and sent_at[0]:
                keep.append(text)
            if '"ticket.called"' in text and json.loads(text).get("type") == "ticket.called":
                return elapsed_ms(sent_at[0])

    waiters = [asyncio.create_task(wait(ws, texts if n == 0 else None)) for n, ws in enumerate(clients)]
    await asyncio.sleep(PACE_S)
    with cpu.measure() if cpu else nullcontext():
        sent_at[0] = time.perf_counter()
        if not await trigger():
            for task in waiters:
                task.cancel()
            return -1.0, [], []
        each = list(await asyncio.wait_for(asyncio.gather(*waiters), 60))
        if cpu:
            await asyncio.sleep(PACE_S)
    return max(each), each, [t for t in texts if json.loads(t).get("type") != "board"]


class _Figures:
    """One side's rounds: the last and first socket of each round, and every socket."""

    def __init__(self) -> None:
        self.last: list[float] = []
        self.first: list[float] = []
        self.each: list[float] = []

    def add(self, latest: float, all_of_round: list[float]) -> None:
        if latest >= 0:
            self.last.append(latest)
            self.first.append(min(all_of_round))
            self.each += all_of_round

    def summary(self) -> dict[str, Any]:
        return {"last_socket": summary(self.last), "first_socket": summary(self.first),
                "each_socket": summary(self.each)}


class Clerk:
    """Counter 8 pressing Next (previous=done) over HTTP, without blocking the event loop."""

    def __init__(self, server: LiveServer, http: httpx.AsyncClient) -> None:
        self.server, self.http = server, http
        self.auth = {"Authorization": f"Bearer {server.tokens['counter:8']}"}

    async def prepare(self, tickets: int) -> None:
        await self.http.post("/api/v1/counters/8/state", json={"state": "open"}, headers=self.auth)
        kiosk = {"Authorization": f"Bearer {self.server.tokens['kiosk']}"}
        for _ in range(tickets):
            answer = await self.http.post("/api/v1/checkins", json={"service_id": "abholung"},
                                          headers={**kiosk, "Idempotency-Key": str(uuid.uuid4())})
            answer.raise_for_status()

    async def next(self) -> bool:
        answer = await self.http.post("/api/v1/counters/8/next?previous=done",
                                      headers={**self.auth, "Idempotency-Key": str(uuid.uuid4())})
        return answer.status_code == 200 and answer.json().get("ticket") is not None


class RawNext:
    """Counter 8's Next as ready-made HTTP/1.1 bytes on one kept-alive connection: the trigger
    costs the client about what the bare broadcast's websocket message does."""

    def __init__(self, server: LiveServer) -> None:
        self.port, self.token = server.port, server.tokens["counter:8"]
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def __call__(self) -> bool:
        if self._streams is None:
            self._streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self._streams
        writer.write((f"POST /api/v1/counters/8/next?previous=done HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Authorization: Bearer {self.token}\r\nIdempotency-Key: {uuid.uuid4()}\r\n"
                      "Content-Length: 0\r\n\r\n").encode())
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower().split("\r\n")
        # a 204 (nobody waits) has no length and no body
        length = next((int(line.split(":", 1)[1]) for line in head if line.startswith("content-length:")), 0)
        body = await reader.readexactly(length)
        return head[0].split(" ")[1] == "200" and json.loads(body).get("ticket") is not None

    async def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            await self._streams[1].wait_closed()


class BareTrigger:
    """The bare broadcast's trigger: one websocket sending it `texts`, what the server sent for
    its latest Next (`ticket.called` last), in one message that it relays socket by socket."""

    def __init__(self, port: int) -> None:
        self.url = f"ws://127.0.0.1:{port}"
        self.texts: list[str] = []
        self._ws: Any = None

    async def __call__(self) -> bool:
        if self._ws is None:
            self._ws = (await connect_all(self.url, 1))[0]
        await self._ws.send(SEPARATOR.join(self.texts))
        return True

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()


async def side_by_side(server: LiveServer, displays: list[int], rounds: int, called_only: bool) -> dict[str, Any]:
    """Per display count: the server's and the bare broadcast's rounds taken in turn (server,
    bare, server, ...), so both meet the same moments of a shared host; the bare relays the
    very messages the server sent in the round before. And the server CPU per event the displays add."""
    assert server.process is not None
    cpu = CpuMeter(server.process.pid)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        clerk = Clerk(server, http)
        await clerk.prepare(rounds * (len(displays) + 1) + 2)
        with cpu.measure():
            for _ in range(rounds):
                await asyncio.sleep(PACE_S)
                await clerk.next()
            await asyncio.sleep(PACE_S)
        alone_ms = cpu.ms / rounds
        url = server.ws_url("display") + "&board=1"
        trigger = RawNext(server) if server.url.startswith("http:") else clerk.next
        with bare_process("broadcast") as (_, port):
            bare_trigger = BareTrigger(port)
            for count in displays:
                results[str(count)] = await _one_count(
                    cpu, (await connect_all(url, count), trigger),
                    (await connect_all(f"ws://127.0.0.1:{port}", count), bare_trigger), rounds, alone_ms,
                    called_only)
            await bare_trigger.close()
        if isinstance(trigger, RawNext):
            await trigger.close()
    results["cpu_ms_per_event_no_display"] = round(alone_ms, 2)
    return results


async def _one_count(cpu: CpuMeter, served: tuple[list[Any], Any], bare: tuple[list[Any], BareTrigger],
                     rounds: int, alone_ms: float, called_only: bool) -> dict[str, Any]:
    """`rounds` in turn at one display count; `alone_ms`: the server's CPU per Next with no display."""
    (clients, trigger), (bare_clients, bare_trigger) = served, bare
    mine, floor = _Figures(), _Figures()
    pairs: list[float] = []  # server's last socket / the bare's, round by round
    cpu_ms = 0.0
    for _ in range(rounds):
        latest, all_of_round, texts = await _last_arrival(clients, trigger, cpu)
        cpu_ms += cpu.ms
        mine.add(latest, all_of_round)
        if texts:
            bare_trigger.texts = texts[-1:] if called_only else texts
        if bare_trigger.texts:
            bare_latest, bare_all, _ = await _last_arrival(bare_clients, bare_trigger)
            floor.add(bare_latest, bare_all)
            if latest >= 0 and bare_latest > 0:
                pairs.append(latest / bare_latest)
    await asyncio.gather(*(ws.close() for ws in clients + bare_clients))
    per_event = cpu_ms / rounds
    return {"server": {**mine.summary(), "cpu_ms_per_event": round(per_event, 2),
                       "cpu_ms_added_per_event": round(per_event - alone_ms, 2)},
            "bare": {**floor.summary(), "messages_relayed": len(bare_trigger.texts)},
            "paired_ratio_p50": round(statistics.median(pairs), 2) if pairs else None}


def fanout(server: LiveServer, displays: list[int], rounds: int, *, called_only: bool = False) -> dict[str, Any]:
    out = asyncio.run(side_by_side(server, displays, rounds, called_only))
    for n in displays:
        mine, floor = out[str(n)]["server"], out[str(n)]["bare"]
        ratio = mine["last_socket"]["p99_ms"] / max(0.01, floor["last_socket"]["p99_ms"])
        out[str(n)]["p99_ratio"] = round(ratio, 2)
    return out
