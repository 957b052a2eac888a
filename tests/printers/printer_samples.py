"""Ticket contents shared by the printer tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from printers.ticket import TicketContent

BERLIN = ZoneInfo("Europe/Berlin")


def german_ticket(
    *, number: str = "A042", url: str = "http://127.0.0.1:8000/t/Qx7pK2mZ"
) -> TicketContent:
    return TicketContent(
        office_name="Bürgeramt Mitte",
        number=number,
        errand="Personalausweis beantragen",
        errand_de="Personalausweis beantragen",
        lang="de",
        issued_at=datetime(2026, 12, 1, 9, 14, tzinfo=BERLIN),
        people_ahead=4,
        eta_min=25,
        status_url=url,
    )


def arabic_ticket() -> TicketContent:
    return TicketContent(
        office_name="Bürgeramt Mitte",
        number="B007",
        errand="تسجيل السكن",
        errand_de="Anmeldung / Ummeldung",
        lang="ar",
        issued_at=datetime(2026, 12, 1, 11, 3, tzinfo=BERLIN),
        people_ahead=0,
        eta_min=5,
        status_url="http://127.0.0.1:8000/t/Zr81LmQe",
    )
