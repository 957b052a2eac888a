"""The event stream: resume with since=, snapshot when too old, live in order."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

import httpx
import websockets
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import LiveServer


def checkin(server: LiveServer, service: str = "ausweis") -> dict[str, object]:
    with server.client("kiosk") as kiosk:
        answer = kiosk.post("/api/v1/checkins", json={"service_id": service},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201
    return dict(answer.json()["ticket"])


async def receive(ws: websockets.ClientConnection, count: int) -> list[dict[str, object]]:
    return [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(count)]


def test_first_connect_gets_a_snapshot_then_live_events(live_server: LiveServer) -> None:
    async def run() -> None:
        async with websockets.connect(live_server.ws_url("display")) as ws:
            [snapshot] = await receive(ws, 1)
            assert snapshot["type"] == "snapshot"
            assert snapshot["data"]["board"]["calls"] == []
            checkin(live_server)
            [event] = await receive(ws, 1)
            assert event["type"] == "ticket.created" and event["seq"] == snapshot["seq"] + 1

    asyncio.run(run())


def test_reconnect_with_since_gets_exactly_the_missed_events_in_order(live_server: LiveServer) -> None:
    async def run() -> None:
        async with websockets.connect(live_server.ws_url("display")) as ws:
            [snapshot] = await receive(ws, 1)
            checkin(live_server)
            [seen] = await receive(ws, 1)
        missed = [checkin(live_server)["number"] for _ in range(5)]
        async with websockets.connect(live_server.ws_url("display", since=int(seen["seq"]))) as ws:
            replay = await receive(ws, 5)
            assert [e["seq"] for e in replay] == list(range(int(seen["seq"]) + 1, int(seen["seq"]) + 6))
            assert [e["data"]["ticket"]["number"] for e in replay] == missed  # type: ignore[index]
            live = checkin(live_server)
            [event] = await receive(ws, 1)
            assert event["data"]["ticket"]["number"] == live["number"]  # type: ignore[index]
            with_nothing_more = asyncio.wait_for(ws.recv(), 0.3)
            try:
                extra = await with_nothing_more
            except TimeoutError:
                extra = None
            assert extra is None

    asyncio.run(run())


def test_since_from_another_database_gets_a_snapshot(live_server: LiveServer) -> None:
    checkin(live_server)

    async def run() -> None:
        async with websockets.connect(live_server.ws_url("display", since=999_999)) as ws:
            [first] = await receive(ws, 1)
            assert first["type"] == "snapshot"
            assert first["seq"] == 1

    asyncio.run(run())


def test_a_wrong_token_is_refused(live_server: LiveServer) -> None:
    async def run() -> None:
        url = live_server.ws_url("display").replace(live_server.tokens["display"], "thq_forged")
        try:
            async with websockets.connect(url) as ws:
                await ws.recv()
        except (websockets.InvalidStatus, websockets.ConnectionClosed):
            return
        raise AssertionError("a forged token got events")

    asyncio.run(run())


def _direct_clients(server: LiveServer) -> float:
    answer = httpx.get(server.url + "/metrics", headers={"Authorization": f"Bearer {server.tokens['admin']}"})
    assert answer.status_code == 200, answer.text
    samples = {s.name: s.value for family in text_string_to_metric_families(answer.text) for s in family.samples}
    return samples["townhall_websocket_clients_direct"]


def test_caught_up_displays_are_written_to_at_once_and_keep_the_order(live_server: LiveServer) -> None:
    """After the snapshot or the replay, the hub writes each event's frame (made once) to
    every caught-up socket itself (counter_server/frames.py): all get every event, in seq
    order, the board push too, and a reconnect with since= replays first, then joins."""

    async def run() -> None:
        async with contextlib.AsyncExitStack() as stack:
            displays = [await stack.enter_async_context(websockets.connect(live_server.ws_url("display")))
                        for _ in range(3)]
            boards = await stack.enter_async_context(websockets.connect(live_server.ws_url("display") + "&board=1"))
            snapshots = [(await receive(ws, 1))[0] for ws in (*displays, boards)]
            assert {s["type"] for s in snapshots} == {"snapshot"}
            await asyncio.sleep(0.2)  # the pumps hand over once their queues are empty
            assert _direct_clients(live_server) == 4
            numbers = [checkin(live_server)["number"] for _ in range(5)]
            for ws in displays:
                events = await receive(ws, 5)
                assert [e["data"]["ticket"]["number"] for e in events] == numbers  # type: ignore[index]
                assert [e["seq"] for e in events] == list(range(int(events[0]["seq"]), int(events[0]["seq"]) + 5))
            got: list[dict[str, Any]] = []
            while not got or got[-1]["type"] != "board" or got[-1]["data"]["waiting_total"] != 5:
                got.append(json.loads(await asyncio.wait_for(boards.recv(), 5)))
            events = [e for e in got if e["type"] != "board"]
            assert [e["data"]["ticket"]["number"] for e in events] == numbers
            assert got[-1]["seq"] == events[-1]["seq"]  # the board as of the last event
            await displays[0].close()
        late = int(snapshots[0]["seq"])
        async with websockets.connect(live_server.ws_url("display", since=late)) as again:
            replay = await receive(again, 5)
            assert [e["data"]["ticket"]["number"] for e in replay] == numbers  # type: ignore[index]
            more = checkin(live_server)["number"]
            [event] = await receive(again, 1)
            assert event["data"]["ticket"]["number"] == more  # type: ignore[index]

    asyncio.run(run())
