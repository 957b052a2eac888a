"""Every path of the visitor flow, as plain functions over the pure state machine."""

from itertools import count

import pytest

from kiosk import flow as f

SERVICES = (
    f.Service(
        id="ausweis",
        names={"de": "Personalausweis", "ar": "بطاقة الهوية"},
        prefix="A",
        waiting=3,
        eta_min=20,
    ),
    f.Service(id="pass", names={"de": "Reisepass"}, prefix="P"),
    f.Service(
        id="anmeldung",
        names={"de": "Anmeldung"},
        prefix="M",
        available=False,
        unavailable_reason="daily_cap_reached",
    ),
    f.Service(
        id="trauung",
        names={"de": "Trauung"},
        walk_in=False,
        available=False,
        unavailable_reason="not_walk_in",
    ),
)
TICKET = f.Ticket(
    id="t1", number="A042", service_id="ausweis", position=4, eta_min=25, status_url="http://x/t/p"
)


def make_flow(**settings: object) -> f.Flow:
    keys = count(1)
    flow = f.Flow(settings=f.Settings(**settings), new_key=lambda: f"key-{next(keys)}")  # type: ignore[arg-type]
    flow.handle(f.ServicesLoaded(office=f.Office(name="Bürgeramt"), services=SERVICES))
    return flow


def checkins(effects: tuple[f.Effect, ...]) -> list[f.SendCheckin]:
    return [e for e in effects if isinstance(e, f.SendCheckin)]


def test_walk_in_is_two_taps_from_start_to_ticket() -> None:
    flow = make_flow(printer=True)
    flow.handle(f.StartWalkIn())
    assert flow.state.screen == "services"
    sent = checkins(flow.handle(f.ChooseService("ausweis")))
    assert sent == [f.SendCheckin("key-1", f.CheckinRequest(service_id="ausweis", lang="de"))]
    assert flow.state.screen == "busy"
    effects = flow.handle(f.CheckinSucceeded(TICKET))
    assert flow.state.screen == "ticket"
    assert flow.state.print_state == "printing"
    assert f.PrintTicket(ticket=TICKET, lang="de") in effects


def test_double_tap_sends_one_checkin() -> None:
    flow = make_flow()
    flow.handle(f.StartWalkIn())
    first = checkins(flow.handle(f.ChooseService("ausweis")))
    second = checkins(flow.handle(f.ChooseService("ausweis")))
    assert len(first) == 1 and second == []


def test_retry_after_lost_answer_reuses_the_key_so_the_server_gives_the_same_ticket() -> None:
    flow = make_flow()
    flow.handle(f.StartWalkIn())
    (first,) = checkins(flow.handle(f.ChooseService("pass")))
    flow.handle(f.ServerUnreachable())
    assert flow.state.screen == "outcome" and flow.state.outcome == f.Outcome("server_unreachable")
    assert not flow.state.server_up
    (again,) = checkins(flow.handle(f.RetryCheckin()))
    assert again.idempotency_key == first.idempotency_key


def test_next_visitor_gets_a_new_key() -> None:
    flow = make_flow()
    flow.handle(f.StartWalkIn())
    (first,) = checkins(flow.handle(f.ChooseService("pass")))
    flow.handle(f.CheckinSucceeded(TICKET))
    flow.handle(f.Home())
    flow.handle(f.StartWalkIn())
    (second,) = checkins(flow.handle(f.ChooseService("pass")))
    assert second.idempotency_key != first.idempotency_key


def test_unavailable_and_appointment_only_services_cannot_be_chosen() -> None:
    flow = make_flow()
    flow.handle(f.StartWalkIn())
    assert flow.handle(f.ChooseService("anmeldung")) == ()
    assert flow.handle(f.ChooseService("trauung")) == ()
    assert flow.handle(f.ChooseService("nonexistent")) == ()
    assert flow.state.screen == "services"


