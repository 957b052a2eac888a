"""cProfile of the server's own work at a long queue, in process (no HTTP, no client):
the check-in's and Next's write transactions, and the board and clerk view reads.

    python -m bench.profile_server [--waiting 800] [--finished 0] [--count 100] [--top 14] [--cpu]

`--cpu`: no profiler; the median CPU time of this process per check-in, Next, and board and
clerk view just after an event (cold) and once more (warm), each kind in turn `count`
times. Without HTTP and the host's other work in between, two trees compare closer than
through the server benchmark (run them alternately: the host's pace still varies).

The same functions the routes call (the kiosk check-in's three steps, `call_next`, `board`,
`counter_view`), each inside the store's write or read as the server runs them, on the
profiling thread (the store's writer and readers run them on their own threads).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_server.app import open_context
from counter_server.auth import Device
from counter_server.checkin import kiosk
from counter_server.checkin.commands import KioskCheckin
from counter_server.cli import init_data_dir
from counter_server.clock import Clock
from counter_server.config import load_config
from counter_server.core.model import CounterState
from counter_server.paths import DataDir
from counter_server.queue import commands, counters
from counter_server.queue.views import board, counter_view

from .load_bench import COUNTERS, SERVICES

CLOCK = "2026-12-01T08:05"
KIOSK = Device(id="kiosk-1", name="kiosk", role="kiosk", counter_id=None)


def profile(label: str, fn: Callable[[], Any], count: int, top: int) -> None:
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(count):
        fn()
    profiler.disable()
    took = (time.perf_counter() - started) * 1000 / count
    print(f"\n### {label}: {count} calls, {took:.2f} ms each under the profiler")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        start = next(i for i, line in enumerate(lines) if "ncalls" in line)
        print(f"by {order}:")
        for line in lines[start:]:
            print("    " + re.sub(r"\S*/(site-packages|python3\.11)/", "", line.replace(str(Path.cwd()) + "/", "")))


def cpu_medians(steps: dict[str, Callable[[], Any]], count: int) -> dict[str, float]:
    """Median milliseconds of process CPU per step, the steps taken in turn `count` times."""
    took: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(count):
        for name, step in steps.items():
            started = time.process_time()
            step()
            took[name].append((time.process_time() - started) * 1000)
    return {name: round(statistics.median(values), 2) for name, values in took.items()}


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.profile_server")
    parser.add_argument("--waiting", type=int, default=800)
    parser.add_argument("--finished", type=int, default=0, help="visits called and finished before the queue fills")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--top", type=int, default=14)
    parser.add_argument("--cpu", action="store_true", help="median CPU per kind of request, no profiler")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "office"
        init_data_dir(data_dir, demo_office=True)
        config = load_config(DataDir(data_dir).config)
        ctx = open_context(data_dir, Clock.starting_at(CLOCK, config.office.timezone))
        for c in COUNTERS:
            ctx.write_sync(lambda w, c=c: counters.set_counter_state(w, counter_id=c, state=CounterState.OPEN))
        turn = [0]

        def write(command: Callable[[Any], Any]) -> Any:
            # on this thread, as the writer thread runs it, so that cProfile sees the work
            return ctx.store._write(lambda tx: command(ctx.work(tx)), ctx.clock.now())

        def issue() -> kiosk.Issued:
            turn[0] += 1
            request = KioskCheckin(service_id=SERVICES[turn[0] % 5])
            issued: kiosk.Issued = write(lambda w: kiosk.issue(w, device=KIOSK, request=request, status_base="/t/"))
            return issued

        def check_in() -> None:
            # the kiosk route's three steps: the writer's two around the estimate on a reader (the
            # route makes the second a note riding with the next write when no printer waits)
            issued = issue()
            status = ctx.store._read(lambda db: kiosk.status_after(db, ctx.config, issued, ctx.clock.now(), shared=False))
            write(lambda w: kiosk.tell(w, kiosk.Told.of(issued, status, device_id=KIOSK.id, key=None)))

        def writers_part() -> None:
            issued = issue()
            write(lambda w: kiosk.tell(w, kiosk.Told.of(issued, {}, device_id=KIOSK.id, key=None)))

        def next_() -> None:
            turn[0] += 1
            c = COUNTERS[turn[0] % len(COUNTERS)]
            write(lambda w: commands.call_next(w, counter_id=c, previous="done"))

        def read(view: Callable[[Any], Any], event: Callable[[], None] = check_in) -> Callable[[], None]:
            def run() -> None:
                event()  # a new state: after a check-in its answer made the estimates, after a Next none did
                ctx.store._read(view)
            return run

        for _ in range(args.finished):
            writers_part()
        for _ in range(args.finished + len(COUNTERS)):
            next_()
        for _ in range(args.waiting):
            check_in()
        now = ctx.clock.now
        if args.cpu:
            board_now, clerk_now = (lambda: ctx.store._read(lambda db: board(db, ctx.config, now())),
                                    lambda: ctx.store._read(lambda db: counter_view(db, ctx.config, "8", now())))
            steps = {"check-in": check_in, "board cold": board_now, "board warm": board_now,
                     "Next": next_, "clerk view cold": clerk_now, "clerk view warm": clerk_now}
            medians = cpu_medians(steps, args.count)
            print(f"{args.waiting} waiting, {args.finished} finished, CPU ms (median of {args.count}): "
                  + ", ".join(f"{name} {ms}" for name, ms in medians.items()))
            ctx.store.close()
            return
        profile(f"check-in at {args.waiting} waiting", check_in, args.count, args.top)
        profile(f"the writer's part of a check-in at {args.waiting + args.count} waiting", writers_part,
                args.count, args.top)
        profile(f"Next at {args.waiting + args.count} waiting", next_, args.count, args.top)
        profile("check-in + board (cold)", read(lambda db: board(db, ctx.config, now())), args.count // 2, args.top)
        profile("Next + board (cold)", read(lambda db: board(db, ctx.config, now()), next_), args.count // 2,
                args.top)
        profile("check-in + clerk view (cold)", read(lambda db: counter_view(db, ctx.config, "8", now())),
                args.count // 2, args.top)
        ctx.store.close()


if __name__ == "__main__":
    main()
