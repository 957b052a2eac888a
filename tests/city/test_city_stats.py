"""City statistics and open data from PostgreSQL equal the offices' own, combined.

Three offices have a morning each; their events reach the city's read model through NATS.
The city's figures of an office are that office's own (its facts, its open data CSV byte
for byte), and the city's figures are the same figures over all three offices' visits.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from counter_server.core import stats
from counter_server.stats import exports
from tests.conftest import LiveServer, ServerFactory

from .conftest import Nats, Postgres
from .helpers import CityService, CitySite, city_seqs, morning, office_seqs, wait_until, with_city

DAY = "2026-12-01"
# (id, name, walk-ins, of them called and served)
OFFICES = (("nord", "Bürgeramt Nord", 6, 3), ("mitte", "Bürgeramt Mitte", 8, 5), ("sued", "Bürgeramt Süd", 5, 2))
VISIT_FIELDS = [f for f in stats.Visit._fields if f != "staff_id"]


@pytest.fixture
def city(server_factory: ServerFactory, nats_server: Nats, postgres: Postgres,
         tmp_path: Path) -> Iterator[tuple[dict[str, LiveServer], CitySite]]:
    servers = {office_id: server_factory(edit_config=with_city(nats_server.url, office_id))
               for office_id, *_ in OFFICES}
    service = CityService(nats_server.url, postgres.dsn, tmp_path)
    service.start()
    site = CitySite([(o, name, "", servers[o]) for o, name, *_ in OFFICES], tmp_path / "site",
                    tables=f'[postgres]\ndsn = "{postgres.dsn}"\n')
    site.start()
    yield servers, site
    site.stop()
    service.stop()


def office_visits(server: LiveServer) -> list[tuple[object, ...]]:
    """The office's own facts of the day (its report builds today first)."""
    with server.client("admin") as admin:
        assert admin.get("/reports", params={"period": "day", "date": DAY}).status_code == 200
    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        rows = db.execute(f"SELECT {', '.join(VISIT_FIELDS)} FROM stats_visits WHERE office_day = ?", [DAY])
        return sorted(tuple(row) for row in rows)


