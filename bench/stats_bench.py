"""Statistics figures: a year of a busy office aggregated, a month's report page, the open feed.

    .venv/bin/python -m bench.stats_bench [--visits 60000]

Writes a year of events (walk-ins and booked visits, calls, starts, finishes, no-shows,
counters opening and closing) straight into a fresh office's database, times
`townhall stats rebuild` over every day, then starts the real server on it and times
GET /reports?period=month (HTML) and GET /open/v1/waiting (p99). The anchor (a fixed
pure-Python loop, bench.policy_bench) is timed in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from counter_server.cli import init_data_dir
from counter_server.config import load_config
from counter_server.stats.cli import rebuild
from counter_server.store import connect

from .harness import LiveServer
from .policy_bench import anchor_ms

TZ = ZoneInfo("Europe/Berlin")


def _event(rows: list[tuple[str, str, str]], at: datetime, type_: str, data: dict[str, Any]) -> None:
    rows.append((at.astimezone(UTC).isoformat(), type_, json.dumps(data, separators=(",", ":"))))


def write_year(data_dir: Path, visits: int, seed: int = 1) -> int:
    """A year of weekdays in 2026; returns the number of visits written."""
    config = load_config(data_dir / "office.toml")
    services = [s.id for s in config.office.services]
    counters = [c.id for c in config.office.counters]
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    days = [d for d in days if d.weekday() < 5]
    per_day = visits // len(days)
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []
    written = 0
    for day in days:
        opening = datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ)
        for cid in counters:
            _event(rows, opening, "counter.state", {"counter": {"id": cid, "state": "open"}})
        for i in range(per_day):
            arrived = opening + timedelta(minutes=rng.uniform(0, 570))
            booked = rng.random() < 0.35
            slot = arrived + timedelta(minutes=rng.uniform(-10, 10)) if booked else None
            ticket = {"id": f"{day}-{i}", "number": f"A{i % 899 + 1:03d}", "service_id": rng.choice(services),
                      "kind": "appointment" if booked else "walk_in", "arrived_at": arrived.astimezone(UTC).isoformat(),
                      "appointment_at": slot.astimezone(UTC).isoformat() if slot else None}
            _event(rows, arrived, "ticket.created", {"ticket": ticket, "counter": None, "eta_min": rng.randint(0, 40)})
            called = arrived + timedelta(minutes=rng.expovariate(1 / 15))
            counter = {"id": rng.choice(counters)}
            _event(rows, called, "ticket.called", {"ticket": ticket, "counter": counter})
            if rng.random() < 0.04:
                _event(rows, called + timedelta(minutes=2), "ticket.no_show", {"ticket": ticket, "counter": counter})
            else:
                _event(rows, called + timedelta(minutes=1), "ticket.started", {"ticket": ticket, "counter": counter})
                done = called + timedelta(minutes=1 + rng.expovariate(1 / 9))
                _event(rows, done, "ticket.finished", {"ticket": ticket, "counter": counter})
            written += 1
        closing = opening + timedelta(hours=10)
        for cid in counters:
            _event(rows, closing, "counter.state", {"counter": {"id": cid, "state": "closed"}})
    rows.sort()
    db = connect(data_dir / "townhall.db")
    db.conn.execute("BEGIN")
    db.conn.executemany("INSERT INTO events (at, type, data) VALUES (?, ?, ?)", rows)
    db.conn.execute("COMMIT")
    db.conn.close()
    return written


def _timed(client: httpx.Client, path: str, n: int, params: dict[str, str] | None = None) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.get(path, params=params)
        out.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text[:200]
    return sorted(out)


def _p(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stats_bench", description=__doc__)
    parser.add_argument("--visits", type=int, default=60000)
    args = parser.parse_args(argv)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; anchor {anchor_ms():.2f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "office"
        init_data_dir(data_dir, demo_office=True)
        written = write_year(data_dir, args.visits)
        started = time.perf_counter()
        built = rebuild(data_dir)
        seconds = time.perf_counter() - started
        print(f"year aggregated: {written} visits over {len(built)} days in {seconds:.1f} s"
              f" ({sum(b.visits for b in built)} visit rows)")
        started = time.perf_counter()
        rebuild(data_dir, "2026-06-15")
        print(f"one day rebuilt: {(time.perf_counter() - started) * 1000:.0f} ms")
        server = LiveServer.prepare(data_dir, "2027-01-15T10:00")
        server.start()
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                month = {"period": "month", "date": "2026-06-15", "token": server.tokens["admin"]}
                # each month's page and one plot the first time (nothing drawn for it yet)
                cold = sorted(_timed(client, "/reports", 1, {**month, "date": f"2026-{m:02d}-10"})[0]
                              for m in range(1, 13))
                print(f"month report page, first load of each of 12 months: median {statistics.median(cold):.0f} ms,"
                      f" max {cold[-1]:.0f} ms")
                cold_plot = sorted(_timed(client, "/reports/plots/waits_by_hour.png", 1,
                                          {**month, "date": f"2026-{m:02d}-10"})[0] for m in range(1, 6))
                print(f"one month plot (PNG), first time for 5 months: median {statistics.median(cold_plot):.0f} ms")
                _timed(client, "/reports", 2, month)
                page = _timed(client, "/reports", 20, month)
                print(f"month report page (HTML): median {statistics.median(page):.0f} ms,"
                      f" p95 {_p(page, 0.95):.0f} ms, max {page[-1]:.0f} ms")
                plot = _timed(client, "/reports/plots/waits_by_hour.png", 5, month)
                print(f"one month plot (PNG): median {statistics.median(plot):.0f} ms")
                health = _timed(client, "/health", 1000)
                print(f"baseline /health: median {statistics.median(health):.2f} ms, p99 {_p(health, 0.99):.2f} ms")
                feed = _timed(client, "/open/v1/waiting", 1000)
                print(f"open feed /open/v1/waiting: median {statistics.median(feed):.2f} ms,"
                      f" p99 {_p(feed, 0.99):.2f} ms (1000 requests, one client)")
        finally:
            server.stop()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; anchor {anchor_ms():.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
