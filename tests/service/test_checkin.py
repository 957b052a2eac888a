"""Check-in in process: ticket, answer and print job in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from counter_server.bookings import commands as bookings
from counter_server.checkin import leases
from counter_server.checkin.commands import KioskCheckin, check_in_at_counter, check_in_at_kiosk
from counter_server.core.appointments import AppointmentTooEarly
from counter_server.core.errors import DailyCapReached, UnknownService
from counter_server.core.model import Priority, TicketKind

from .conftest import Office

BASE = "http://office.test/t/"


def _jobs(office: Office) -> list[dict[str, object]]:
    return office.read(lambda db: list(db.query("SELECT * FROM print_jobs")))


def test_a_kiosk_with_a_network_printer_gets_ticket_answer_and_job_at_once(office: Office) -> None:
    kiosk = office.device("kiosk", "kiosk-1")
    checked_in = office.write(lambda w: check_in_at_kiosk(
        w, device=kiosk, request=KioskCheckin(service_id="ausweis", lang="tr"), status_base=BASE))
    answer = checked_in.to_json()
    assert answer["ticket"]["number"] == "A001" and answer["position"] == 1
    assert answer["status_url"] == BASE + checked_in.ticket.public_id
    [job] = _jobs(office)
    assert answer["print_job"] == {"id": job["id"], "printer_id": "eingang"}
    assert job["ticket_id"] == checked_in.ticket.id and '"lang": "tr"' in str(job["content"])
    assert office.types() [-2:] == ["ticket.created", "print.job"]


def test_a_kiosk_without_a_printer_gets_no_job(office: Office) -> None:
    kiosk = office.device("kiosk", "kiosk-2")
    answer = office.write(lambda w: check_in_at_kiosk(
        w, device=kiosk, request=KioskCheckin(service_id="ausweis"), status_base=BASE)).to_json()
    assert "print_job" not in answer and _jobs(office) == []


def test_a_refused_check_in_leaves_no_ticket_and_no_job(office: Office) -> None:
    kiosk = office.device("kiosk", "kiosk-1")
    with pytest.raises(UnknownService):
        office.write(lambda w: check_in_at_kiosk(
            w, device=kiosk, request=KioskCheckin(service_id="nope"), status_base=BASE))
    assert office.read(lambda db: db["tickets"].count) == 0 and _jobs(office) == []


def test_the_daily_cap_refuses_walk_ins(office: Office) -> None:
    kiosk = office.device("kiosk", "kiosk-2")
    cap = next(s for s in office.config.office.services if s.daily_walk_in_cap).daily_walk_in_cap
    service = next(s for s in office.config.office.services if s.daily_walk_in_cap)
    for _ in range(cap or 0):
        office.write(lambda w: check_in_at_kiosk(
            w, device=kiosk, request=KioskCheckin(service_id=service.id), status_base=BASE))
    with pytest.raises(DailyCapReached):
        office.write(lambda w: check_in_at_kiosk(
            w, device=kiosk, request=KioskCheckin(service_id=service.id), status_base=BASE))


def test_a_booked_visitor_checks_in_by_code_at_the_counter_within_the_window(office: Office) -> None:
    clerk = office.device("counter", "", "1")
    start = (office.now + timedelta(minutes=60)).replace(minute=0)
    booked = office.write(lambda w: bookings.book(
        w, service_id="ausweis", start=start.isoformat(), contact={"name": "Erika"}, device_id="b"))
    with pytest.raises(AppointmentTooEarly):
        office.write(lambda w: check_in_at_counter(
            w, device=clerk, counter_id="1", code=booked.code, lang="de", status_base=BASE))
    office.now = start - timedelta(minutes=10)
    checked_in, offered = office.write(lambda w: check_in_at_counter(
        w, device=clerk, counter_id="1", code=booked.code, lang="de", status_base=BASE))
    assert checked_in.ticket.kind is TicketKind.APPOINTMENT and checked_in.print_job is None
    assert offered is False  # counter 1 is still closed


def test_a_number_issued_offline_keeps_its_arrival_when_redeemed(office: Office) -> None:
    kiosk = office.device("kiosk", "kiosk-1")
    lease = office.write(lambda w: leases.top_up(w, device_id=kiosk.id, per_service=2))
    number = next(n for n in lease["numbers"] if n["service_id"] == "ausweis")
    issued_at = office.now
    office.later(3)
    redemption = leases.Redemption(lease_id=number["id"], issued_at=issued_at, lang="de", priority=Priority.NORMAL)
    ticket, refused = office.write(lambda w: leases.redeem(w, device_id=kiosk.id, redemption=redemption))
    assert (ticket.number, ticket.arrived_at, refused) == (number["number"], issued_at, None)
    with pytest.raises(leases.LeaseRedeemed):
        office.write(lambda w: leases.redeem(w, device_id=kiosk.id, redemption=redemption))
