"""A simulated city replayed through the city service: 40 offices x 400 visits a day into PostgreSQL.

    nice -n 10 .venv/bin/python -m bench.city_scale [--offices 40] [--visits 400] [--days 1] [--seed 1]

Starts a NATS server (JetStream), a throwaway PostgreSQL cluster and `townhall city` (the real
service, batch 200). Each office's days are generated as its server would write them (walk-ins
and bookings: created, called, started, finished or no-show; counters opened and closed;
bookings' `appointment.changed`), published to the office's own stream with the office's
publisher code (`Nats-Msg-Id` = office:seq), all offices at once. Reported: the time until
every event is in PostgreSQL and events per second; the database's size and the largest
relations; then the city statistics built from it (every office day) and the city's month
figures read, timed. The CPU anchor (`bench.policy_bench.anchor_ms`) and the load average are
printed before and after, so a figure can be read against the machine's pace in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import nats
import psycopg

from counter_server.city import outbox, publisher, stats_query, stats_store
from counter_server.config.city import default_stream
from counter_server.core import stats
from counter_server.stats.query import select

from .city_engines import nats_server, postgres_cluster
from .harness import stop_process
from .policy_bench import anchor_ms

ZONE = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2026, 11, 2)  # a Monday, in the past: the city builds it as a closed day
SERVICES = ("ausweis", "pass", "meldung", "fuehrerschein", "gewerbe", "kfz")
COUNTERS = 6
BOOKED_SHARE = 0.25
PUBLISH_ROUND = 500


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _visit(rng: random.Random, n: int, day: date, opens: datetime) -> list[tuple[datetime, str, dict[str, Any]]]:
    """One visit's events: a ticket from check-in to its end (and a booking's changes)."""
    arrived = opens + timedelta(seconds=rng.uniform(0, 9 * 3600))
    booked = rng.random() < BOOKED_SHARE
    service, counter = rng.choice(SERVICES), str(rng.randint(1, COUNTERS))
    ticket = {"id": f"{day.isoformat()}-{n}", "number": f"A{n:03d}", "service_id": service,
              "kind": "appointment" if booked else "walk_in", "arrived_at": _at(arrived), "created_at": _at(arrived)}
    events: list[tuple[datetime, str, dict[str, Any]]] = []
    if booked:
        slot = arrived + timedelta(minutes=rng.uniform(-5, 10))
        ticket["appointment_at"] = _at(slot)
        appointment = {"id": f"apt-{day.isoformat()}-{n}", "service_id": service, "start": _at(slot)}
        events.append((arrived - timedelta(days=3), "appointment.changed", {"appointment": {**appointment, "status": "booked"}}))
        events.append((arrived, "appointment.changed", {"appointment": {**appointment, "status": "checked_in"}}))
    called = arrived + timedelta(minutes=rng.expovariate(1 / (6 if booked else 18)))
    events.append((arrived, "ticket.created", {"ticket": {**ticket, "state": "waiting"}, "eta_min": rng.randint(5, 30)}))
    events.append((called, "ticket.called", {"ticket": {**ticket, "state": "called", "counter_id": counter}}))
    if rng.random() < 0.05:
        events.append((called + timedelta(minutes=3), "ticket.no_show", {"ticket": {**ticket, "state": "no_show"}}))
        return events
    started = called + timedelta(seconds=40)
    events.append((started, "ticket.started", {"ticket": {**ticket, "state": "serving", "counter_id": counter}}))
    done = started + timedelta(minutes=max(2.0, rng.gauss(9, 4)))
    events.append((done, "ticket.finished", {"ticket": {**ticket, "state": "done", "counter_id": counter}}))
    return events


def office_events(office: str, days: int, visits: int, seed: int) -> list[outbox.Pending]:
    """An office's days as its server's events, in time order, seq from 1."""
    rng = random.Random(f"{seed}:{office}")
    timed: list[tuple[datetime, str, dict[str, Any]]] = []
    for offset in range(days):
        day = FIRST_DAY + timedelta(days=offset)
        opens = datetime(day.year, day.month, day.day, 8, tzinfo=ZONE)
        for counter in range(1, COUNTERS + 1):
            timed.append((opens, "counter.state", {"counter": {"id": str(counter), "state": "open"}}))
            timed.append((opens + timedelta(hours=10), "counter.state", {"counter": {"id": str(counter), "state": "closed"}}))
        for n in range(visits):
            timed += _visit(rng, n, day, opens)
    timed.sort(key=lambda e: e[0])
    return [outbox.Pending(seq, _at(at), type_, data) for seq, (at, type_, data) in enumerate(timed, start=1)]


async def _publish(nats_url: str, city: dict[str, list[outbox.Pending]]) -> None:
    """Every office's events to its stream, the offices side by side, as their publishers would."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()

    async def one(office: str, events: list[outbox.Pending]) -> None:
        for start in range(0, len(events), PUBLISH_ROUND):
            rows = events[start:start + PUBLISH_ROUND]
            done = await publisher.publish_batch(js, office, rows)
            assert len(done) == len(rows), f"{office}: {len(rows) - len(done)} not acknowledged"

    try:
        await asyncio.gather(*(one(office, events) for office, events in city.items()))
    finally:
        await nc.close()