def test_menu_shows_walk_in_services_with_availability_before_choosing() -> None:
    flow = make_flow()
    flow.handle(f.StartWalkIn())
    entries = f.menu(flow.state, flow.settings)
    assert [(e.service.id, e.available) for e in entries if e.service] == [
        ("ausweis", True),
        ("pass", True),
        ("anmeldung", False),
    ]


def test_groups_make_a_second_level_and_back_returns_to_the_first() -> None:
    group = f.Group(id="docs", names={"de": "Ausweise"}, services=("ausweis", "pass"))
    flow = make_flow(groups=(group,))
    flow.handle(f.StartWalkIn())
    top = f.menu(flow.state, flow.settings)
    assert [e.group.id if e.group else e.service.id for e in top] == ["docs", "anmeldung"]
    flow.handle(f.OpenGroup("docs"))
    inner = f.menu(flow.state, flow.settings)
    assert [e.service.id for e in inner] == ["ausweis", "pass"]
    flow.handle(f.OpenGroup("docs"))
    assert flow.state.group == "docs"
    flow.handle(f.Back())
    assert flow.state.group is None and flow.state.screen == "services"
    flow.handle(f.Back())
    assert flow.state.screen == "start"


def test_no_walk_in_possible_when_all_services_are_closed() -> None:
    flow = make_flow()
    closed = tuple(
        f.Service(id=s.id, names=s.names, available=False, unavailable_reason="walk_in_closed")
        for s in SERVICES
    )
    flow.handle(f.ServicesLoaded(office=f.Office(walk_in_until=None), services=closed))
    assert not flow.state.walk_in_possible


def test_accessible_mode_asks_for_assistance_priority() -> None:
    flow = make_flow()
    flow.handle(f.ToggleAccessibility())
    flow.handle(f.ChangeLanguage("ar"))
    flow.handle(f.StartWalkIn())
    (sent,) = checkins(flow.handle(f.ChooseService("ausweis")))
    assert sent.request.body() == {"service_id": "ausweis", "lang": "ar", "priority": "assist"}


def test_unknown_language_is_ignored() -> None:
    flow = make_flow(languages=("de", "en"))
    flow.handle(f.ChangeLanguage("ar"))
    assert flow.state.lang == "de"


def test_booking_code_on_the_keypad() -> None:
    flow = make_flow(code_alphabet="0123456789", code_max_length=6)
    flow.handle(f.StartAppointment())
    assert flow.state.screen == "appointment"
    for key in "12x34567":
        flow.handle(f.KeypadPress(key))
    assert flow.state.code == "123456"
    flow.handle(f.KeypadPress(f.KEYPAD_BACKSPACE))
    assert flow.state.code == "12345"
    (sent,) = checkins(flow.handle(f.SubmitCode()))
    assert sent.request.body() == {"appointment_code": "12345", "lang": "de"}


def test_empty_code_is_not_sent() -> None:
    flow = make_flow()
    flow.handle(f.StartAppointment())
    assert flow.handle(f.SubmitCode()) == ()


@pytest.mark.parametrize("screen_event", [None, f.StartWalkIn(), f.StartAppointment()])
def test_scan_works_on_every_screen_without_a_tap(screen_event: f.Event | None) -> None:
    flow = make_flow()
    if screen_event is not None:
        flow.handle(screen_event)
    token = "eyJ0eXAiOi.long-signed-token.abc"
    (sent,) = checkins(flow.handle(f.Scanned(token)))
    assert sent.request.appointment_token == token
    assert flow.state.screen == "busy"


def test_scan_of_a_short_code_is_sent_as_booking_code() -> None:
    flow = make_flow()
    (sent,) = checkins(flow.handle(f.Scanned("abcd-efgh\n")))
    assert sent.request.appointment_code == "ABCDEFGH"


