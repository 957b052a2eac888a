"""The citizens' own bookings: booked, seen, moved and cancelled through a secret link.

Only a hash of each link's secret is stored (`booking_secrets`), so a copy of the
database opens no one's booking. Every change tells `mail.notify` inside the same
unit of work and offers a freed time to the waiting list at once.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

import sqlite_utils

from ..core.appointments import Appointment, AppointmentStatus
from ..core.errors import Conflict, NotFound
from ..core.slots import choose_counter
from ..mail import notify
from ..uow import Work
from . import waitlist
from .commands import book, cancel, emit_changed
from .parse import AppointmentNotCancellable, check_horizon, parse_start, service_of
from .rows import bookings_of_day, day_of, get_appointment, secret_hash

SECRET_BYTES = 24  # 192 bits: a manage link cannot be guessed


class ManageLinkUnknown(NotFound):
    """No booking has this manage link (mistyped, or forged)."""

    code = "manage_link_unknown"


class TooManyOpenBookings(Conflict):
    """This e-mail address already holds as many open bookings as the office allows."""

    code = "too_many_open_bookings"


def manage_path(secret: str) -> str:
    return f"/book/manage/{secret}"


def manage_url(work: Work, secret: str) -> str:
    """The link as the booker gets it: under the office's public address when one is set."""
    return f"{work.config.public_url}{manage_path(secret)}"


def open_bookings_of(db: sqlite_utils.Database, email: str, now_iso: str) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM appointments a JOIN appointment_contacts c ON c.appointment_id = a.id"
        " WHERE lower(c.email) = lower(?) AND a.status = 'booked' AND a.start >= ?",
        [email, now_iso],
    ).fetchone()
    return int(row[0])


def _check_email_limit(work: Work, email: str | None) -> None:
    limit = work.config.booking.max_open_per_email
    if email and open_bookings_of(work.db, email, work.now.isoformat()) >= limit:
        raise TooManyOpenBookings(f"{email} already has {limit} open bookings", limit=limit)


def book_online(
    work: Work, *, service_id: Any, start: Any, contact: dict[str, str], lang: str, proof: bool
) -> tuple[Appointment, str]:
    """Book a free time from the site; returns the booking and its manage link's secret."""
    _check_email_limit(work, contact.get("email"))
    appointment = book(work, service_id=service_id, start=start, contact=contact, device_id="site")
    secret = secrets.token_urlsafe(SECRET_BYTES)
    work.db.table("booking_secrets").insert({
        "appointment_id": appointment.id, "secret_hash": secret_hash(secret), "lang": lang,
        "proof": int(proof), "created_at": work.now.isoformat(),
    })
    notify.booking_confirmed(work, appointment.id, manage_url(work, secret))
    return appointment, secret


def find_by_secret(db: sqlite_utils.Database, secret: str) -> Appointment:
    row = db.execute(
        "SELECT appointment_id FROM booking_secrets WHERE secret_hash = ?", [secret_hash(secret)]
    ).fetchone()
    if row is None:
        raise ManageLinkUnknown("no booking has this link")
    return get_appointment(db, row[0])


def cancel_online(work: Work, *, secret: str) -> Appointment:
    """Cancel through the manage link; the freed time goes to the waiting list or back on offer."""
    before = find_by_secret(work.db, secret)
    cancelled = cancel(work, appointment_id=before.id)
    if before.status is AppointmentStatus.BOOKED:
        notify.booking_cancelled(work, before.id)
        waitlist.time_freed(work, service_id=before.service_id, start=before.start)
    return cancelled


def move_online(work: Work, *, secret: str, start: Any) -> Appointment:
    """Move to another free time in one step; the booking keeps its code and link."""
    current = find_by_secret(work.db, secret)
    if current.status is not AppointmentStatus.BOOKED:
        raise AppointmentNotCancellable(
            f"the appointment is {current.status.value}", status=current.status.value)
    config = work.config
    service = service_of(config, current.service_id)
    when = parse_start(start, config)
    day = day_of(config, when)
    check_horizon(day, work.now)
    slot = choose_counter(
        office=config.office, service=service, start=when,
        booked=bookings_of_day(work.db, day, leave_out=current.id),
        rules=config.appointments.slots, now=work.now,
    )
    work.db.table("appointments").update(current.id, {
        "start": slot.start.isoformat(), "office_day": day.isoformat(),
        "counter_id": slot.counter_ids[0], "updated_at": work.now.isoformat(),
    })
    moved = replace(current, start=slot.start, counter_id=slot.counter_ids[0])
    emit_changed(work, moved)
    notify.booking_moved(work, current.id, manage_url(work, secret))
    waitlist.time_freed(work, service_id=current.service_id, start=current.start)
    return moved


def lang_of(db: sqlite_utils.Database, appointment_id: str) -> str:
    row = db.execute(
        "SELECT lang FROM booking_secrets WHERE appointment_id = ?", [appointment_id]).fetchone()
    return str(row[0]) if row and row[0] else "de"


def accept_offer(
    work: Work, *, offer: dict[str, Any], contact: dict[str, str], lang: str, proof: bool
) -> tuple[Appointment, str]:
    """Book the time held for a waiting-list entry (releasing the hold in the same transaction)."""
    waitlist.check_open(work, offer)
    waitlist.close_offer(work, offer, taken=True)
    return book_online(
        work, service_id=offer["service_id"], start=offer["start"], contact=contact, lang=lang,
        proof=proof)
