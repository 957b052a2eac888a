"""A city of three offices on one machine: three office servers, one NATS server, one PostgreSQL.

A morning in every office lands in the city's read model as the union of their events; one
office's link is cut while it works on, and after the link is back every event is in the city
once, in order per office; the city site finds the earliest time across the three, books it,
and that office's kiosk checks the QR code in; an office down during a search is named.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import nats
import psycopg
import pytest

from counter_server.config.city import default_stream
from tests.conftest import LiveServer, ServerFactory

from .conftest import Nats, Postgres
from .helpers import (
    CityService,
    CitySite,
    city_seqs,
    morning,
    office_seqs,
    unsent,
    wait_until,
    with_city,
)
from .link import Link

# (id, name, district, the office clock's start): Mitte's day starts first, so its first free time is
# the city's earliest; it is listed second, so the order of city.toml does not decide.
OFFICES = (("nord", "Bürgeramt Nord", "Nord", "2026-12-01T10:30"),
           ("mitte", "Bürgeramt Mitte", "Mitte", "2026-12-01T09:00"),
           ("sued", "Bürgeramt Süd", "Süd", "2026-12-01T10:00"))


def office_events(server: LiveServer) -> list[tuple[int, str]]:
    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        return [(seq, type_) for seq, type_ in db.execute("SELECT seq, type FROM events ORDER BY seq")]


def city_events(dsn: str) -> set[tuple[str, int, str]]:
    with psycopg.connect(dsn) as conn:
        return {(o, s, t) for o, s, t in conn.execute("SELECT office, seq, type FROM city_events").fetchall()}


def stream_seqs(url: str, office_id: str) -> list[int]:
    """The office seq of every message in the office's stream, in stream order."""
    async def read() -> list[int]:
        nc = await nats.connect(url)
        try:
            js = nc.jetstream()
            stream = default_stream(office_id)
            count = (await js.stream_info(stream)).state.messages
            return [json.loads((await js.get_msg(stream, n)).data or b"{}")["seq"] for n in range(1, count + 1)]
        finally:
            await nc.close()

    return asyncio.run(read())


def in_city(dsn: str, server: LiveServer, office_id: str) -> bool:
    return city_seqs(dsn, office_id) == office_seqs(server)


@pytest.fixture
def city(server_factory: ServerFactory, nats_server: Nats, postgres: Postgres,
         tmp_path: Path) -> Iterator[tuple[dict[str, LiveServer], dict[str, Link], CityService]]:
    links = {office_id: Link(nats_server.port) for office_id, *_ in OFFICES}
    for link in links.values():
        link.mend()
    servers = {office_id: server_factory(clock=clock, edit_config=with_city(links[office_id].url, office_id))
               for office_id, _, _, clock in OFFICES}
    service = CityService(nats_server.url, postgres.dsn, tmp_path)
    service.start()
    yield servers, links, service
    service.stop()
    for link in links.values():
        link.close()