def test_scan_while_a_checkin_is_on_its_way_is_ignored() -> None:
    flow = make_flow()
    flow.handle(f.Scanned("token-one-long-enough-to-be-a-token"))
    assert flow.handle(f.Scanned("token-two-long-enough-to-be-a-token")) == ()


def test_scan_on_the_ticket_screen_starts_a_new_visitor() -> None:
    flow = make_flow()
    flow.handle(f.StartWalkIn())
    (first,) = checkins(flow.handle(f.ChooseService("ausweis")))
    flow.handle(f.CheckinSucceeded(TICKET))
    (scan,) = checkins(flow.handle(f.Scanned("another-visitors-token-xyz")))
    assert scan.idempotency_key != first.idempotency_key
    assert flow.state.ticket is None


@pytest.mark.parametrize(
    "code",
    [
        "appointment_too_early",
        "appointment_too_late",
        "appointment_unknown",
        "appointment_cancelled",
        "appointment_already_checked_in",
        "appointment_not_supported",
        "token_invalid",
        "token_expired",
        "token_wrong_office",
        "token_wrong_day",
        "something_new",
    ],
)
def test_appointment_errors_become_an_outcome(code: str) -> None:
    flow = make_flow()
    flow.handle(f.StartAppointment())
    flow.handle(f.KeypadPress("A"))
    flow.handle(f.SubmitCode())
    flow.handle(f.CheckinFailed(code=code, details={"start": "2026-12-01T10:30:00+01:00"}))
    assert flow.state.screen == "outcome"
    assert flow.state.outcome is not None
    assert flow.state.outcome.code == code and flow.state.outcome.was_appointment


def test_too_early_offers_a_walk_in_ticket() -> None:
    flow = make_flow()
    flow.handle(f.Scanned("a-token-that-is-long-enough"))
    flow.handle(f.CheckinFailed(code="appointment_too_early"))
    flow.handle(f.StartWalkIn())
    assert flow.state.screen == "services"


def test_back_from_an_unknown_code_returns_to_the_keypad() -> None:
    flow = make_flow()
    flow.handle(f.StartAppointment())
    flow.handle(f.KeypadPress("B"))
    flow.handle(f.SubmitCode())
    flow.handle(f.CheckinFailed(code="appointment_unknown"))
    flow.handle(f.Back())
    assert flow.state.screen == "appointment"


@pytest.mark.parametrize("code", sorted(f.WALK_IN_REFUSALS))
def test_walk_in_refusal_goes_back_to_refreshed_errands(code: str) -> None:
    flow = make_flow()
    flow.handle(f.StartWalkIn())
    flow.handle(f.ChooseService("ausweis"))
    effects = flow.handle(f.CheckinFailed(code=code))
    assert f.RefreshServices() in effects
    flow.handle(f.Back())
    assert flow.state.screen == "services"


def test_answers_arriving_late_do_not_change_the_screen() -> None:
    flow = make_flow()
    assert flow.handle(f.CheckinSucceeded(TICKET)) == ()
    flow.handle(f.CheckinFailed(code="office_closed"))
    assert flow.state.screen == "start"


def test_printer_result_is_shown() -> None:
    flow = make_flow(printer=True)
    flow.handle(f.StartWalkIn())
    flow.handle(f.ChooseService("ausweis"))
    flow.handle(f.CheckinSucceeded(TICKET))
    flow.handle(f.PrintFinished(ok=False))
    assert flow.state.print_state == "failed"


def test_without_printer_the_ticket_is_only_shown() -> None:
    flow = make_flow(printer=False)
    flow.handle(f.StartWalkIn())
    flow.handle(f.ChooseService("ausweis"))
    effects = flow.handle(f.CheckinSucceeded(TICKET))
    assert not any(isinstance(e, f.PrintTicket) for e in effects)
    assert flow.state.print_state == "none"


