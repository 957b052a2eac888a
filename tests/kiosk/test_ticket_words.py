"""What the ticket screen and the errand list say about printing and the wait; one errand, one tap."""

from __future__ import annotations

from dataclasses import replace
from itertools import count

from kiosk import flow as f
from kiosk.client import parse_checkin, parse_services
from kiosk.views import screen_view

from .test_views import OFFICE, SERVICES, SETTINGS, state, view

ANSWER = {
    "ticket": {"id": "t", "number": "A042", "service_id": "ausweis", "kind": "walk_in"},
    "position": 9,
    "ahead": 3,
    "eta_min": 25,
    "status_url": "http://x/t/p",
}
PHOTO = "Bitte merken Sie sich die Nummer oder fotografieren Sie diesen Bildschirm."


def ticket_lines(answer: dict[str, object], *, printer: bool = False) -> tuple[str, ...]:
    flow = f.Flow(settings=f.Settings(printer=printer), new_key=lambda: "k")
    flow.handle(f.ServicesLoaded(office=OFFICE, services=SERVICES))
    flow.handle(f.StartWalkIn())
    flow.handle(f.ChooseService("ausweis"))
    flow.handle(f.CheckinSucceeded(parse_checkin(answer)))
    return screen_view(flow.state, settings=SETTINGS, symbols={}).lines


def test_a_ticket_the_print_agent_prints_is_announced_as_printing() -> None:
    lines = ticket_lines({**ANSWER, "print_job": {"id": "j1", "printer_id": "eingang"}})
    assert "Ihre Wartenummer wird gedruckt. Bitte nehmen Sie sie mit." in lines
    assert PHOTO not in lines


def test_only_a_ticket_nobody_prints_asks_for_a_photo() -> None:
    assert PHOTO in ticket_lines(ANSWER)
    assert PHOTO not in ticket_lines(ANSWER, printer=True)


def test_the_ticket_says_the_server_count_of_people_ahead() -> None:
    lines = ticket_lines(ANSWER)
    assert "3 Personen sind vor Ihnen." in lines
    assert "Wartezeit: ca. 25 Minuten" in lines


def test_no_open_counter_says_when_they_open_instead_of_minutes() -> None:
    closed = {**ANSWER, "eta_min": None, "eta_reason": "no_counter_open",
              "opens_at": "2026-12-01T08:00:00+01:00"}  # fmt: skip
    lines = ticket_lines(closed)
    assert "Schalter öffnen um 08:00 Uhr" in lines
    assert not any("Min" in line for line in lines)
    open_office = ticket_lines({**closed, "opens_at": None})
    assert "Noch kein Schalter geöffnet" in open_office
    ar = screen_view(replace(_ticket_state(closed), lang="ar"), settings=SETTINGS, symbols={})
    assert "تفتح الشبابيك الساعة 08:00" in ar.lines and not any("?" in line for line in ar.lines)


def _ticket_state(answer: dict[str, object]) -> f.KioskState:
    return state(screen="ticket", ticket=parse_checkin(answer))


def test_the_errand_list_gives_the_reason_too() -> None:
    loaded = parse_services({"office": {"name": "Amt"}, "services": [
        {"id": "ausweis", "names": {"de": "Personalausweis"}, "waiting": 1, "eta_min": None,
         "eta_reason": "no_counter_open", "opens_at": None},
    ]})  # fmt: skip
    v = view(state(screen="services", services=loaded.services))
    assert v.choices[0].detail == "1 Person wartet · Noch kein Schalter geöffnet"


def test_an_office_with_one_errand_gives_the_ticket_in_one_tap() -> None:
    keys = count(1)
    flow = f.Flow(settings=f.Settings(), new_key=lambda: f"key-{next(keys)}")
    only = (SERVICES[0], replace(SERVICES[1], walk_in=False))
    flow.handle(f.ServicesLoaded(office=OFFICE, services=only))
    effects = flow.handle(f.StartWalkIn())
    assert flow.state.screen == "busy"
    assert effects == (f.SendCheckin("key-1", f.CheckinRequest(service_id="ausweis", lang="de")),)


def test_one_errand_that_takes_no_walk_ins_now_shows_the_list_with_the_reason() -> None:
    flow = f.Flow(settings=f.Settings(), new_key=lambda: "k")
    closed = replace(SERVICES[0], available=False, unavailable_reason="daily_cap_reached")
    flow.handle(f.ServicesLoaded(office=OFFICE, services=(closed,)))
    flow.handle(f.StartWalkIn())
    assert flow.state.screen == "services"
