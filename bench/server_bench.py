"""Server benchmarks on loopback, against the real `townhall serve` and a real SQLite file
(issue 14: flat cost as the queue grows). One command, all in the same run:

    python -m bench.server_bench [--quick] [--json] [--sustain-s 60] [--skip PART ...]

Parts (each can be skipped): anchors (bare uvicorn + SQLite, one row per request),
levels (check-in, Next, board and clerk view at 0-800 waiting), finished (the same at
800 waiting with 3,000 visits finished that day, and the RSS), fanout (Next -> 200 and
1,000 display websockets vs a bare broadcast; CPU the displays add per event), printer
(bursts of 20 kiosks, last byte at the ESC/POS emulator via the print agent), sustain
(30 check-ins/s + 20 Next/s with 200 displays), memory (RSS after a day). The machine's
load average is printed before and after: compare figures with the anchors of the run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .anchors import bare_sqlite
from .day_memory import rss_after_day
from .fanout import fanout
from .harness import LiveServer
from .load_bench import queue_lengths, with_finished_day
from .measure import load_average
from .print_burst import print_bursts, print_rig
from .server_report import print_report
from .sustain import sustain

CLOCK = "2026-12-01T08:05"
PARTS = ("anchors", "levels", "finished", "fanout", "printer", "sustain", "memory")
FULL = {"levels": [0, 50, 100, 200, 400, 800], "requests": 100, "finished": 3000, "displays": [200, 1000],
        "rounds": 100, "burst": 20, "bursts": 5, "burst_waiting": 800, "sustain_displays": 200,
        "day": 300, "day_displays": 50, "rates": (30.0, 20.0)}
QUICK = {"levels": [0, 10], "requests": 3, "finished": 8, "displays": [10], "rounds": 2,
         "burst": 4, "bursts": 1, "burst_waiting": 5, "sustain_displays": 5,
         "day": 10, "day_displays": 2, "rates": (6.0, 4.0)}


def on_server(root: Path, name: str, fn: Callable[[LiveServer], Any], shared: LiveServer | None = None) -> Any:
    """`fn` on a fresh server (the full run), or on the quick run's one shared server."""
    if shared is not None:
        return fn(shared)
    server = LiveServer.prepare(root / name, CLOCK)
    server.start()
    try:
        return fn(server)
    finally:
        server.stop()


def run(args: argparse.Namespace) -> dict[str, Any]:
    plan = QUICK if args.quick else FULL
    requests = args.requests or plan["requests"]
    results: dict[str, Any] = {"load_before": load_average(), "quick": args.quick}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="server-bench-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        # quick: one server (the printer part's) for every part, as a server start is slow
        rig = stack.enter_context(print_rig(root / "printer")) if args.quick else None
        shared = rig[0].server if rig else None

        def printer() -> Any:
            if rig:
                return print_bursts(*rig, plan["burst"], plan["bursts"], plan["burst_waiting"])
            with print_rig(root / "printer") as (bench, token):
                return print_bursts(bench, token, plan["burst"], plan["bursts"], plan["burst_waiting"])

        steps: dict[str, Callable[[], Any]] = {
            "anchors": lambda: bare_sqlite(root, requests, plan["burst"]),
            "levels": lambda: on_server(root, "levels", lambda s: queue_lengths(s, plan["levels"], requests), shared),
            "finished": lambda: on_server(root, "finished", lambda s: with_finished_day(
                s, plan["finished"], plan["levels"][-1], requests), shared),
            "fanout": lambda: on_server(root, "fanout", lambda s: fanout(s, plan["displays"], plan["rounds"],
                                                                     called_only=args.called_only), shared),
            "printer": printer,
            "sustain": lambda: on_server(root, "sustain", lambda s: sustain(
                s, seconds=args.sustain_s if args.sustain_s is not None else (60 if not args.quick else 1),
                checkins=plan["rates"][0], nexts=plan["rates"][1], displays=plan["sustain_displays"]), shared),
            "memory": lambda: on_server(root, "memory", lambda s: rss_after_day(s, plan["day"], plan["day_displays"]), shared),
        }
        for part in PARTS:
            if part in args.skip:
                continue
            if not args.json:
                print(f"... {part} (load {' '.join(f'{x:.2f}' for x in load_average())})", file=sys.stderr, flush=True)
            began = time.perf_counter()
            results[part] = steps[part]()
            results.setdefault("part_s", {})[part] = round(time.perf_counter() - began, 1)
            if args.save:  # after every part: a long run can be read while it goes on
                args.save.parent.mkdir(parents=True, exist_ok=True)
                args.save.write_text(json.dumps(results, indent=2), encoding="utf-8")
    results["load_after"] = load_average()
    results["took_s"] = round(time.perf_counter() - started, 1)
    return results


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.server_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="few requests of each kind: does it still run")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--called-only", action="store_true",
                        help="the bare broadcast relays only ticket.called (as before stop 36), not every message of the Next")
    parser.add_argument("--save", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--sustain-s", type=float, default=None, help="seconds of sustained load (60)")
    parser.add_argument("--requests", type=int, default=None, help="requests per batch (100; quick 4)")
    parser.add_argument("--skip", action="append", default=[], choices=PARTS, metavar="PART",
                        help=f"leave a part out (repeatable): {', '.join(PARTS)}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    results = run(args)
    if args.save:
        args.save.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