async def _streams_ready(nats_url: str, offices: list[str], timeout: float = 60) -> None:
    """Each office's stream exists and the city service holds its durable consumer on it."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        for office in offices:
            await publisher.ensure_stream(js, default_stream(office), office)
        deadline = time.monotonic() + timeout
        for office in offices:
            while True:
                try:
                    await js.consumer_info(default_stream(office), "city")
                    break
                except nats.js.errors.NotFoundError:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.5)
    finally:
        await nc.close()


def _count(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM city_events").fetchone()
    return int(row[0]) if row else 0


def _sizes(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        database = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC").fetchall()
    return {"database_mb": round((database or (0,))[0] / 2**20, 1),
            "tables_mb": {name: round(size / 2**20, 1) for name, size in rows}}


def _statistics(dsn: str, offices: list[str], days: int) -> dict[str, Any]:
    """Every office day built from the events, then the city's month looked at twice, timed."""
    last = FIRST_DAY + timedelta(days=days - 1)
    sel = select("month", FIRST_DAY)
    found: dict[str, Any] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        started = time.monotonic()
        found["office_days_built"] = stats_store.refresh(conn, offices, FIRST_DAY, last, "Europe/Berlin")
        found["build_s"] = round(time.monotonic() - started, 2)
        for look in ("month_first_look", "month_second_look"):
            started = time.monotonic()
            rebuilt = stats_store.refresh(conn, offices, sel.first, sel.last, "Europe/Berlin")
            checked = time.monotonic()
            by_office = stats_query.visits_by_office(conn, sel, offices)
            visits = stats_query.all_visits(by_office)
            cells = stats.cells(visits, ["service_id"]) + stats_query.per_office(by_office)
            found[look] = {"office_days_built": rebuilt, "check_s": round(checked - started, 3),
                           "visits": len(visits), "cells": len(cells),
                           "read_and_figures_s": round(time.monotonic() - checked, 2)}
    return found


def _machine(label: str) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(json.dumps({label: {"load_average": load, "anchor_ms": round(anchor_ms(), 2)}}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offices", type=int, default=40)
    parser.add_argument("--visits", type=int, default=400, help="visits per office and day (400)")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    _machine("before")
    offices = [f"amt{n:02d}" for n in range(1, args.offices + 1)]
    city = {office: office_events(office, args.days, args.visits, args.seed) for office in offices}
    total = sum(len(events) for events in city.values())
    root = Path(tempfile.mkdtemp(prefix="townhall-city-scale-"))
    with nats_server() as nats_, postgres_cluster() as pg:
        command = [sys.executable, "-m", "counter_server.cli", "city", "--nats", nats_.url, "--postgres", pg.dsn]
        with (root / "city.log").open("ab") as log:
            service = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            asyncio.run(_streams_ready(nats_.url, offices))
            empty = _sizes(pg.dsn)["database_mb"]
            started = time.monotonic()
            asyncio.run(_publish(nats_.url, city))
            published = time.monotonic() - started
            while _count(pg.dsn) < total:
                time.sleep(0.5)
            stored = time.monotonic() - started
            print(json.dumps({"replay": {
                "offices": args.offices, "visits_per_day": args.visits, "days": args.days, "events": total,
                "published_s": round(published, 1), "in_postgres_s": round(stored, 1),
                "events_per_s": round(total / stored), "empty_database_mb": empty, **_sizes(pg.dsn)}}), flush=True)
            print(json.dumps({"statistics": {**_statistics(pg.dsn, offices, args.days), **_sizes(pg.dsn)}}),
                  flush=True)
        finally:
            stop_process(service)
    _machine("after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