def test_three_offices_one_city(city: tuple[dict[str, LiveServer], dict[str, Link], CityService],
                                nats_server: Nats, postgres: Postgres, tmp_path: Path) -> None:
    servers, links, _ = city
    for n, server in enumerate(servers.values()):
        morning(server, 4 + n, calls=2)
    for office_id, server in servers.items():
        wait_until(lambda o=office_id, s=server: in_city(postgres.dsn, s, o), timeout=90, what=f"{office_id} in the city")
    union = {(o, seq, type_) for o, s in servers.items() for seq, type_ in office_events(s)}
    assert city_events(postgres.dsn) == union
    with psycopg.connect(postgres.dsn) as conn:
        created = dict(conn.execute("SELECT office, tickets_created FROM office_stats").fetchall())
    assert created == {"nord": 4, "mitte": 5, "sued": 6}

    # Nord's link is cut; Nord works on, the others still reach the city
    links["nord"].cut()
    before = len(office_seqs(servers["nord"]))
    for server in servers.values():
        morning(server, 5, calls=1)
    for office_id in ("mitte", "sued"):
        wait_until(lambda o=office_id: in_city(postgres.dsn, servers[o], o), timeout=90, what=f"{office_id} on")
    assert len(office_seqs(servers["nord"])) > before and unsent(servers["nord"]) > 0
    assert city_seqs(postgres.dsn, "nord") == office_seqs(servers["nord"])[:len(city_seqs(postgres.dsn, "nord"))]
    assert len(city_seqs(postgres.dsn, "nord")) < len(office_seqs(servers["nord"]))

    links["nord"].mend()
    wait_until(lambda: unsent(servers["nord"]) == 0, timeout=120, what="Nord's backlog drained")
    wait_until(lambda: in_city(postgres.dsn, servers["nord"], "nord"), timeout=90, what="Nord in the city")
    assert city_events(postgres.dsn) == {(o, seq, t) for o, s in servers.items() for seq, t in office_events(s)}
    for office_id, server in servers.items():  # once each, in order: the streams hold no repeat
        assert stream_seqs(nats_server.url, office_id) == office_seqs(server)

    # the city's booking site over the three
    site = CitySite([(o, name, district, servers[o]) for o, name, district, _ in OFFICES], tmp_path / "site")
    site.start()
    try:
        search_book_and_check_in(site, servers, postgres)
        servers["sued"].stop()
        page = httpx.get(site.url + "/search", params={"service_id": "ausweis"}, timeout=60)
        assert page.status_code == 200 and "Bürgeramt Süd ist gerade nicht erreichbar" in page.text
        assert "Frühester Termin: Bürgeramt Mitte" in page.text
    finally:
        site.stop()


def search_book_and_check_in(site: CitySite, servers: dict[str, LiveServer], postgres: Postgres) -> None:
    page = httpx.get(site.url + "/search", params={"service_id": "ausweis"}, timeout=60)
    assert page.status_code == 200, page.text
    found = re.findall(r'name="office" value="([^"]+)".*?name="start" value="([^"]+)"', page.text, re.S)
    assert [office for office, _ in found] == ["mitte", "sued", "nord"]
    firsts = {}
    for office_id, server in servers.items():
        with server.client("booking") as client:
            slots = client.get("/api/v1/slots", params={"service_id": "ausweis", "date": "2026-12-01"}).json()
        firsts[office_id] = datetime.fromisoformat(slots["slots"][0]["start"])
    office, start = found[0]
    assert datetime.fromisoformat(start) == min(firsts.values()) == firsts["mitte"]

    key = re.search(r'name="key" value="([^"]+)"', page.text)
    assert key is not None
    booked = httpx.post(site.url + "/book", timeout=30, data={
        "office": office, "service_id": "ausweis", "start": start, "key": key.group(1), "lang": "de"})
    assert booked.status_code == 200, booked.text
    code = re.search(r'<dd class="code">([^<]+)</dd>', booked.text)
    assert code is not None
    mitte = servers["mitte"]
    with mitte.client("booking") as client:
        day = client.get("/api/v1/appointments", params={"date": "2026-12-01"}).json()["appointments"]
        appointment = next(a for a in day if a["code"] == code.group(1))
        token = client.get(f"/api/v1/appointments/{appointment['id']}").json()["token"]

    mitte.stop()  # the office's clock on to shortly before the slot
    mitte.start(clock=(datetime.fromisoformat(start) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    with mitte.client("kiosk") as kiosk:
        checkin = kiosk.post("/api/v1/checkins", json={"appointment_token": token},
                             headers={"Idempotency-Key": str(uuid.uuid4())})
    assert checkin.status_code == 201, checkin.text

    def arrived() -> bool:  # the booking and its check-in reach the city too
        with psycopg.connect(postgres.dsn) as conn:
            row = conn.execute("SELECT status FROM appointments WHERE office = 'mitte' AND id = %s",
                               (appointment["id"],)).fetchone()
        return row is not None and row[0] == "checked_in"

    wait_until(arrived, timeout=90, what="the check-in in the city's read model")
