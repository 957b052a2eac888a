"""City layer figures: office commit -> city PostgreSQL latency, and a backlog drained after an outage.

    .venv/bin/python -m bench.city_bench [--checkins 300] [--backlog 100000]

Starts a NATS server (JetStream), a PostgreSQL cluster, one office with `[city]` and
`townhall city`, all on loopback. Latency: walk-in check-ins one after another; each event's
time in the city (`received_at`, PostgreSQL's clock) minus its commit time in the office
(`at`, the office clock, corrected by the office clock's offset from real time), p50/p99.
Backlog: NATS stopped, `--backlog` events written straight into the office's database (the
outbox trigger fills the outbox as for any writer), NATS started again: the time until the
office's outbox is empty and until every event is in PostgreSQL, in events per second.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg

from counter_server.cli import init_data_dir

from .city_engines import Postgres, nats_server, postgres_cluster
from .harness import LiveServer, stop_process

CLOCK = "2026-12-01T09:00"
OFFICE = "bench"


def _office(root: Path, nats_url: str) -> LiveServer:
    data_dir = root / "office"
    init_data_dir(data_dir, demo_office=True)
    config = data_dir / "office.toml"
    text = config.read_text(encoding="utf-8").replace('id = "buergeramt-musterstadt"', f'id = "{OFFICE}"', 1)
    config.write_text(text + f'\n[city]\nnats_url = "{nats_url}"\n', encoding="utf-8")
    server = LiveServer.prepare(data_dir, CLOCK)
    server.start()
    return server


def _city(nats_url: str, dsn: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "counter_server.cli", "city", "--nats", nats_url, "--postgres", dsn]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def _count(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        try:
            row = conn.execute("SELECT count(*) FROM city_events").fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


def _office_count(server: LiveServer, where: str = "") -> int:
    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        return int(db.execute(f"SELECT count(*) FROM {where or 'events'}").fetchone()[0])


def _wait(check: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise RuntimeError(f"not within {timeout} s")


def _clock_offset_s(server: LiveServer) -> float:
    """The office clock minus real time (the bench runs the office on a fixed morning)."""
    before = time.time()
    now = httpx.get(server.url + "/health", timeout=10).json()["now"]
    after = time.time()
    return datetime.fromisoformat(now).timestamp() - (before + after) / 2


def latency(server: LiveServer, pg: Postgres, checkins: int) -> dict[str, float]:
    offset = _clock_offset_s(server)
    start_seq = _office_count(server)
    with server.client("kiosk") as kiosk:
        for _ in range(checkins):
            answer = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"},
                                headers={"Idempotency-Key": str(uuid.uuid4())})
            assert answer.status_code == 201, answer.text
            time.sleep(0.02)
    total = _office_count(server)
    _wait(lambda: _count(pg.dsn) >= total, 120)
    with psycopg.connect(pg.dsn) as conn:
        rows = conn.execute("SELECT extract(epoch FROM received_at) - extract(epoch FROM at) FROM city_events"
                            " WHERE seq > %s", (start_seq,)).fetchall()
    delays = sorted(float(r[0]) + offset for r in rows)
    return {"events": len(delays), "p50_ms": 1000 * statistics.median(delays),
            "p99_ms": 1000 * delays[min(len(delays) - 1, int(0.99 * len(delays)))], "max_ms": 1000 * delays[-1]}


def _write_backlog(server: LiveServer, count: int) -> None:
    at = datetime.now(UTC).isoformat()
    rows = []
    for n in range(count):
        ticket = {"id": f"bench-{n}", "number": f"Z{n:06d}", "service_id": "ausweis", "kind": "walk_in",
                  "state": "waiting", "created_at": at}
        rows.append((at, "ticket.created", json.dumps({"ticket": ticket}, separators=(",", ":"))))
    with sqlite3.connect(server.data_dir / "townhall.db", timeout=30) as db:
        db.executemany("INSERT INTO events (at, type, data) VALUES (?, ?, ?)", rows)


def backlog(server: LiveServer, pg: Postgres, nats: object, count: int) -> dict[str, float]:
    nats.stop()  # type: ignore[attr-defined]
    _write_backlog(server, count)
    total = _office_count(server)
    unsent = "city_outbox WHERE sent_at IS NULL"
    start = time.monotonic()
    nats.start()  # type: ignore[attr-defined]
    _wait(lambda: _office_count(server, unsent) == 0, 3600)
    published = time.monotonic() - start
    _wait(lambda: _count(pg.dsn) >= total, 3600)
    stored = time.monotonic() - start
    return {"events": count, "published_s": published, "in_postgres_s": stored,
            "published_per_s": count / published, "in_postgres_per_s": count / stored,
            "outbox_rows_after": _office_count(server, "city_outbox")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkins", type=int, default=300)
    parser.add_argument("--backlog", type=int, default=100_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="townhall-city-bench-"))
    with nats_server() as nats, postgres_cluster() as pg:
        server = _office(root, nats.url)
        city = _city(nats.url, pg.dsn, root / "city.log")
        try:
            # warm: the city service finds the office's stream (every 5 s) before anything is timed
            latency(server, pg, 1)
            print(json.dumps({"latency": latency(server, pg, args.checkins)}), flush=True)
            print(json.dumps({"backlog": backlog(server, pg, nats, args.backlog)}), flush=True)
        finally:
            stop_process(city)
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
