"""Reports, downloads and open data over a real server after a morning with contact data."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from counter_server.stats.cli import rebuild
from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer, ServerFactory

from .busy_day import run_morning

CLOCK = "2026-12-01T08:50"
STATS_TABLES = ("stats_visits", "stats_refusals", "stats_open", "stats_days")


def _grep(haystack: str, secrets: list[str]) -> list[str]:
    low = haystack.lower()
    return [s for s in secrets if s.lower() in low]


def test_no_name_email_phone_or_code_reaches_statistics_reports_exports_or_feeds(
    server_factory: ServerFactory,
) -> None:
    server = server_factory(clock=CLOCK)
    morning = run_morning(server)
    secrets = morning["secrets"]
    assert morning["served"] >= 3 and len(secrets) == 8
    token = server.tokens["admin"]
    found: dict[str, list[str]] = {}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        refused = client.post("/api/v1/checkins", json={"service_id": "pass"})  # no token: not a check-in
        assert refused.status_code == 401
        texts = {}
        for path in ("/reports?period=day", "/reports?period=month", "/reports/export.csv?period=day",
                     "/open/v1/waiting", "/open/v1/daily.csv?start=2026-12-01&end=2026-12-01",
                     "/open/v1/catalog.jsonld", "/open/wait"):
            answer = client.get(path, params={"token": token} if path.startswith("/reports") else None)
            assert answer.status_code == 200, path
            texts[path] = answer.text
        xlsx = client.get("/reports/export.xlsx", params={"token": token, "period": "day"})
        pdf = client.get("/reports/monthly.pdf", params={"token": token})
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert {"Anliegen", "Tage", "Stunden", "Schalter", "Details"} <= set(book.sheetnames)
    texts["xlsx"] = "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 6
    texts["pdf"] = "\n".join(page.extract_text() for page in reader.pages)
    assert "Personalausweis" in texts["pdf"]
    server.stop()
    rebuild(server.data_dir)
    db = sqlite3.connect(server.data_dir / "townhall.db")
    for table in STATS_TABLES:
        texts[table] = "\n".join(repr(row) for row in db.execute(f"SELECT * FROM {table}"))
    # the statistics hold the visits (and contact data was really there)
    assert db.execute("SELECT COUNT(*) FROM stats_visits WHERE office_day = '2026-12-01'").fetchone()[0] >= 8
    assert db.execute("SELECT COUNT(*) FROM appointment_contacts").fetchone()[0] == 2
    columns = {c[1] for t in STATS_TABLES for c in db.execute(f"PRAGMA table_info({t})")}
    assert not columns & {"name", "email", "phone", "code", "ticket_id", "number", "public_id", "id"}
    for where, text in texts.items():
        if hits := _grep(text, secrets):
            found[where] = hits
    assert not found
    # the estimate told at check-in is kept with the event, so its error is measured
    assert db.execute("SELECT COUNT(*) FROM stats_visits WHERE eta_error_s IS NOT NULL").fetchone()[0] >= 1


def test_bad_report_requests_get_clear_errors(live_server: LiveServer) -> None:
    token = live_server.tokens["admin"]
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        assert client.get("/reports").status_code == 401
        assert client.get("/reports", params={"token": live_server.tokens["kiosk"]}).status_code == 403
        for params, status, code in (
            ({"period": "decade"}, 422, "invalid_request"), ({"date": "2026-13-01"}, 422, "invalid_request"),
            ({"service": "nope"}, 404, "unknown_service"), ({"counter": "99"}, 404, "unknown_counter"),
        ):
            answer = client.get("/reports", params={"token": token, **params})
            assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
        assert client.get("/reports/plots/nope.png", params={"token": token}).status_code == 404
        assert client.get("/open/wait", params={"lang": "xx"}).json()["error"]["code"] == "unknown_language"
        assert client.get("/open/v1/daily.csv", params={"start": "2026-01-01", "end": "2025-01-01"}).status_code == 422


def test_a_refused_walk_in_is_counted(server_factory: ServerFactory) -> None:
    server = server_factory(clock="2026-12-01T17:45")  # past the last walk-in time (30 min before 18:00)
    with server.client("kiosk") as kiosk:
        assert kiosk.post("/api/v1/checkins", json={"service_id": "pass"}).json()["error"]["code"] == "walk_in_closed"
    server.stop()
    rebuild(server.data_dir, "2026-12-01")
    db = sqlite3.connect(server.data_dir / "townhall.db")
    assert db.execute("SELECT service_id, reason, offline, n FROM stats_refusals").fetchall() == [
        ("pass", "walk_in_closed", 0, 1)]


@pytest.mark.browser
def test_reports_and_the_public_page_in_chromium(server_factory: ServerFactory, artifacts: Path) -> None:
    server = server_factory(clock=CLOCK)
    run_morning(server)
    token = server.tokens["admin"]
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        for period in ("day", "month"):
            page.goto(f"{server.url}/reports?period={period}&token={token}")
            page.wait_for_load_state("networkidle")
            images = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
            assert len(images) == 5 and all(w > 0 for w in images)
            assert_accessible(page)
            page.screenshot(path=str(artifacts / f"reports-{period}.png"), full_page=True)
        page.goto(f"{server.url}/open/wait")
        assert page.locator("h1").inner_text() == "Wie lange warte ich jetzt?"
        assert_accessible(page)
        page.screenshot(path=str(artifacts / "open-wait-page.png"), full_page=True)
        page.goto(f"{server.url}/open/wait?lang=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert_accessible(page)
        page.screenshot(path=str(artifacts / "open-wait-page-ar.png"), full_page=True)
