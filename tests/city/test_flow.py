"""Events of a live office reach the city's PostgreSQL once each, through outages and crashes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ServerFactory

from .conftest import Nats, Postgres
from .helpers import CityService, city_seqs, morning, office_seqs, unsent, wait_until, with_city


@pytest.fixture
def city(nats_server: Nats, postgres: Postgres, tmp_path: Path) -> Iterator[CityService]:
    service = CityService(nats_server.url, postgres.dsn, tmp_path)
    yield service
    service.stop()


def test_events_of_a_live_office_arrive_in_postgres(
    server_factory: ServerFactory, nats_server: Nats, postgres: Postgres, city: CityService,
) -> None:
    office = server_factory(edit_config=with_city(nats_server.url, "mitte"))
    city.start()
    morning(office, 5, calls=2)
    wait_until(lambda: city_seqs(postgres.dsn, "mitte") == office_seqs(office), what="all events in the city")
    with psycopg.connect(postgres.dsn) as conn:
        states = dict(conn.execute(
            "SELECT state, count(*) FROM tickets WHERE office = 'mitte' GROUP BY state").fetchall())
        stats = conn.execute("SELECT tickets_created, tickets_finished FROM office_stats"
                             " WHERE office = 'mitte'").fetchone()
        payloads = [row[0] for row in conn.execute("SELECT data::text FROM city_events").fetchall()]
    assert states == {"done": 2, "waiting": 3}
    assert stats == (5, 2)
    # nothing that links to a person or a visitor's status page leaves the office
    assert payloads and not any(key in text for text in payloads for key in ('"public_id"', '"email"', '"phone"'))
    assert unsent(office) == 0


def test_an_office_without_city_writes_no_outbox(server_factory: ServerFactory) -> None:
    office = server_factory()
    morning(office, 3)
    assert office_seqs(office) and unsent(office) == 0


def test_backlog_drains_after_a_nats_outage_each_event_once(
    server_factory: ServerFactory, nats_server: Nats, postgres: Postgres, city: CityService,
) -> None:
    office = server_factory(edit_config=with_city(nats_server.url, "nord"))
    city.start()
    morning(office, 3)
    wait_until(lambda: city_seqs(postgres.dsn, "nord") == office_seqs(office), what="before the outage")
    nats_server.stop()
    morning(office, 20, calls=5)  # the office works on without its city
    assert unsent(office) > 0
    nats_server.start()
    wait_until(lambda: unsent(office) == 0, timeout=60, what="backlog drained")
    wait_until(lambda: city_seqs(postgres.dsn, "nord") == office_seqs(office), timeout=60,
               what="every event in the city, once, in order")


@pytest.mark.parametrize("fault", ["before_commit:7", "before_ack:7"])
def test_a_city_service_killed_mid_batch_loses_and_doubles_nothing(
    server_factory: ServerFactory, nats_server: Nats, postgres: Postgres, tmp_path: Path, fault: str,
) -> None:
    office = server_factory(edit_config=with_city(nats_server.url, "sued"))
    morning(office, 30, calls=4)
    wait_until(lambda: unsent(office) == 0, what="office published everything")
    crashing = CityService(nats_server.url, postgres.dsn, tmp_path, batch=5, ack_wait=1.0)
    crashing.start(fault=fault)
    assert crashing.wait_exit() == 3  # it died mid-way, as planned
    restarted = CityService(nats_server.url, postgres.dsn, tmp_path, batch=5, ack_wait=1.0)
    restarted.start()
    try:
        wait_until(lambda: city_seqs(postgres.dsn, "sued") == office_seqs(office), timeout=60,
                   what="every event once after the restart")
        with psycopg.connect(postgres.dsn) as conn:
            stats = conn.execute("SELECT events, tickets_created, tickets_finished FROM office_stats").fetchone()
        assert stats == (len(office_seqs(office)), 30, 4)
    finally:
        restarted.stop()


def test_an_office_starts_and_works_while_its_city_was_never_reachable(
    server_factory: ServerFactory, nats_server: Nats, postgres: Postgres, city: CityService,
) -> None:
    nats_server.stop()
    office = server_factory(edit_config=with_city(nats_server.url, "ost"))
    morning(office, 4, calls=1)
    assert unsent(office) == len(office_seqs(office)) > 0
    nats_server.start()
    city.start()
    wait_until(lambda: city_seqs(postgres.dsn, "ost") == office_seqs(office), timeout=60,
               what="the backlog of a never-connected office in the city")
