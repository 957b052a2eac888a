"""The admin console (issue 17): errands, counters and closed dates changed in the browser reach
the kiosk list, the display and the slots without a restart; a bad value is refused with the
message the server gives at start and nothing is written; the file keeps its comments; a hand
edit is shown and reloaded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import tomlkit

from counter_server.config import ConfigError, load_config
from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer

from .test_supervisor import browser_login


def _services(server: LiveServer) -> set[str]:
    with server.client("kiosk") as kiosk:
        return {s["id"] for s in kiosk.get("/api/v1/services").json()["services"]}


def _slots(server: LiveServer, day: str) -> list[Any]:
    with server.client("booking") as booking:
        answer = booking.get("/api/v1/slots", params={"service_id": "ausweis", "date": day})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["slots"])


def _submit(page: Any, path: str, fields: dict[str, str]) -> None:
    page.goto(page.url.split("/admin")[0] + path)
    for name, value in fields.items():
        page.fill(f"[name='{name}']", value)
    page.click("form[action$='/save'] button[type=submit]")
    page.wait_for_load_state()


def test_changes_apply_without_a_restart(live_server: LiveServer, artifacts: Path) -> None:
    path = live_server.data_dir / "office.toml"
    assert _slots(live_server, "2026-12-02")
    with browser() as chromium:
        page = browser_login(chromium, live_server, width=1366, height=768, next_path="/admin")
        page.screenshot(path=str(artifacts / "admin-overview.png"), full_page=True)
        assert_accessible(page)
        display = chromium.new_page()
        display.goto(f"{live_server.url}/display?token={live_server.tokens['display']}")

        _submit(page, "/admin/services/new", {"id": "kfz", "prefix": "K", "duration_min": "10",
                                              "name_de": "Kfz-Zulassung", "name_en": "Car registration"})
        assert "Gespeichert" in page.inner_text("main")
        assert "kfz" in _services(live_server)
        _submit(page, "/admin/counters/new", {"id": "9", "label": "Schalter 9", "room": "Raum E.05",
                                              "skills": "kfz=1, ausweis=2", "languages": "de"})
        with live_server.client("kiosk") as kiosk:
            assert "9" in {c["id"] for c in kiosk.get("/api/v1/counters").json()["counters"]}
            assert kiosk.post("/api/v1/checkins", json={"service_id": "kfz"}).status_code == 201
        # two office changes each reload the display (after 500 ms): on a loaded machine that takes seconds
        display.wait_for_selector("text=Kfz-Zulassung", timeout=30000)
        display.screenshot(path=str(artifacts / "admin-display-after.png"))

        page.goto(f"{live_server.url}/admin?state=BY#closed")
        page.screenshot(path=str(artifacts / "admin-closed-dates.png"), full_page=True)
        page.fill("#c-add", "2026-12-02")
        page.click("form[action='/admin/closed/save'] button[type=submit]")
        page.wait_for_load_state()
        assert _slots(live_server, "2026-12-02") == []
        page.goto(f"{live_server.url}/admin/services/0")
        page.screenshot(path=str(artifacts / "admin-errand.png"), full_page=True)
        assert_accessible(page)
    text = path.read_text(encoding="utf-8")
    assert "# opening spans per weekday" in text and "# skills: service id" in text
    assert '"2026-12-02"' in text and 'id = "kfz"' in text
    assert (live_server.data_dir / "office.toml.prev").exists()


def _start_message(server: LiveServer, tmp_path: Path, edit: Any) -> str:
    """What `townhall serve` says at start about office.toml with this edit."""
    copy = tmp_path / "copy"
    shutil.copytree(server.data_dir, copy, ignore=shutil.ignore_patterns("*.log"))
    doc = tomlkit.parse((copy / "office.toml").read_text(encoding="utf-8"))
    edit(doc)
    (copy / "office.toml").write_text(tomlkit.dumps(doc), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "counter_server.cli", "serve", "--data-dir", str(copy),
                          "--port", "1"], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    try:
        load_config(copy / "office.toml")
    except ConfigError as error:
        assert error.reason in run.stderr + run.stdout
        shutil.rmtree(copy)
        return f"{error.field}: {error.reason}"
    raise AssertionError("the edited file was accepted")


def test_bad_values_are_refused_as_at_start(live_server: LiveServer, tmp_path: Path, artifacts: Path) -> None:
    path = live_server.data_dir / "office.toml"
    before = path.read_bytes()

    def dup_prefix(doc: Any) -> None:
        doc["services"].append({"id": "kfz", "prefix": "A", "duration_min": 10, "walk_in": True,
                                "names": {"de": "Kfz"}})

    def unknown_skill(doc: Any) -> None:
        doc["counters"].append({"id": "9", "label": "Schalter 9", "skills": {"nope": 1}})

    def overlap(doc: Any) -> None:
        doc["hours"]["mon"] = ["08:00-12:00", "11:00-14:00"]

    with browser() as chromium:
        page = browser_login(chromium, live_server, width=1366, height=768, next_path="/admin")
        for form_path, fields, edit in (
            ("/admin/services/new", {"id": "kfz", "prefix": "A", "duration_min": "10", "name_de": "Kfz"}, dup_prefix),
            ("/admin/counters/new", {"id": "9", "label": "Schalter 9", "skills": "nope=1"}, unknown_skill),
            ("/admin", {"mon": "08:00-12:00, 11:00-14:00"}, overlap),
        ):
            if form_path == "/admin":
                page.goto(live_server.url + "/admin")
                page.fill("#h-mon", fields["mon"])
                page.click("form[action='/admin/hours/save'] button[type=submit]")
                page.wait_for_load_state()
            else:
                _submit(page, form_path, fields)
            shown = page.inner_text("#error")
            assert _start_message(live_server, tmp_path, edit) in shown, shown
            assert path.read_bytes() == before
        page.screenshot(path=str(artifacts / "admin-refused.png"), full_page=True)
        assert_accessible(page)


def test_a_hand_edit_is_shown_and_reloaded(live_server: LiveServer) -> None:
    path = live_server.data_dir / "office.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "Bürgeramt Musterstadt"',
                                                            'name = "Bürgeramt Neustadt"'), encoding="utf-8")
    with browser() as chromium:
        page = browser_login(chromium, live_server, width=1366, height=768, next_path="/admin")
        assert page.is_visible("#file-changed")
        page.click("form[action='/admin/reload'] button")
        page.wait_for_load_state()
        assert not page.is_visible("#file-changed")
    with live_server.client("kiosk") as kiosk:
        assert kiosk.get("/api/v1/services").json()["office"]["name"] == "Bürgeramt Neustadt"
