"""Ticket numbers are found in the day's index (the highest issued, the leased block), not by
reading every number of the day: the same numbers as counting through them all."""

from __future__ import annotations

import pytest

from counter_server.checkin.leases import top_up
from counter_server.core.errors import NumbersExhausted
from counter_server.core.model import Priority, TicketKind
from counter_server.queue import commands
from counter_server.queue.commands import Preassigned

from .conftest import Office


def _issue(office: Office, service_id: str = "ausweis", number: str | None = None) -> str:
    preassigned = None if number is None else Preassigned(number=number, public_id=f"p-{number}", at=office.now)
    ticket = office.write(lambda w: commands.issue_ticket(
        w, service_id=service_id, kind=TicketKind.WALK_IN, lang="de", priority=Priority.NORMAL, device_id="k",
        preassigned=preassigned))
    return ticket.number


def test_numbers_count_on_after_the_highest_and_leave_the_leased_block_alone(office: Office) -> None:
    kiosk = office.device("kiosk", "kiosk-1")
    prefix = office.config.office.service("ausweis").prefix  # type: ignore[union-attr]
    assert [_issue(office) for _ in range(3)] == [f"{prefix}001", f"{prefix}002", f"{prefix}003"]
    leased = office.write(lambda w: top_up(w, device_id=kiosk.id, per_service=2))
    mine = sorted(n["number"] for n in leased["numbers"] if n["service_id"] == "ausweis")
    assert mine == [f"{prefix}900", f"{prefix}901"]
    assert _issue(office, number=f"{prefix}950") == f"{prefix}950"  # a kiosk's outage ticket
    assert _issue(office) == f"{prefix}004"  # neither the leased nor the outage numbers count
    assert _issue(office, number=f"{prefix}120") == f"{prefix}120"
    assert _issue(office) == f"{prefix}121"  # on after the highest, gaps are never filled
    more = office.write(lambda w: top_up(w, device_id=kiosk.id, per_service=4))
    mine = sorted(n["number"] for n in more["numbers"] if n["service_id"] == "ausweis")
    assert mine == [f"{prefix}900", f"{prefix}901", f"{prefix}902", f"{prefix}903"]  # 950 stays used
    other = office.config.office.service("pass").prefix  # type: ignore[union-attr]
    assert _issue(office, "pass") == f"{other}001"  # every prefix counts on its own


def test_the_last_number_before_the_leased_block_ends_the_day(office: Office) -> None:
    prefix = office.config.office.service("ausweis").prefix  # type: ignore[union-attr]
    _issue(office, number=f"{prefix}899")
    with pytest.raises(NumbersExhausted):
        _issue(office)
