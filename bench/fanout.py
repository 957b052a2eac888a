"""Next -> N display websockets, next to a bare `websockets` broadcast of the same bytes.

Displays connect as the display page does (counter_server/web/live.js with `board: true`):
`/api/v1/events?token=...&board=1`, so the server also pushes the board after each burst.
A round: every socket waits for `ticket.called`; a clerk presses Next; the round's figure
is the time until the *last* socket got it (the first socket's and every socket's times are
kept too: the first is the Next itself, request, transaction and commit; from first to last
is the broadcast and the client reading it). The bare broadcast relays the very text the
server sent, from a client, to the same number of sockets in another process. Next is sent
as the bare's trigger is, as ready-made bytes on one open connection (`RawNext`): through
httpx the client's own work took about 1 ms of every figure (stop 33). CPU: the server's, around the same paced rounds with no
display and with N displays; the difference per event is what the displays cost.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import websockets

from .anchors import bare_process
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


async def _last_arrival(clients: list[Any], trigger: Any) -> tuple[float, list[float], str]:
    """Run `trigger()`; wait until every client got `ticket.called`: (last ms, each ms, text);
    (-1, [], "") when the trigger failed."""
    sent_at = [0.0]
    texts: list[str] = []

    async def wait(ws: Any) -> float:
        while True:
            text = await ws.recv()
            if '"ticket.called"' in text and json.loads(text).get("type") == "ticket.called":
                texts.append(text)
                return elapsed_ms(sent_at[0])

    waiters = [asyncio.create_task(wait(ws)) for ws in clients]
    await asyncio.sleep(PACE_S)
    sent_at[0] = time.perf_counter()
    if not await trigger():
        for task in waiters:
            task.cancel()
        return -1.0, [], ""
    each = list(await asyncio.wait_for(asyncio.gather(*waiters), 60))
    return max(each), each, texts[0]


async def _rounds(clients: list[Any], trigger: Any, rounds: int) -> tuple[dict[str, Any], str]:
    last: list[float] = []
    first: list[float] = []
    each: list[float] = []
    sample = ""
    for _ in range(rounds):
        latest, all_of_round, text = await _last_arrival(clients, trigger)
        if latest >= 0:
            last.append(latest)
            first.append(min(all_of_round))
            each += all_of_round
            sample = text
    return {"last_socket": summary(last), "first_socket": summary(first), "each_socket": summary(each)}, sample


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


async def server_fanout(server: LiveServer, displays: list[int], rounds: int) -> dict[str, Any]:
    """Per display count: Next -> last socket, and the server CPU per event they add."""
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
        for count in displays:
            clients = await connect_all(url, count)
            with cpu.measure():
                figures, sample = await _rounds(clients, trigger, rounds)
                await asyncio.sleep(PACE_S)
            figures["cpu_ms_per_event"] = round(cpu.ms / rounds, 2)
            figures["cpu_ms_added_per_event"] = round(cpu.ms / rounds - alone_ms, 2)
            figures["sample"] = sample
            results[str(count)] = figures
            await asyncio.gather(*(ws.close() for ws in clients))
        if isinstance(trigger, RawNext):
            await trigger.close()
    results["cpu_ms_per_event_no_display"] = round(alone_ms, 2)
    return results


async def bare_broadcast(displays: list[int], rounds: int, text: str) -> dict[str, Any]:
    """The same text relayed by a bare websockets server in its own process."""
    results: dict[str, Any] = {}
    with bare_process("broadcast") as (_, port):
        url = f"ws://127.0.0.1:{port}"
        trigger_ws = (await connect_all(url, 1))[0]

        async def trigger() -> bool:
            await trigger_ws.send(text)
            return True

        for count in displays:
            clients = await connect_all(url, count)
            figures, _ = await _rounds(clients, trigger, rounds)
            results[str(count)] = figures
            await asyncio.gather(*(ws.close() for ws in clients))
        await trigger_ws.close()
    return results


def fanout(server: LiveServer, displays: list[int], rounds: int) -> dict[str, Any]:
    served = asyncio.run(server_fanout(server, displays, rounds))
    sample = next(served[str(n)]["sample"] for n in displays if served[str(n)]["sample"])
    bare = asyncio.run(bare_broadcast(displays, rounds, sample))
    out: dict[str, Any] = {"cpu_ms_per_event_no_display": served["cpu_ms_per_event_no_display"]}
    for n in displays:
        mine, floor = served[str(n)], bare[str(n)]
        mine.pop("sample")
        ratio = mine["last_socket"]["p99_ms"] / max(0.01, floor["last_socket"]["p99_ms"])
        out[str(n)] = {"server": mine, "bare": floor, "p99_ratio": round(ratio, 2)}
    return out
