"""The board is pushed to displays after a burst of events, computed once, the same bytes for all."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from typing import Any

from websockets.sync.client import connect

from tests.conftest import LiveServer


def _next_board(ws: Any, timeout: float = 5) -> dict[str, Any]:
    while True:
        message = json.loads(ws.recv(timeout=timeout))
        if message["type"] == "board":
            return dict(message)


def test_a_display_that_asks_gets_the_board_after_each_burst(live_server: LiveServer) -> None:
    with connect(live_server.ws_url("display") + "&board=1") as first, \
            connect(live_server.ws_url("display") + "&board=1") as second, \
            connect(live_server.ws_url("display")) as plain:
        for ws in (first, second, plain):
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
        with live_server.client("kiosk") as kiosk:
            for _ in range(3):  # a burst: a few check-ins close together
                kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"},
                           headers={"Idempotency-Key": str(uuid.uuid4())})
        boards = [_next_board(first), _next_board(second)]
        while boards[0]["data"]["waiting_total"] < 3:
            boards = [_next_board(first), _next_board(second)]
        assert boards[0] == boards[1]
        with live_server.client("display") as display:
            fetched = display.get("/api/v1/board").json()
        assert boards[0]["data"]["waiting"] == fetched["waiting"]
        assert boards[0]["seq"] == fetched["seq"]
        # a socket that did not ask gets only events
        kinds = set()
        try:
            while True:
                kinds.add(json.loads(plain.recv(timeout=1))["type"])
        except TimeoutError:
            pass
        assert "board" not in kinds and "ticket.created" in kinds


def test_under_a_rush_the_board_is_read_at_most_twice_a_second_and_the_last_state_is_shown(
        live_server: LiveServer) -> None:
    """Forty check-ins as fast as one kiosk can send them: the displays get a board at most
    every `feeds.EVERY_S` (each is a full estimate of the queue), and the last board they get
    shows the last check-in (a rush never leaves a screen behind)."""
    boards: list[tuple[float, dict[str, Any]]] = []
    with connect(live_server.ws_url("display") + "&board=1") as display:
        assert json.loads(display.recv(timeout=10))["type"] == "snapshot"

        def watch() -> None:  # received as they come, while the kiosk sends
            with contextlib.suppress(TimeoutError):
                while True:
                    board = _next_board(display, timeout=2)
                    boards.append((time.monotonic(), board))

        watcher = threading.Thread(target=watch)
        watcher.start()
        with live_server.client("kiosk") as kiosk:
            for _ in range(40):
                kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"},
                           headers={"Idempotency-Key": str(uuid.uuid4())}).raise_for_status()
        watcher.join(30)
    totals = [b["data"]["waiting_total"] for _, b in boards]
    assert totals[-1] == 40 and totals == sorted(totals), totals
    assert len(boards) >= 2, totals  # the rush lasted longer than one pace
    gaps = [later - earlier for (earlier, _), (later, _) in zip(boards, boards[1:], strict=False)]
    # received times jitter a little with the socket; the server's pace is EVERY_S = 0.5 s
    assert all(gap > 0.35 for gap in gaps), gaps
