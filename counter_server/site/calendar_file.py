"""The booking as an iCalendar file (icalendar), for the booker's own calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from ..core.appointments import Appointment
from ..core.booking_code import display_code
from .render import Page


def ics_of(page: Page, appointment: Appointment, *, manage_url: str) -> bytes:
    from icalendar import Calendar, Event  # here: about 3 MB the server need not keep all day

    office = page.config.office
    bring = page.config.booking.service(appointment.service_id).bring_in(page.lang)
    lines = [f"{page.t('code')}: {display_code(appointment.code)}"]
    if bring:
        lines.append(f"{page.t('bring')}: {bring}")
    lines.append(manage_url)
    calendar = Calendar()
    calendar.add("prodid", "-//townhall-queue//booking//DE")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{appointment.id}@{office.id}")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", f"{page.service_name(appointment.service_id)} – {office.name}")
    event.add("location", office.name)
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    return bytes(calendar.to_ical())
