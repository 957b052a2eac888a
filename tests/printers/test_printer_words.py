"""What a ticket says, built in one place for the kiosk's printer and the server's print jobs."""

from __future__ import annotations

from datetime import UTC, datetime

from printers.ticket import render_ticket
from printers.words import TicketContent, ticket_words

NAMES = {"de": "Personalausweis", "ar": "بطاقة الهوية"}
ISSUED = datetime(2026, 12, 1, 8, 14, tzinfo=UTC)  # 09:14 in Berlin


def words(**changes: object) -> TicketContent:
    fields: dict[str, object] = {
        "office_name": "Bürgeramt Mitte",
        "number": "A042",
        "errand_names": NAMES,
        "lang": "de",
        "issued_at": ISSUED,
        "timezone": "Europe/Berlin",
        "people_ahead": 4,
        "eta_min": 25,
        "status_url": "http://127.0.0.1:8000/t/Qx7pK2mZ",
    }
    return ticket_words(**{**fields, **changes})  # type: ignore[arg-type]


def test_people_ahead_are_the_server_count_as_given() -> None:
    assert words(people_ahead=4).people_ahead == 4
    assert words(people_ahead=0).people_ahead == 0
    assert words(people_ahead=None).people_ahead is None


def test_the_time_is_printed_in_the_office_time_zone() -> None:
    content = words()
    assert content.issued_at.strftime("%H:%M") == "09:14"
    assert content.issued_at == ISSUED


def test_the_errand_in_the_visitor_language_with_german_beside_it() -> None:
    arabic = words(lang="ar")
    assert (arabic.errand, arabic.errand_de) == ("بطاقة الهوية", "Personalausweis")
    turkish = words(lang="tr")
    assert (turkish.errand, turkish.errand_de) == ("Personalausweis", "Personalausweis")
    only_english = words(errand_names={"en": "Passport"}, lang="tr")
    assert only_english.errand == only_english.errand_de == "Passport"


def test_the_words_are_what_the_print_agent_reads_back_and_lays_out() -> None:
    content = words(lang="ar")
    assert TicketContent.from_json(content.to_json()) == content
    assert render_ticket(content=content, paper_mm=80).endswith(b"\x1dVA\x00")
