"""The report page groups and filters by clerk (display name, head and admin only); no download
or open data names a clerk or carries a staff id."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer, ServerFactory

CLOCK = "2026-12-01T09:30"
PASSWORD = "korrekt-pferd-9"


def _staff(server: LiveServer, login: str, name: str) -> None:
    done = subprocess.run([sys.executable, "-m", "counter_server.cli", "staff", "add", login, "--name", name,
                           "--data-dir", str(server.data_dir)], input=PASSWORD + "\n", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def _served_by_anna(server_factory: ServerFactory) -> tuple[LiveServer, str]:
    """Anna serves five walk-ins at counter 1 on her shift; Bernd has an account but no visits."""
    server = server_factory(start=False, clock=CLOCK)
    _staff(server, "anna", "Anna Berg")
    _staff(server, "bernd", "Bernd Kurz")
    server.start()
    started = httpx.post(server.url + "/api/v1/shifts", json={"login": "anna", "password": PASSWORD,
                                                              "counter_id": "1"}, timeout=30)
    assert started.status_code == 201, started.text
    token, staff_id = started.json()["token"], started.json()["staff"]["id"]
    with server.client("kiosk") as kiosk, httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as clerk:
        assert clerk.post("/api/v1/counters/1/state", json={"state": "open"}).status_code == 200
        for _ in range(5):
            assert kiosk.post("/api/v1/checkins", json={"service_id": "pass"}).status_code == 201
        for _ in range(5):
            called = clerk.post("/api/v1/counters/1/next", params={"previous": "done"})
            assert called.status_code == 200 and called.json().get("ticket"), called.text
            tid = called.json()["ticket"]["id"]
            assert clerk.post(f"/api/v1/tickets/{tid}/start").status_code == 200
            assert clerk.post(f"/api/v1/tickets/{tid}/finish").status_code == 200
    return server, staff_id


def _row(html: str, label: str) -> str:
    start = html.index(f'<th scope="row">{label}</th>')
    return html[start:html.index("</tr>", start)]


def test_report_groups_and_filters_by_clerk_and_nothing_published_names_one(server_factory: ServerFactory) -> None:
    server, anna = _served_by_anna(server_factory)
    token = server.tokens["admin"]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        page = client.get("/reports", params={"token": token, "period": "day"}).text
        assert "Nach Sachbearbeitung" in page and "Bernd Kurz" in page
        assert _row(page, "Anna Berg").startswith('<th scope="row">Anna Berg</th><td>5</td>')
        chosen = client.get("/reports", params={"token": token, "period": "day", "staff": anna}).text
        assert _row(chosen, "gesamt").startswith('<th scope="row">gesamt</th><td>5</td>')
        unknown = client.get("/reports", params={"token": token, "staff": "nobody"})
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_staff")
        plot = client.get("/reports/plots/waits_by_hour.png", params={"token": token, "period": "day", "staff": anna})
        assert plot.status_code == 200 and plot.headers["content-type"] == "image/png"
        published = {
            path: client.get(path, params={"token": token, "period": "day", "staff": anna})
            for path in ("/reports/export.csv", "/reports/export.xlsx", "/reports/monthly.pdf")
        }
        published["/open/v1/daily.csv"] = client.get("/open/v1/daily.csv", params={"start": "2026-12-01",
                                                                                    "end": "2026-12-01"})
        published["/open/v1/waiting"] = client.get("/open/v1/waiting")
    texts = {path: answer.text for path, answer in published.items()}
    book = load_workbook(io.BytesIO(published["/reports/export.xlsx"].content), read_only=True)
    texts["xlsx"] = "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
    texts["pdf"] = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(published["/reports/monthly.pdf"].content)).pages)
    for where, text in texts.items():
        for secret in ("Anna", "Berg", "anna", anna, "staff"):
            assert secret not in text, (where, secret)
    # a download ignores a clerk filter: the CSV is the whole day's
    assert "5" in texts["/reports/export.csv"].splitlines()[1].split(",")


@pytest.mark.browser
def test_the_clerk_table_in_chromium(server_factory: ServerFactory, artifacts: Path) -> None:
    server, _ = _served_by_anna(server_factory)
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        page.goto(f"{server.url}/reports?period=day&token={server.tokens['admin']}")
        page.wait_for_load_state("networkidle")
        assert page.locator("caption", has_text="Nach Sachbearbeitung").count() == 1
        assert_accessible(page)
        page.screenshot(path=str(artifacts / "reports-by-clerk.png"), full_page=True)
