"""The report names the errands whose booked visitors are often called late, with how many
counters do them today, and how to try one more (`townhall simulate --skills`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from counter_server.core import stats
from counter_server.paths import DataDir
from counter_server.stats.exports import published
from counter_server.stats.page import tables
from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import ServerFactory

DAY = "2026-11-10"
SERVICES = {"abholung": "Abholung Ausweis / Pass", "pass": "Reisepass", "ausweis": "Personalausweis",
            "anmeldung": "Anmeldung"}
# the demo office's skills (the standard day's): pick-ups at two counters, passports at three
SKILLS = {"1": ("abholung", "ausweis", "pass"), "2": ("ausweis", "pass"), "3": ("anmeldung", "pass"),
          "4": ("anmeldung", "ausweis"), "8": ("abholung", "ausweis")}


def _visits(service: str, on_time: int, late: int) -> list[stats.Visit]:
    return [stats.Visit(office_day=DAY, hour=10, service_id=service, counter_id="1", kind="booked", outcome="done",
                        weekday=1, wait_s=60 if punctual else 900, service_s=300, on_time=int(punctual))
            for punctual in [True] * on_time + [False] * late]


# pick-ups 75 % on time, passports 90 %, ID cards all, registrations 50 % but too few to judge
VISITS = [*_visits("abholung", 18, 6), *_visits("pass", 27, 3), *_visits("ausweis", 30, 0),
          *_visits("anmeldung", 5, 5)]


def test_errands_below_the_goal_with_enough_booked_visits_fewest_counters_first() -> None:
    cells = published(VISITS, ["service_id"])
    takers = {"abholung": 2, "pass": 3, "ausweis": 4, "anmeldung": 2}
    assert stats.errands_late_for_booked(cells, takers) == [("abholung", 0.75, 2), ("pass", 0.9, 3)]
    just = published([*_visits("abholung", 19, 1), *_visits("pass", 17, 2)], ["service_id"])
    assert stats.errands_late_for_booked(just, takers) == []  # 95 % is the goal; 19 booked are too few


def test_the_errands_table_is_followed_by_the_note() -> None:
    html = tables(visits=VISITS, refusals=[], services=SERVICES, clerks={}, skills=SKILLS)
    note = html[html.index("Nach Anliegen"):]
    note = note[note.index('<p class="note">'):note.index("</p>")]
    assert "Abholung Ausweis / Pass 75% – heute an 2 Schaltern; Reisepass 90% – heute an 3 Schaltern." in note
    assert "Personalausweis" not in note and "Anmeldung" not in note
    assert "--skills 2:abholung=2" in note  # counter 2 does no pick-ups today
    assert '<p class="note">' not in tables(visits=_visits("ausweis", 30, 0), refusals=[], services=SERVICES,
                                            clerks={}, skills=SKILLS)
    # an errand no longer offered is left out; one nobody does today says so
    dropped = tables(visits=VISITS, refusals=[], services={"pass": "Reisepass"}, clerks={}, skills={"1": ("pass",)})
    assert "Abholung" not in dropped and "Reisepass 90% – heute an 1 Schalter." in dropped
    nobody = tables(visits=VISITS, refusals=[], services=SERVICES, clerks={}, skills={"1": ("ausweis",)})
    assert "Reisepass 90% – heute an keinem Schalter" in nobody


@pytest.mark.browser
def test_the_note_on_the_report_page_in_chromium(server_factory: ServerFactory, artifacts: Path) -> None:
    server = server_factory(start=False)
    db = sqlite3.connect(DataDir(server.data_dir).db)
    with db:
        for visit in VISITS:
            row = visit.row()
            db.execute(f"INSERT INTO stats_visits ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                       list(row.values()))
        db.execute("INSERT INTO stats_days VALUES (?, ?, 0, ?, '')", (DAY, "2026-11-10T18:00:00+00:00", len(VISITS)))
    db.close()
    server.start()
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        page.goto(f"{server.url}/reports?period=month&date={DAY}&token={server.tokens['admin']}")
        note = page.locator("p.note", has_text="pünktlich aufgerufen")
        assert "Abholung Ausweis / Pass 75% – heute an 2 Schaltern" in note.inner_text()
        assert "--skills 2:abholung=2" in note.inner_text()
        assert_accessible(page)
        note.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "reports-late-errands.png"))
