"""Bookings in process: book, cancel, no-shows, contact retention."""

from __future__ import annotations

from datetime import timedelta

import pytest

from counter_server.bookings import commands as bookings
from counter_server.bookings.rows import contacts_of, get_appointment
from counter_server.bookings.views import free_slots_of
from counter_server.core.appointments import AppointmentStatus
from counter_server.core.slots import SlotUnavailable

from .conftest import Office


def _book(office: Office, minutes_ahead: int, contact: dict[str, str] | None = None) -> str:
    start = (office.now + timedelta(minutes=minutes_ahead)).replace(minute=0)
    return office.write(lambda w: bookings.book(
        w, service_id="ausweis", start=start.isoformat(), contact=contact, device_id="b")).id


def _free(office: Office) -> int:
    service = office.config.office.service("ausweis")
    assert service is not None
    day = office.now.date()
    return len(office.read(lambda db: free_slots_of(db, office.config, service=service, day=day, now=office.now)))


def test_a_booking_takes_a_slot_and_a_cancellation_frees_it(office: Office) -> None:
    free = _free(office)
    appointment_id = _book(office, 120)
    assert _free(office) <= free
    office.write(lambda w: bookings.cancel(w, appointment_id=appointment_id))
    assert _free(office) == free
    assert office.types().count("appointment.changed") == 2


def test_a_taken_time_is_refused(office: Office) -> None:
    start = (office.now + timedelta(minutes=120)).replace(minute=0)
    taken = 0
    with pytest.raises(SlotUnavailable):
        for _ in range(20):
            office.write(lambda w: bookings.book(w, service_id="ausweis", start=start.isoformat(), contact=None, device_id="b"))
            taken += 1
    assert taken >= 1


def test_housekeeping_marks_no_shows_and_deletes_old_contacts(office: Office) -> None:
    appointment_id = _book(office, 60, {"name": "Erika Mustermann", "email": "e@example.org"})
    assert office.read(lambda db: contacts_of(db, [appointment_id]))
    office.later(3 * 60)
    office.write(bookings.housekeeping)
    assert office.read(lambda db: get_appointment(db, appointment_id)).status is AppointmentStatus.NO_SHOW
    assert office.read(lambda db: contacts_of(db, [appointment_id]))  # kept for the retention period
    office.later(office.config.appointments.contact_retention_days * 24 * 60)
    office.write(bookings.housekeeping)
    assert office.read(lambda db: contacts_of(db, [appointment_id])) == {}
