"""The clerks' calendar feeds: the office's (or one counter's) booked times as one iCalendar.

Read-only and rebuilt on every fetch, so a subscribed calendar shows a booking,
a move or a cancellation at its next refresh. Each event names the errand and the
booking code; the booker's name only when `[booking] calendar_contact = true`,
never the e-mail address or phone number.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from ..config import OfficeConfig
from ..core.booking_code import display_code
from .rows import appointment_from_row, contacts_of

PAST = timedelta(days=7)
SHOWN = ("booked", "checked_in", "no_show")


def feed_ics(db: sqlite_utils.Database, config: OfficeConfig, *, now: datetime,
             counter_id: str | None = None) -> bytes:
    """Bookings from a week ago to `[booking] weeks` ahead, of one counter or all."""
    from icalendar import Calendar, Event  # here: about 3 MB the server need not keep all day

    until = now + timedelta(weeks=config.booking.weeks + 1)
    where = "start >= ? AND start < ? AND status IN ('booked', 'checked_in', 'no_show')"
    params: list[str] = [(now - PAST).isoformat(), until.isoformat()]
    if counter_id is not None:
        where += " AND counter_id = ?"
        params.append(counter_id)
    rows = list(db.query(f"SELECT * FROM appointments WHERE {where} ORDER BY start, id", params))
    names = contacts_of(db, [r["id"] for r in rows]) if config.booking.calendar_contact else {}
    office = config.office
    calendar = Calendar()
    calendar.add("prodid", "-//townhall-queue//clerk calendar//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", office.name if counter_id is None else f"{office.name} – {counter_id}")
    calendar.add("x-published-ttl", "PT15M")
    for row in rows:
        appointment = appointment_from_row(row)
        service = office.service(appointment.service_id)
        errand = service.name("de") if service else appointment.service_id
        code = display_code(appointment.code)
        name = (names.get(appointment.id) or {}).get("name")
        event = Event()
        event.add("uid", f"{appointment.id}@{office.id}")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", appointment.start)
        event.add("dtend", appointment.end)
        event.add("summary", f"{errand} – {code}" + (f" – {name}" if name else ""))
        event.add("description", f"Buchungscode: {code}\nSchalter: {appointment.counter_id}\n"
                                 f"Status: {appointment.status.value}")
        event.add("location", appointment.counter_id)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
