"""Offices in a city: office.toml with `[city]`, traffic, the city service and its database."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

from bench.harness import LiveServer, stop_process


def with_city(nats_url: str, office_id: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        text = text.replace('id = "buergeramt-musterstadt"', f'id = "{office_id}"', 1)
        return text + f'\n[city]\nnats_url = "{nats_url}"\n'
    return edit


def morning(server: LiveServer, walk_ins: int, *, calls: int = 0) -> None:
    """Walk-ins take tickets; counter 1 opens and calls and finishes `calls` of them."""
    with server.client("kiosk") as kiosk:
        for _ in range(walk_ins):
            response = kiosk.post("/api/v1/checkins", json={"service_id": "ausweis"},
                                  headers={"Idempotency-Key": str(uuid.uuid4())})
            assert response.status_code == 201, response.text
    if not calls:
        return
    with server.client("counter:1") as counter:
        assert counter.post("/api/v1/counters/1/state", json={"state": "open"},
                            headers={"Idempotency-Key": str(uuid.uuid4())}).status_code == 200
        for _ in range(calls):
            called = counter.post("/api/v1/counters/1/next", headers={"Idempotency-Key": str(uuid.uuid4())})
            assert called.status_code == 200, called.text
            ticket = called.json()["ticket"]["id"]
            for action in ("start", "finish"):
                done = counter.post(f"/api/v1/tickets/{ticket}/{action}",
                                    headers={"Idempotency-Key": str(uuid.uuid4())})
                assert done.status_code == 200, done.text


def office_seqs(server: LiveServer) -> list[int]:
    import sqlite3

    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        return [row[0] for row in db.execute("SELECT seq FROM events ORDER BY seq")]


def unsent(server: LiveServer) -> int:
    import sqlite3

    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        return int(db.execute("SELECT count(*) FROM city_outbox WHERE sent_at IS NULL").fetchone()[0])


def city_seqs(dsn: str, office: str) -> list[int]:
    with psycopg.connect(dsn) as conn:
        try:
            rows = conn.execute("SELECT seq FROM city_events WHERE office = %s ORDER BY seq", (office,)).fetchall()
        except psycopg.errors.UndefinedTable:
            return []
    return [row[0] for row in rows]


def wait_until(check: Callable[[], bool], timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


class CityService:
    """`townhall city` as a child process."""

    def __init__(self, nats_url: str, dsn: str, log_dir: Path, *, batch: int = 200,
                 ack_wait: float = 2.0) -> None:
        self.args = ["--nats", nats_url, "--postgres", dsn, "--batch", str(batch), "--ack-wait", str(ack_wait),
                     "--log-level", "info"]
        self.log_path = log_dir / "city.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, fault: str = "") -> None:
        """`fault` (before_commit:N, before_ack:N): the consumer dies there (tests/city/faulty_city.py)."""
        module = ["tests.city.faulty_city", fault] if fault else ["counter_server.cli", "city"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", *module, *self.args],
                                            stdout=log, stderr=subprocess.STDOUT)

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        stop_process(self.process)


def with_hours(tuesday: str) -> Callable[[str], str]:
    """Office hours on Tuesday (the tests' day) from `tuesday`, e.g. "11:00-18:00"."""
    def edit(text: str) -> str:
        return text.replace('tue = ["08:00-18:00"]', f'tue = ["{tuesday}"]', 1)
    return edit


def both(*edits: Callable[[str], str]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        for one in edits:
            text = one(text)
        return text
    return edit


class CitySite:
    """`townhall city serve` as a child process over these offices: (id, name, district, server)."""

    def __init__(self, offices: list[tuple[str, str, str, LiveServer]], folder: Path, *, city_keys: str = "",
                 places: dict[str, tuple[float, float]] | None = None, tables: str = "") -> None:
        """`city_keys`: more `[city]` lines; `places`: office id -> (lat, lon); `tables`: e.g. `[postcodes]`."""
        from bench.harness import free_port

        folder.mkdir(parents=True, exist_ok=True)
        places = places or {}
        entries = "".join(
            f'\n[[offices]]\nid = "{office_id}"\nname = "{name}"\nurl = "{server.url}"\n'
            f'token = "{server.tokens["booking"]}"\ndistrict = "{district}"\n'
            + (f"lat = {places[office_id][0]}\nlon = {places[office_id][1]}\n" if office_id in places else "")
            for office_id, name, district, server in offices
        )
        self.config = folder / "city.toml"
        self.config.write_text('[city]\nname = "Stadt Musterstadt"\nsearch_days = 7\ntimeout_s = 5\n' + city_keys
                               + "\n" + tables + "\n" + entries, encoding="utf-8")
        self.port = free_port()
        self.log_path = folder / "city-site.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import httpx

        command = [sys.executable, "-m", "counter_server.cli", "city", "serve", "--config", str(self.config),
                   "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

        def up() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(self.log_path.read_text())
            try:
                return httpx.get(self.url + "/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, timeout=90, what="townhall city serve answers")

    def stop(self) -> None:
        stop_process(self.process)