def test_idle_timeout_returns_to_start_in_default_language_and_look() -> None:
    flow = make_flow()
    flow.handle(f.ChangeLanguage("tr"))
    flow.handle(f.ToggleAccessibility())
    flow.handle(f.StartAppointment())
    flow.handle(f.KeypadPress("A"))
    flow.handle(f.IdleTimeout())
    state = flow.state
    assert (state.screen, state.lang, state.accessible, state.code) == ("start", "de", False, "")


def test_idle_timeout_never_interrupts_a_checkin_on_its_way() -> None:
    flow = make_flow()
    flow.handle(f.StartWalkIn())
    flow.handle(f.ChooseService("ausweis"))
    flow.handle(f.IdleTimeout())
    assert flow.state.screen == "busy"


def test_server_status_changes_and_comes_back_with_a_refresh() -> None:
    flow = make_flow()
    flow.handle(f.ServerStatus(reachable=False))
    assert not flow.state.server_up
    assert flow.handle(f.ServerStatus(reachable=True)) == (f.RefreshServices(),)


def test_group_that_disappears_closes() -> None:
    group = f.Group(id="docs", names={"de": "Ausweise"}, services=("ausweis", "pass"))
    flow = make_flow(groups=(group,))
    flow.handle(f.StartWalkIn())
    flow.handle(f.OpenGroup("docs"))
    flow.handle(f.ServicesLoaded(office=f.Office(), services=SERVICES))
    assert flow.state.group == "docs"
    flow.handle(f.ServicesLoaded(office=f.Office(), services=SERVICES[2:]))
    assert flow.state.group is None


# --- the server away: tickets from leased numbers ---


def test_no_connection_issues_a_leased_number_with_the_same_key() -> None:
    flow = make_flow(offline=True, printer=True)
    flow.handle(f.StartWalkIn())
    sent = checkins(flow.handle(f.ChooseService("ausweis")))
    effects = flow.handle(f.ServerUnreachable(certain=True))
    assert effects == (f.IssueOffline(sent[0].idempotency_key, sent[0].request),)
    assert flow.state.screen == "busy" and not flow.state.server_up
    offline = f.Ticket(id="offline:1", number="A003", service_id="ausweis", offline=True)
    effects = flow.handle(f.CheckinSucceeded(offline))
    assert flow.state.screen == "ticket" and not flow.state.server_up
    assert f.PrintTicket(ticket=offline, lang="de") in effects


def test_an_answer_that_may_have_been_lost_is_retried_not_issued_offline() -> None:
    flow = make_flow(offline=True)
    flow.handle(f.StartWalkIn())
    flow.handle(f.ChooseService("ausweis"))
    assert flow.handle(f.ServerUnreachable(certain=False)) == ()
    assert flow.state.outcome == f.Outcome(code="server_unreachable")


def test_without_offline_tickets_no_connection_is_the_plain_outcome() -> None:
    flow = make_flow(offline=False)
    flow.handle(f.StartWalkIn())
    flow.handle(f.ChooseService("ausweis"))
    assert flow.handle(f.ServerUnreachable(certain=True)) == ()
    assert flow.state.screen == "outcome"


def test_an_offline_refusal_keeps_the_server_marked_away() -> None:
    flow = make_flow(offline=True)
    flow.handle(f.StartAppointment())
    flow.handle(f.Scanned("x" * 40))
    flow.handle(f.ServerUnreachable(certain=True))
    flow.handle(f.CheckinFailed(code="appointment_too_early", details={}, offline=True))
    assert flow.state.screen == "outcome" and not flow.state.server_up
    assert flow.state.outcome is not None and flow.state.outcome.was_appointment


def test_offline_errand_list_marks_the_server_away() -> None:
    flow = make_flow(offline=True)
    flow.handle(f.ServicesLoaded(office=f.Office(), services=SERVICES, online=False))
    assert not flow.state.server_up
    flow.handle(f.ServicesLoaded(office=f.Office(), services=SERVICES))
    assert flow.state.server_up
