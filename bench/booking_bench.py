"""Booking site figures: the times page's p99 on loopback with a month booked, and a month of
free slots computed in process (goals: < 50 ms and < 20 ms).

Run: `.venv/bin/python -m bench.booking_bench [--requests N]`. The anchor (a fixed
pure-Python loop, bench/policy_bench.py) says how fast the machine was at the time;
compare two runs relative to their anchors.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from bench.harness import LiveServer
from bench.policy_bench import anchor_ms
from counter_server.bookings.commands import book
from counter_server.bookings.rows import day_of
from counter_server.bookings.views import free_slots_of
from counter_server.config import load_config
from counter_server.keys import keyring_for
from counter_server.site.month_cache import MonthCache
from counter_server.site.proposals import month_of_slots
from counter_server.store import Store
from counter_server.uow import Work

CLOCK = "2026-12-01T08:00"
DAYS = 28


def fill_month(data_dir: Path, share_taken: float = 0.8) -> int:
    """Book about `share_taken` of every errand's free times over the next four weeks."""
    config = load_config(data_dir / "office.toml")
    store = Store(data_dir / "townhall.db")
    from counter_server.clock import Clock

    now = Clock.starting_at(CLOCK, config.office.timezone).now()
    made = 0
    try:
        for service in config.office.services:
            for offset in range(DAYS):
                day = day_of(config, now) + timedelta(days=offset)
                slots = store.read_sync(lambda db, d=day, s=service: free_slots_of(db, config, service=s, day=d, now=now))
                for slot in slots[: int(len(slots) * share_taken)]:
                    def act(tx: object, s=service, start=slot.start) -> None:
                        work = Work(tx=tx, config=config, keyring=keyring_for(data_dir))  # type: ignore[arg-type]
                        try:
                            book(work, service_id=s.id, start=start.isoformat(), contact={"name": "B"}, device_id="bench")
                        except Exception:
                            pass  # taken by an earlier booking of another errand
                    store.write_sync(act, now=now)
                    made += 1
    finally:
        store.close()
    return made


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def month_of_slots_ms(data_dir: Path, repeat: int = 30, *, cached: bool = False) -> list[float]:
    """A month computed from the bookings each time, or (`cached`) as the site gets it: from the
    month cache once it holds the month for this version of the data."""
    config = load_config(data_dir / "office.toml")
    store = Store(data_dir / "townhall.db")
    from counter_server.clock import Clock

    now = Clock.starting_at(CLOCK, config.office.timezone).now()
    service = config.office.service("ausweis")
    assert service is not None
    times = []
    cache = MonthCache()
    try:
        for _ in range(repeat):
            began = time.perf_counter()
            if cached:
                store.read_sync(lambda db: cache.month(db, config, commits=store.commits, service=service,
                                                       now=now, days=DAYS))
            else:
                store.read_sync(lambda db: month_of_slots(db, config, service=service, now=now, days=DAYS))
            times.append((time.perf_counter() - began) * 1000)
    finally:
        store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = LiveServer.prepare(Path(tmp) / "office", CLOCK)
        made = fill_month(server.data_dir)
        slots = month_of_slots_ms(server.data_dir)
        kept = month_of_slots_ms(server.data_dir, 300, cached=True)[1:]  # the first one fills the cache
        server.start()
        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                for _ in range(10):
                    client.get("/book/ausweis")
                page = []
                for _ in range(args.requests):
                    began = time.perf_counter()
                    answer = client.get("/book/ausweis")
                    page.append((time.perf_counter() - began) * 1000)
                    assert answer.status_code == 200
        finally:
            server.stop()
    print(f"{made} bookings over {DAYS} days; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())};"
          f" anchor {anchor_ms():.2f} ms")
    print(f"times page /book/ausweis, {args.requests} requests: p50 {statistics.median(page):.1f} ms,"
          f" p99 {percentile(page, 0.99):.1f} ms (goal < 50 ms)")
    print(f"a month of free slots (ausweis), {len(slots)} runs: p50 {statistics.median(slots):.1f} ms,"
          f" p99 {percentile(slots, 0.99):.1f} ms (goal < 20 ms)")
    print(f"the same month from the site's cache (once computed for this version), {len(kept)} runs:"
          f" p50 {statistics.median(kept):.2f} ms, p99 {percentile(kept, 0.99):.2f} ms")


if __name__ == "__main__":
    main()
