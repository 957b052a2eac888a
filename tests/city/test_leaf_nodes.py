"""Each office on its own NATS leaf node, as the issue has it: the city's NATS is the hub
(JetStream on), an office's server talks only to its leaf. Nord's WAN link is cut (its leaf
stays up), then its leaf is stopped altogether; Nord works on the whole time, and once leaf and
link are back every event is in the city once, in order, and the catalogue published while Nord
was away is applied there too."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.city_engines import EngineMissing
from bench.harness import free_port
from tests.conftest import LiveServer, ServerFactory

from .conftest import Postgres
from .helpers import (
    CityService,
    both,
    city_seqs,
    morning,
    office_seqs,
    unsent,
    wait_until,
    with_city,
)
from .leaf import DOMAIN, NatsNode, hub, leaf, nodes, scratch
from .link import Link
from .ops_helpers import townhall_city, write_city_toml
from .test_three_offices import in_city, stream_seqs

DATA = Path(__file__).parent / "data"


def in_domain(text: str) -> str:
    return text + f'jetstream_domain = "{DOMAIN}"\n'


def applied_version(server: LiveServer) -> int:
    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        row = db.execute("SELECT data FROM events WHERE type = 'catalogue.applied' ORDER BY seq DESC").fetchone()
    return int(json.loads(row[0])["version"]) if row else 0


@pytest.fixture
def leaves(server_factory: ServerFactory, postgres: Postgres, tmp_path: Path) -> Iterator[
        tuple[NatsNode, dict[str, NatsNode], Link, dict[str, LiveServer], Path]]:
    with scratch() as folder:
        leaf_port = free_port()
        wan = Link(leaf_port)  # Nord's WAN link; Mitte's leaf goes to the hub directly
        city_hub = hub(folder, leaf_port, advertise=wan.port)
        wan.mend()
        office_leaves = {"nord": leaf("nord", folder, wan.port), "mitte": leaf("mitte", folder, leaf_port)}
        try:
            with nodes(city_hub, *office_leaves.values()):
                catalogue = tmp_path / "errands.toml"
                catalogue.write_text((DATA / "errands.toml").read_text(encoding="utf-8"), encoding="utf-8")
                config = write_city_toml(tmp_path / "city", city_hub.url, postgres.dsn, dict.fromkeys(office_leaves),
                                         catalogue)
                townhall_city("init", "--config", str(config))
                servers = {o: server_factory(edit_config=both(with_city(node.url, o), in_domain))
                           for o, node in office_leaves.items()}
                service = CityService(city_hub.url, postgres.dsn, tmp_path)
                service.start()
                try:
                    yield city_hub, office_leaves, wan, servers, config
                finally:
                    service.stop()
                    wan.close()
        except EngineMissing as missing:
            pytest.skip(str(missing))


def test_an_office_behind_its_own_leaf_node_loses_and_regains_the_city(
        leaves: tuple[NatsNode, dict[str, NatsNode], Link, dict[str, LiveServer], Path], postgres: Postgres) -> None:
    city_hub, office_leaves, wan, servers, config = leaves
    for n, server in enumerate(servers.values()):
        morning(server, 3 + n, calls=1)
    for office_id, server in servers.items():
        wait_until(lambda o=office_id, s=server: in_city(postgres.dsn, s, o), timeout=90, what=f"{office_id} in the city")

    wan.cut()  # the WAN is down: Nord's leaf is up, its hub is not reachable
    for server in servers.values():
        morning(server, 4, calls=1)
    wait_until(lambda: in_city(postgres.dsn, servers["mitte"], "mitte"), timeout=90, what="Mitte goes on")
    wait_until(lambda: unsent(servers["nord"]) > 0, timeout=30, what="Nord's backlog")

    office_leaves["nord"].stop()  # and now Nord's leaf node itself is gone
    townhall_city("catalogue", "publish", "--config", str(config))
    morning(servers["nord"], 5, calls=2)  # Nord works on without any NATS
    wait_until(lambda: applied_version(servers["mitte"]) == 1, timeout=60, what="Mitte took the catalogue")
    assert applied_version(servers["nord"]) == 0
    nord_in_city = city_seqs(postgres.dsn, "nord")
    assert nord_in_city == office_seqs(servers["nord"])[:len(nord_in_city)]
    assert unsent(servers["nord"]) >= 4 + 5 * 2 + 2

    office_leaves["nord"].start()
    wan.mend()
    wait_until(lambda: applied_version(servers["nord"]) == 1, timeout=90, what="Nord took the catalogue when back")
    wait_until(lambda: unsent(servers["nord"]) == 0, timeout=120, what="Nord's backlog drained")
    for office_id, server in servers.items():
        wait_until(lambda o=office_id, s=server: in_city(postgres.dsn, s, o), timeout=90, what=f"{office_id} in the city")
        assert stream_seqs(city_hub.url, office_id) == office_seqs(server)  # once each, in order
    def reports() -> dict[str, int]:
        status = json.loads(townhall_city("catalogue", "status", "--config", str(config), "--json").stdout)
        return {row["office"]: row["version"] for row in status["offices"] if row["state"] == "applied"}

    wait_until(lambda: reports() == {"nord": 1, "mitte": 1}, timeout=60, what="both reports in the city")
