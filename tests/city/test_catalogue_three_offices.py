"""The city's errand catalogue over NATS to three offices: published once, each office takes it
into its office.toml (its counters, hours, ticket letters and opt-outs its own) and reports back;
`townhall city catalogue status` shows every office's report. A bad catalogue is refused at the
city with its reason and changes nothing; one that reaches an office anyway is refused there."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import pytest

from counter_server.city.streams import CATALOGUE_SUBJECT
from tests.conftest import LiveServer, ServerFactory

from .conftest import Nats, Postgres
from .helpers import CityService, both, wait_until, with_city
from .ops_helpers import townhall_city, write_city_toml

DATA = Path(__file__).parent / "data"
OFFICES = ("mitte", "nord", "sued")


def skipping(*errands: str) -> Any:
    return lambda text: text + f"skip_errands = {json.dumps(list(errands))}\n"


def status(config: Path) -> dict[str, Any]:
    return dict(json.loads(townhall_city("catalogue", "status", "--config", str(config), "--json").stdout))


def reported(config: Path, version: int, state: str = "applied") -> dict[str, dict[str, Any]] | None:
    found = status(config)
    rows = {row["office"]: row for row in found["offices"]}
    ready = all(rows[o]["version"] == version and rows[o]["state"] == state for o in OFFICES)
    return rows if ready else None


def wait_reports(config: Path, version: int, state: str = "applied") -> dict[str, dict[str, Any]]:
    wait_until(lambda: reported(config, version, state) is not None, timeout=90,
               what=f"every office reported version {version} {state}")
    rows = reported(config, version, state)
    assert rows is not None
    return rows


def errand_names(server: LiveServer) -> dict[str, str]:
    with server.client("kiosk") as kiosk:
        return {s["id"]: s["names"]["de"] for s in kiosk.get("/api/v1/services").json()["services"]}


@pytest.fixture
def city(server_factory: ServerFactory, nats_server: Nats, postgres: Postgres,
         tmp_path: Path) -> Iterator[tuple[Path, dict[str, LiveServer]]]:
    catalogue = tmp_path / "errands.toml"
    catalogue.write_text((DATA / "errands.toml").read_text(encoding="utf-8"), encoding="utf-8")
    config = write_city_toml(tmp_path / "city", nats_server.url, postgres.dsn, dict.fromkeys(OFFICES), catalogue)
    townhall_city("init", "--config", str(config))
    servers = {o: server_factory(edit_config=both(with_city(nats_server.url, o),
                                                  *([skipping("gewerbe")] if o == "sued" else [])))
               for o in OFFICES}
    service = CityService(nats_server.url, postgres.dsn, tmp_path)
    service.args = ["--config", str(config), "--ack-wait", "2", "--log-level", "info"]
    service.start()
    yield config, servers
    service.stop()


def test_catalogue_published_applied_and_reported_by_three_offices(
        city: tuple[Path, dict[str, LiveServer]], nats_server: Nats, tmp_path: Path) -> None:
    config, servers = city
    before = {o: (s.data_dir / "office.toml").read_text(encoding="utf-8") for o, s in servers.items()}
    assert status(config) == {"published": None, "offices": [
        {"office": o, "state": "no report", "version": None} for o in OFFICES]}

    out = townhall_city("catalogue", "publish", "--config", str(config)).stdout
    assert "published catalogue version 1 (4 errands) on townhall.city.catalogue" in out
    rows = wait_reports(config, 1)
    for office in ("mitte", "nord"):
        assert (rows[office]["added"], rows[office]["changed"], rows[office]["unchanged"], rows[office]["skipped"]) \
            == (["gewerbe", "fuehrerschein"], ["ausweis"], ["pass"], [])
    assert rows["sued"]["added"] == ["fuehrerschein"] and rows["sued"]["skipped"] == ["gewerbe"]

    for office, server in servers.items():  # live, without a restart; the file keeps its comments
        names = errand_names(server)
        assert names["ausweis"] == "Personalausweis beantragen" and names["fuehrerschein"] == "Führerschein umtauschen"
        assert ("gewerbe" in names) == (office != "sued")
        text = (server.data_dir / "office.toml").read_text(encoding="utf-8")
        assert re.findall(r"^#.*$", text, re.MULTILINE) == re.findall(r"^#.*$", before[office], re.MULTILINE)
        assert re.sub(r"\[\[services\]\].*?(?=\n\[\[counters\]\])", "", text, flags=re.S) == \
            re.sub(r"\[\[services\]\].*?(?=\n\[\[counters\]\])", "", before[office], flags=re.S)
    text = status_text(config)
    assert "catalogue version 1 (4 errands)" in text and re.search(r"sued +version 1 +applied +1 added", text)

    # a bad catalogue: refused at the city with the field and the reason; nothing published or changed
    files = {o: (s.data_dir / "office.toml").read_bytes() for o, s in servers.items()}
    bad = tmp_path / "bad.toml"
    bad.write_text((DATA / "errands.toml").read_text(encoding="utf-8").replace(
        "duration_min = 25", 'duration_min = 25\ncolour = "red"'), encoding="utf-8")
    refused = townhall_city("catalogue", "publish", "--config", str(config), "--file", str(bad), check=False)
    assert refused.returncode == 2
    assert "errands[2].colour: unknown setting" in refused.stderr and "nothing changed" in refused.stderr
    assert status(config)["published"]["version"] == 1

    # a bad one that reaches the offices anyway (not through the city's check): each refuses it, says why
    asyncio.run(publish_raw(nats_server.url, {"version": 2, "errands": [{"id": "x", "prefix": "X"}]}))
    rows = wait_reports(config, 2, "refused")
    assert all("errands[0].names: is missing" in row["reason"] for row in rows.values())
    assert {o: (s.data_dir / "office.toml").read_bytes() for o, s in servers.items()} == files

    # the next version, then the same file again: a new version once, reports of what changed
    catalogue = Path(tmp_path / "errands.toml")
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("duration_min = 18", "duration_min = 16"),
                         encoding="utf-8")
    assert "version 3 (4 errands)" in townhall_city("catalogue", "publish", "--config", str(config)).stdout
    again = townhall_city("catalogue", "publish", "--config", str(config)).stdout
    assert "version 3 (4 errands)" in again and "unchanged since the last publish" in again
    rows = wait_reports(config, 3)
    assert all(row["changed"] == ["pass"] and row["added"] == [] for row in rows.values())


def status_text(config: Path) -> str:
    return townhall_city("catalogue", "status", "--config", str(config)).stdout


async def publish_raw(url: str, body: dict[str, Any]) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(CATALOGUE_SUBJECT, json.dumps(body).encode())
    finally:
        await nc.close()
