"""Texts of every screen and outcome, in plain words and in every language."""

from dataclasses import replace

import pytest

from i18n import Catalog
from kiosk import flow as f
from kiosk.shaping import font_for, visual_text, wrap_logical
from kiosk.views import outcome_key, screen_view

LANGS = ("de", "en", "tr", "ar", "uk", "ru")
SERVICES = (
    f.Service(
        id="ausweis", names={"de": "Personalausweis", "ar": "بطاقة الهوية"}, waiting=3, eta_min=20
    ),
    f.Service(
        id="pass",
        names={"de": "Reisepass"},
        available=False,
        unavailable_reason="daily_cap_reached",
    ),
)
OFFICE = f.Office(name="Bürgeramt", walk_in_until="2026-12-01T15:30:00+01:00")
SETTINGS = f.Settings()


def state(**changes: object) -> f.KioskState:
    base = f.KioskState(server_up=True, office=OFFICE, services=SERVICES)
    return replace(base, **changes)  # type: ignore[arg-type]


def view(st: f.KioskState):  # type: ignore[no-untyped-def]
    return screen_view(st, settings=SETTINGS, symbols={"ausweis": "☺"})


def test_a_kiosk_plural_reads_right() -> None:
    assert Catalog("uk", "kiosk").plural("ahead_count", 3) == "Перед вами 3 людини."


def test_start_shows_until_when_walk_ins_are_possible_before_choosing() -> None:
    v = view(state())
    assert "15:30" in " ".join(v.lines)
    assert [c.enabled for c in v.choices] == [True, True]


def test_start_says_no_more_walk_ins_today_and_disables_the_button() -> None:
    closed = tuple(
        replace(s, available=False, unavailable_reason="walk_in_closed") for s in SERVICES
    )
    v = view(state(services=closed))
    assert v.choices[0].enabled is False
    assert "keine Wartenummern" in v.choices[0].detail


def test_services_show_waiting_and_reason() -> None:
    v = view(state(screen="services"))
    assert [(c.title, c.detail, c.enabled) for c in v.choices] == [
        ("Personalausweis", "3 Personen warten · ca. 20 Minuten", True),
        ("Reisepass", "Heute alle Nummern vergeben", False),
    ]
    assert v.choices[0].symbol == "☺"


def test_service_names_in_arabic_fall_back_to_german() -> None:
    v = view(state(screen="services", lang="ar"))
    assert [c.title for c in v.choices] == ["بطاقة الهوية", "Reisepass"]


def test_ticket_screen_says_number_people_ahead_wait_and_print_state() -> None:
    ticket = f.Ticket(
        id="t", number="A042", service_id="ausweis", position=9, ahead=3, eta_min=25, status_url="u"
    )
    v = view(state(screen="ticket", ticket=ticket, print_state="failed"))
    assert v.number == "A042" and v.qr == "u"
    assert "3 Personen sind vor Ihnen." in v.lines
    assert "Wartezeit: ca. 25 Minuten" in v.lines
    assert any("fotografieren" in line for line in v.lines)
    assert "A042" in v.spoken()


def test_first_in_line_hears_they_are_next() -> None:
    ticket = f.Ticket(id="t", number="A001", service_id="ausweis", position=4, ahead=0, eta_min=0)
    assert "Sie sind als Nächstes dran." in view(state(screen="ticket", ticket=ticket)).lines


def outcome_view(code: str, details: dict | None = None, **changes: object):  # type: ignore[no-untyped-def]
    outcome = f.Outcome(code=code, details=details or {}, was_appointment=True)
    return view(state(screen="outcome", outcome=outcome, **changes))


def test_too_early_names_both_times_in_office_time_and_offers_walk_in() -> None:
    v = outcome_view(
        "appointment_too_early",
        {"start": "2026-12-01T09:30:00Z", "checkin_from": "2026-12-01T09:15:00Z"},
    )
    assert v.lines == ("Ihr Termin ist um 10:30 Uhr. Sie können ab 10:15 Uhr einchecken.",)
    assert [a.action for a in v.actions] == ["walk_in", "home"]


def test_already_checked_in_shows_the_first_ticket() -> None:
    v = outcome_view("appointment_already_checked_in", {"ticket": {"number": "T007"}})
    assert v.number == "T007" and "T007" in v.lines[0]


def test_walk_in_offer_is_hidden_when_no_walk_in_is_possible() -> None:
    closed = tuple(replace(s, available=False) for s in SERVICES)
    v = outcome_view(
        "appointment_too_late", {"start": "2026-12-01T09:30:00+01:00"}, services=closed
    )
    assert [a.action for a in v.actions] == ["home"]


@pytest.mark.parametrize("lang", LANGS)
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
        "unknown_service",
        "walk_in_not_allowed",
        "office_closed",
        "walk_in_closed",
        "daily_cap_reached",
        "invalid_request",
        "unauthorized",
        "forbidden",
        "server_unreachable",
        "brand_new_code",
    ],
)
def test_every_outcome_has_plain_words_and_a_way_on(code: str, lang: str) -> None:
    v = outcome_view(code, {}, lang=lang)
    assert v.title and v.lines[0]
    assert "{" not in v.title + v.lines[0]
    assert v.actions, "never a dead end"
    assert code not in v.spoken()


def test_unknown_codes_read_as_plain_words() -> None:
    assert outcome_key("brand_new_code") == "other"
    assert outcome_key("token_wrong_day") == "not_found"


def test_arabic_is_shaped_and_reordered_per_line() -> None:
    text = "أمامك 3 أشخاص."
    shown = visual_text(text, width=None, measure=len)
    assert "\ufe8e" <= shown[-1] <= "\ufefc" or shown != text  # joined presentation forms
    assert shown.index("3") > 0


def test_wrapping_keeps_the_first_words_on_the_first_line() -> None:
    lines = wrap_logical("aa bb cc dd", width=5, measure=len)
    assert lines == ["aa bb", "cc dd"]


def test_fonts_cover_the_script() -> None:
    assert font_for("Reisepass").endswith("NotoSans-Regular.ttf")
    assert font_for("بطاقة", bold=True).endswith("NotoSansArabic-Bold.ttf")
    assert font_for("امسح رمز QR").endswith("DejaVuSans.ttf")
    assert font_for("Українська").endswith("NotoSans-Regular.ttf")