def city_visits(dsn: str, office: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(f"SELECT {', '.join(VISIT_FIELDS)} FROM city_stats_visits"
                            " WHERE office = %s AND office_day = %s", (office, DAY)).fetchall()
    return sorted(tuple(row) for row in rows)


def a_morning_in_the_city(servers: dict[str, LiveServer], dsn: str) -> None:
    """Every office's morning, until each office's events are all in the city."""
    for office_id, _, walk_ins, served in OFFICES:
        morning(servers[office_id], walk_ins, calls=served)
    for office_id, server in servers.items():
        wait_until(lambda o=office_id, s=server: city_seqs(dsn, o) == office_seqs(s), timeout=90,
                   what=f"{office_id} in the city")


def test_city_figures_are_the_offices_own_combined(city: tuple[dict[str, LiveServer], CitySite],
                                                   postgres: Postgres) -> None:
    servers, site = city
    a_morning_in_the_city(servers, postgres.dsn)

    page = httpx.get(site.url + "/reports", params={"period": "day", "date": DAY}, timeout=60)
    assert page.status_code == 200, page.text
    union: list[stats.Visit] = []
    for office_id, server in servers.items():
        own = office_visits(server)
        assert own and city_visits(postgres.dsn, office_id) == own  # the same facts, visit for visit
        union += [stats.Visit(**dict(zip(VISIT_FIELDS, row, strict=True))) for row in own]
        # the office's open data and the city's for that office: the same bytes
        mine = httpx.get(f"{server.url}/open/v1/daily.csv", params={"start": DAY, "end": DAY}, timeout=30)
        theirs = httpx.get(site.url + "/open/v1/daily.csv", params={"start": DAY, "end": DAY, "office": office_id},
                           timeout=30)
        assert theirs.status_code == 200 and theirs.text == mine.text

    assert len(union) == sum(walk_ins for _, _, walk_ins, _ in OFFICES)
    whole = httpx.get(site.url + "/open/v1/daily.csv", params={"start": DAY, "end": DAY}, timeout=30)
    assert whole.text == exports.cells_csv(exports.published(union, ["office_day", "service_id"]),
                                           ["office_day", "service_id"])
    row = next(csv.DictReader(io.StringIO(whole.text)))
    assert int(row["visitors"]) == 19 and int(row["served"]) == 10
    total = stats.suppress(stats.figures(union))
    assert f"<td>{total['visitors']}</td>" in page.text and "Bürgeramt Mitte" in page.text

    report = httpx.get(site.url + "/reports/export.csv", params={"period": "day", "date": DAY}, timeout=30)
    offices = {r["office"] for r in csv.DictReader(io.StringIO(report.text))}
    assert report.status_code == 200 and offices == {"nord", "mitte", "sued"}
    assert "staff" not in report.text and "name" not in report.text.splitlines()[0]
    for path, media in (("/reports/plots/waits_by_hour.png", "image/png"), ("/reports/monthly.pdf", "application/pdf"),
                        ("/reports/export.xlsx", "application/vnd.openxmlformats")):
        drawn = httpx.get(site.url + path, params={"period": "day", "date": DAY, "office": "mitte"}, timeout=60)
        assert drawn.status_code == 200 and drawn.headers["content-type"].startswith(media), path
    assert httpx.get(site.url + "/reports/plots/pie.png", timeout=30).status_code == 404
    assert httpx.get(site.url + "/reports/export.doc", timeout=30).status_code == 404


def test_a_late_event_rebuilds_its_day(city: tuple[dict[str, LiveServer], CitySite], postgres: Postgres) -> None:
    servers, site = city
    morning(servers["nord"], 5)
    wait_until(lambda: city_seqs(postgres.dsn, "nord") == office_seqs(servers["nord"]), timeout=90, what="Nord")
    params = {"start": DAY, "end": DAY, "office": "nord"}
    first = next(csv.DictReader(io.StringIO(httpx.get(site.url + "/open/v1/daily.csv", params=params).text)))
    morning(servers["nord"], 2, calls=1)
    wait_until(lambda: city_seqs(postgres.dsn, "nord") == office_seqs(servers["nord"]), timeout=90, what="Nord")
    again = next(csv.DictReader(io.StringIO(httpx.get(site.url + "/open/v1/daily.csv", params=params).text)))
    # one served is fewer than 5: published as empty, as the office publishes it
    assert (first["visitors"], again["visitors"], again["served"]) == ("5", "7", "")


def test_bad_statistics_requests_are_clear_4xx(city: tuple[dict[str, LiveServer], CitySite]) -> None:
    servers, site = city
    assert httpx.get(site.url + "/reports", params={"office": "atlantis"}, timeout=30).status_code == 404
    assert httpx.get(site.url + "/reports", params={"period": "decade"}, timeout=30).status_code == 422
    assert httpx.get(site.url + "/reports", params={"date": "gestern"}, timeout=30).status_code == 422
    assert httpx.get(site.url + "/open/v1/daily.csv", params={"start": "2026-12-02", "end": DAY},
                     timeout=30).status_code == 422
    assert httpx.get(site.url + "/open/v1/daily.csv", params={"office": "atlantis"}, timeout=30).status_code == 404
    assert httpx.get(site.url + "/reports/export.csv", params={"period": "decade"}, timeout=30).status_code == 422
    waiting = httpx.get(site.url + "/open/v1/waiting", timeout=30)
    assert waiting.status_code == 200
    assert {o["id"] for o in waiting.json()["offices"]} == {"nord", "mitte", "sued"}
    assert all(o["reachable"] and o["services"] for o in waiting.json()["offices"])
    catalog = httpx.get(site.url + "/open/v1/catalog.jsonld", timeout=30).json()
    assert catalog["dct:title"]["@value"] == "Offene Daten: Stadt Musterstadt"

    servers["sued"].stop()  # an office down: named in the live data, the reports still drawn
    wait_until(lambda: not next(o for o in httpx.get(site.url + "/open/v1/waiting", timeout=30).json()["offices"]
                                if o["id"] == "sued")["reachable"], timeout=30, what="Süd named unreachable")
    one = httpx.get(site.url + "/open/v1/waiting", params={"office": "mitte"}, timeout=30).json()["offices"]
    assert [(o["id"], o["reachable"]) for o in one] == [("mitte", True)]
    assert httpx.get(site.url + "/reports", params={"period": "day", "date": DAY}, timeout=30).status_code == 200


@pytest.mark.browser
def test_city_report_pages_pass_axe(city: tuple[dict[str, LiveServer], CitySite], postgres: Postgres,
                                    artifacts: Path) -> None:
    from tests.axe import assert_accessible
    from tests.browser import browser

    servers, site = city
    a_morning_in_the_city(servers, postgres.dsn)
    with browser() as chromium:
        b: Any = chromium
        for lang in ("de", "ar"):
            for size, viewport in (("desktop", {"width": 1366, "height": 768}), ("phone", {"width": 390, "height": 844})):
                page = b.new_page(viewport=viewport)
                page.goto(f"{site.url}/reports?period=day&date={DAY}&lang={lang}")
                assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
                assert_accessible(page)
                page.screenshot(path=str(artifacts / f"city-reports-{size}-{lang}.png"), full_page=True)
                page.goto(f"{site.url}/open/wait?lang={lang}")
                assert page.locator("section.card table").count() == 3
                assert_accessible(page)
                page.screenshot(path=str(artifacts / f"city-wait-{size}-{lang}.png"), full_page=True)
                page.close()
        page = b.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{site.url}/reports?period=day&date={DAY}")
        page.select_option("#office", "mitte")
        page.locator("form.stats-form button[type=submit]").click()
        page.wait_for_url("**office=mitte**")
        assert "Statistik: Bürgeramt Mitte" in page.inner_text("h1")
        assert_accessible(page)
        page.screenshot(path=str(artifacts / "city-reports-office.png"), full_page=True)
        page.goto(f"{site.url}/?lang=de")
        page.locator("text=Statistik und offene Daten").click()
        page.wait_for_selector("table.figures")
