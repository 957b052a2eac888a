"""Issue 12: "recently called" lists only visits really served, number and counter apart on
one line; an errand no open counter does says so instead of "ca. 0 min"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from i18n import Catalog
from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer, ServerFactory
from tests.pages.busy_board import act, call_next, check_in, office_with

# counters 9..16 do ID cards and passports only; 14, 15, 16 open, every other counter closed
SKILLS = "{ ausweis = 1, pass = 1 }"


def served_and_not(server: LiveServer) -> dict[str, list[str]]:
    """Two visits served, one no-show, one parked, two called now; errands nobody open does."""
    for service in ("ausweis",) * 6 + ("pass", "anmeldung", "anmeldung", "sonstiges"):
        check_in(server, service)
    first = {n: call_next(server, n) for n in (14, 15, 16)}
    act(server, 14, first[14]["id"], "no_show")
    act(server, 15, first[15]["id"], "park")
    second = call_next(server, 16)  # the first of counter 16 is done
    third = call_next(server, 16)  # and the second too
    now_14 = call_next(server, 14)
    return {
        "done": [second["number"], first[16]["number"]],  # what Next closed as done, newest call first
        "not_served": [first[14]["number"], first[15]["number"]],
        "current": [now_14["number"], third["number"]],
    }


def test_the_board_lists_current_calls_recent_served_and_which_errands_are_served(
    server_factory: ServerFactory,
) -> None:
    server = office_with(server_factory, 16, SKILLS)
    numbers = served_and_not(server)
    with server.client("display") as display:
        board = display.get("/api/v1/board").json()
    assert [c["number"] for c in board["current"]] == numbers["current"]
    assert all(c["state"] in ("called", "serving") and c["called_at"] for c in board["current"])
    assert [c["number"] for c in board["recent"]] == numbers["done"]
    assert all(c["state"] == "done" for c in board["recent"])
    assert not set(numbers["not_served"]) & {c["number"] for c in board["recent"] + board["current"]}
    served = {w["service_id"]: w["served_now"] for w in board["waiting"]}
    assert served == {"ausweis": True, "pass": True, "anmeldung": False, "abholung": False,
                      "bescheinigung": False, "sonstiges": False}
    assert {"calls", "eta_min", "waiting_total"} <= set(board) | set(board["waiting"][0])  # older fields kept


def recent_lines(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate("""() => Array.from(document.querySelectorAll('#recent li')).map((li) => {
      const number = li.querySelector('.number'), counter = li.querySelector('.counter');
      const a = number.getBoundingClientRect(), b = counter.getBoundingClientRect(), box = li.getBoundingClientRect();
      const lineHeight = parseFloat(getComputedStyle(li).lineHeight);
      return {number: number.textContent, counter: counter.textContent, text: li.innerText,
              gap: document.dir === 'rtl' ? a.left - b.right : b.left - a.right,
              lines: [number.getClientRects().length, counter.getClientRects().length],
              sameLine: Math.abs(a.bottom - b.bottom) < 2, height: b.height, lineHeight,
              inside: box.right <= innerWidth && box.bottom <= innerHeight && box.left >= 0,
              clipped: li.scrollWidth > li.clientWidth + 1};
    })""")
    return found


def assert_recent_shows(page: Any, numbers: dict[str, list[str]], label: str) -> None:
    lines = recent_lines(page)
    assert [line["number"] for line in lines] == numbers["done"], lines
    for line in lines:
        assert line["counter"] == label, line
        assert line["gap"] >= 8, line  # "A005 Schalter 16", never "A005Schalter 16"
        assert line["lines"] == [1, 1] and line["sameLine"], line  # one line, never wrapped
        assert line["height"] <= 1.25 * line["lineHeight"], line
        assert line["inside"] and not line["clipped"], line
    listed = page.inner_text("#recent")
    for number in numbers["not_served"]:
        assert number not in listed


def test_the_display_shows_served_visits_only_on_one_line_each_and_unserved_errands(
    server_factory: ServerFactory, artifacts: Path,
) -> None:
    server = office_with(server_factory, 16, SKILLS)
    numbers = served_and_not(server)
    with browser() as chromium:
        for lang, size in (("de", (1920, 1080)), ("de", (1280, 720)), ("ar", (1920, 1080))):
            words = Catalog(lang, "display")
            page = chromium.new_page(viewport={"width": size[0], "height": size[1]})
            page.goto(f"{server.url}/display?token={server.tokens['display']}&lang={lang}")
            page.wait_for_selector("#recent li")
            assert_recent_shows(page, numbers, "Schalter 16" if lang == "de" else "الشباك 16")
            # every errand's row, on whichever page of the side column it is shown (fit.js pages the lists)
            rows = page.eval_on_selector_all("#waiting tr", "(rows) => rows.map((row) => row.textContent)")
            off = words.text("not_served_now")
            for name in ("Anmeldung / Ummeldung", "Sonstiges") if lang == "de" else ("تسجيل السكن", "أمور أخرى"):
                row = next(text for text in rows if name in text)
                assert off in row and "0 min" not in row, row
            passport = next(text for text in rows if ("Reisepass" if lang == "de" else "جواز السفر") in text)
            assert off not in passport, passport
            page.screenshot(path=str(artifacts / f"display-recent-{lang}-{size[1]}p.png"))
            if size == (1920, 1080):
                assert_accessible(page)
            page.close()
