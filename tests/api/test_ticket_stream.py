"""A visitor's ticket, live: `GET /api/v1/tickets/public/{public_id}/stream` (server-sent events)."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from counter_server.queue.visitor_live import Watcher
from tests.conftest import LiveServer, ServerFactory
from tests.office import call_next, ticket_action
from tests.office import check_in as kiosk_check_in

Message = tuple[str, dict[str, Any]]  # (event name, data)


def check_in(server: LiveServer) -> dict[str, Any]:
    return kiosk_check_in(server, service_id="ausweis")


class Stream:
    """An open SSE stream read on a thread: its messages arrive in `messages`."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.messages: queue.Queue[Message] = queue.Queue()
        self.comments: list[str] = []
        self.closed = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name, data = "message", ""
        try:
            for line in self.response.iter_lines():
                if line.startswith(":"):
                    self.comments.append(line)
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()
                elif not line and data:
                    self.messages.put((name, json.loads(data)))
                    name, data = "message", ""
        except httpx.HTTPError:
            pass
        finally:
            self.closed.set()

    def next(self, timeout: float = 10) -> Message:
        return self.messages.get(timeout=timeout)

    def next_status(self, timeout: float = 10) -> dict[str, Any]:
        name, data = self.next(timeout)
        assert name == "message", (name, data)
        return data

    def next_called(self, timeout: float = 10) -> dict[str, Any]:
        """The first status past `waiting`: opening the counter before Next may move the
        estimate first, and whether that status is sent or replaced depends on timing."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.next_status(max(0.1, deadline - time.monotonic()))
            if status["state"] != "waiting":
                return status


@contextmanager
def stream(server: LiveServer, public_id: str) -> Iterator[Stream]:
    with httpx.Client(base_url=server.url, timeout=30) as client, client.stream(
        "GET", f"/api/v1/tickets/public/{public_id}/stream"
    ) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield Stream(response)


def test_the_stream_sends_the_status_at_once_and_each_change(live_server: LiveServer) -> None:
    mine = check_in(live_server)
    with stream(live_server, mine["public_id"]) as live:
        first = live.next_status()
        assert first["number"] == mine["number"] and first["state"] == "waiting"
        assert first == httpx.get(f"{live_server.url}/api/v1/tickets/public/{mine['public_id']}").json()
        assert call_next(live_server)["id"] == mine["id"]
        called = live.next_called(timeout=5)
        assert called["state"] == "called" and called["counter"]["label"] == "Schalter 1"
        assert called["call_count"] == 1
        ticket_action(live_server, mine["id"], "recall")
        assert live.next_status(timeout=5)["call_count"] == 2
        ticket_action(live_server, mine["id"], "start")
        assert live.next_status(timeout=5)["state"] == "serving"


def test_a_change_elsewhere_that_leaves_the_status_as_it_was_sends_nothing(live_server: LiveServer) -> None:
    mine = check_in(live_server)
    with live_server.client("counter:1") as desk:
        desk.post("/api/v1/counters/1/state", json={"state": "open"})
    with stream(live_server, mine["public_id"]) as live:
        first = live.next_status()
        # a printer's news is no queue event, and a counter paused twice changes nothing
        with live_server.client("counter:6") as desk:
            desk.post("/api/v1/counters/6/state", json={"state": "paused"})
        try:
            changed = live.next_status(timeout=2)
        except queue.Empty:
            changed = None
        if changed is not None:  # the pause may move the estimate; then it is sent once
            assert changed != first
        with live_server.client("counter:6") as desk:
            desk.post("/api/v1/counters/6/state", json={"state": "paused"})
        time.sleep(1)
        assert live.messages.empty()


def test_a_page_gets_only_the_newest_status_and_never_the_same_twice() -> None:
    async def run() -> list[str | None]:
        watcher = Watcher("p")
        watcher.offer({"state": "waiting", "position": 2})
        watcher.offer({"state": "waiting", "position": 1})  # before the page took the first: replaced
        first = await watcher.next(1)
        watcher.offer({"state": "waiting", "position": 1})  # the same again: nothing to send
        second = await watcher.next(0.1)
        watcher.offer(None)  # the ticket is gone
        third = await watcher.next(1)
        return [first, second, third, "gone" if watcher.gone else None]

    first, second, third, gone = asyncio.run(run())
    assert first is not None and json.loads(first) == {"state": "waiting", "position": 1}
    assert second is None and third is None and gone == "gone"


def test_the_stream_of_an_unknown_ticket_is_404(live_server: LiveServer) -> None:
    answer = httpx.get(f"{live_server.url}/api/v1/tickets/public/not-a-ticket/stream", timeout=10)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "unknown_ticket"


def test_streams_are_bounded_and_a_refused_one_is_told_to_poll(server_factory: ServerFactory) -> None:
    server = server_factory(start=False)
    server.extra_args = ["--status-streams", "1"]
    server.start()
    mine = check_in(server)
    url = f"{server.url}/api/v1/tickets/public/{mine['public_id']}/stream"
    with httpx.Client(timeout=10) as client, client.stream("GET", url) as first:
        assert first.status_code == 200
        lines = first.iter_lines()  # kept: a dropped iterator closes the connection
        assert next(lines).startswith("retry:")
        refused = httpx.get(url, timeout=10)
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "too_many_streams"
        assert "poll" in refused.json()["error"]["message"]
    # the slot is free again once the first page went away (closed here, with no thread reading it)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with httpx.Client(timeout=10) as client, client.stream("GET", url) as again:
            if again.status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError("the stream slot was not given back")


def test_the_stream_ends_after_the_ticket_is_finished(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=lambda text: text.replace("undo_s = 10", "undo_s = 0"))
    mine = check_in(server)
    with stream(server, mine["public_id"]) as live:
        live.next_status()
        call_next(server)
        assert live.next_called(timeout=5)["state"] == "called"
        ticket_action(server, mine["id"], "no_show")
        assert live.next_status(timeout=5)["state"] == "no_show"
        assert live.next(timeout=10) == ("end", {})
        assert live.closed.wait(5)


def test_serve_stops_promptly_with_streams_open(live_server: LiveServer) -> None:
    mine = check_in(live_server)
    with stream(live_server, mine["public_id"]) as live:
        live.next_status()
        process = live_server.process
        assert process is not None
        started = time.monotonic()
        process.terminate()
        process.wait(timeout=9)  # SIGKILL would follow after 10 s in LiveServer.stop
        assert time.monotonic() - started < 8
        assert live.closed.wait(5)
