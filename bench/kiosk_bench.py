"""Kiosk figures: tap to next screen drawn, tap to ticket with a real server, start-up, memory.

    python -m bench.kiosk_bench [--taps 30] [--day 300] [--size 1080x1920]

Starts a real `townhall serve` (demo office, clock inside opening hours) on
127.0.0.1 and a real kiosk window offscreen (SDL offscreen + Mesa). Taps are
touches sent through the window. "Drawn" is the first buffer flip after the
new screen is current. Prints one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.harness import LiveServer

COUNTERS = 8


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
    }


class FlipClock:
    """Time of the first buffer flip showing a given screen."""

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.target = ""
        self.drawn_at: float | None = None
        driver.window.bind(on_flip=self._on_flip)

    def _on_flip(self, *_: Any) -> None:
        screens = self.driver.app.root.ids.screens
        if self.drawn_at is None and self.target and screens.current == self.target:
            if not screens.transition.is_active:
                self.drawn_at = time.perf_counter()

    async def tap_until_drawn(self, widget: Any, target: str, timeout: float = 10.0) -> float:
        self.target, self.drawn_at = target, None
        await self.driver.until(
            lambda: not self.driver.app.root.ids.screens.transition.is_active, what="idle screen"
        )
        started = time.perf_counter()
        await self.driver.tap(widget)
        await self.driver.until(
            lambda: self.drawn_at is not None, what=f"{target} drawn", timeout=timeout
        )
        assert self.drawn_at is not None
        return (self.drawn_at - started) * 1000


def _available_service(driver: Any, turn: int) -> str:
    services = [s.id for s in driver.state.services if s.walk_in and s.available]
    return services[turn % len(services)]


async def _child_run(driver: Any, args: dict[str, Any]) -> dict[str, Any]:
    started_drawn = time.time()
    await driver.until(lambda: driver.state.walk_in_possible, what="services")
    await driver.drawn(1)
    services_drawn = time.time()
    clock = FlipClock(driver)
    screen_ms: list[float] = []
    for _ in range(args["taps"]):
        screen_ms.append(await clock.tap_until_drawn(driver.find(choice_id="walk_in"), "services"))
        screen_ms.append(await clock.tap_until_drawn(driver.find(action="back"), "start"))
    ticket_ms: list[float] = []
    round_trips = _time_round_trips(driver.app.server)
    rss: dict[int, float] = {}
    for turn in range(args["day"]):
        await clock.tap_until_drawn(driver.find(choice_id="walk_in"), "services")
        service = driver.find(choice_id=_available_service(driver, turn))
        ticket_ms.append(await clock.tap_until_drawn(service, "ticket"))
        await clock.tap_until_drawn(driver.find(action="home"), "start")
        if (turn + 1) % 25 == 0 or turn == 0:
            rss[turn + 1] = round(_rss_mb(), 1)
    return {
        "startup_to_start_screen_s": round(started_drawn - args["launched_at"], 2),
        "startup_to_live_services_s": round(services_drawn - args["launched_at"], 2),
        "tap_to_next_screen_drawn": _summary(screen_ms),
        "tap_to_ticket_drawn_real_server": _summary(ticket_ms[: args["taps"]]),
        "tap_to_ticket_drawn_whole_day": _summary(ticket_ms),
        "checkin_http_round_trip_whole_day": _summary(round_trips),
        "rss_mb_after_checkins": rss,
    }


class Clerks:
    """Eight counters that call the next visitor whenever the queue is longer than wanted.

    A town hall's queue during the day is some dozens of people, not everyone who
    came since the morning; `keep_waiting=0` leaves the queue growing all day.
    """

    def __init__(self, server: LiveServer, *, keep_waiting: int) -> None:
        self.calls = 0
        self._server = server
        self._keep = keep_waiting
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, daemon=True)
        if keep_waiting > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _work(self) -> None:
        clients = [self._server.client(f"counter:{c}") for c in range(1, COUNTERS + 1)]
        for number, client in enumerate(clients, start=1):
            client.post(f"/api/v1/counters/{number}/state", json={"state": "open"})
        turn = 0
        while not self._stop.wait(0.1):
            waiting = self._waiting(clients[0])
            while waiting > self._keep and not self._stop.is_set():
                number = turn % COUNTERS + 1
                turn += 1
                answer = clients[number - 1].post(
                    f"/api/v1/counters/{number}/next?previous=done", headers={"Idempotency-Key": uuid.uuid4().hex}
                )
                if answer.status_code == 200 and answer.json().get("ticket"):
                    self.calls += 1
                    waiting -= 1
                elif turn % COUNTERS == 0:
                    break  # nobody here can serve who is waiting; look again later
        for client in clients:
            client.close()

    def _waiting(self, client: httpx.Client) -> int:
        try:
            services = client.get("/api/v1/services").json()["services"]
        except (httpx.HTTPError, ValueError, KeyError):
            return 0
        return sum(int(s["waiting"]) for s in services)


def _time_round_trips(server: Any) -> list[float]:
    """Time each check-in's HTTP round trip, to tell the server's share from the kiosk's."""
    samples: list[float] = []
    check_in = server.check_in

    async def timed(**kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await check_in(**kwargs)
        finally:
            samples.append((time.perf_counter() - started) * 1000)

    server.check_in = timed
    return samples


def child(args: dict[str, Any]) -> None:
    from kiosk.config import KioskConfig
    from kiosk.testing import run_scenario

    width, height = (int(x) for x in args["size"].split("x"))
    config = KioskConfig(
        server=args["server"], token=args["token"], width=width, height=height,
        state_dir=args["state_dir"],
    )
    result = run_scenario(config, lambda driver: _child_run(driver, args), speaker=None)
    Path(args["result"]).write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--taps", type=int, default=30, help="screen changes and tickets timed")
    parser.add_argument("--day", type=int, default=300, help="check-ins in the simulated day")
    parser.add_argument("--size", default="1080x1920")
    parser.add_argument(
        "--keep-waiting", type=int, default=40,
        help="clerks press Next whenever more wait than this (0: nobody is served all day)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(json.loads(options.child))
        return
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        server = LiveServer.prepare(Path(tmp) / "office", "2026-12-01T08:05")
        server.start()
        clerks = Clerks(server, keep_waiting=options.keep_waiting)
        try:
            result_path = Path(tmp) / "result.json"
            args = {
                "server": server.url,
                "token": server.tokens["kiosk"],
                "taps": options.taps,
                "day": options.day,
                "size": options.size,
                "result": str(result_path),
                "state_dir": str(Path(tmp) / "kiosk-state"),
                "launched_at": time.time(),
            }
            env = {**os.environ, "KIVY_HOME": str(Path(tmp) / "kivy"), "KIVY_NO_ARGS": "1"}
            subprocess.run(
                [sys.executable, "-m", "bench.kiosk_bench", "--child", json.dumps(args)],
                env=env, check=True, timeout=3600, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            result = json.loads(result_path.read_text())
            result["clerks"] = {"keep_waiting": options.keep_waiting, "calls": clerks.calls}
            print(json.dumps(result, indent=1))
        finally:
            clerks.stop()
            server.stop()


if __name__ == "__main__":
    main()
