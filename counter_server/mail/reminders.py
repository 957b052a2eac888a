"""The reminder job: `[mail] reminder_hours` before a booked time, one reminder per booking.

Run by the server's housekeeping. `mail_reminders` remembers which booking (at which
time) was reminded, so it goes once; a move forgets it (`notify.booking_moved`). A
booking made inside the reminder window gets no reminder: its confirmation is fresh.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..uow import Work
from . import notify, outbox


def enqueue_due(work: Work) -> int:
    """Enqueue the reminders now due; returns how many."""
    settings = work.config.mail
    if settings is None or settings.reminder_hours == 0:
        return 0
    ahead = timedelta(hours=settings.reminder_hours)
    rows = work.db.execute(
        "SELECT a.id, a.start, a.created_at FROM appointments a"
        " JOIN appointment_contacts c ON c.appointment_id = a.id"
        " LEFT JOIN mail_reminders r ON r.appointment_id = a.id"
        " WHERE a.status = 'booked' AND c.email IS NOT NULL AND c.email != '' AND r.appointment_id IS NULL"
        " AND a.start > ? AND a.start <= ?",
        [work.now.isoformat(), (work.now + ahead).isoformat()]).fetchall()
    count = 0
    for appointment_id, start, created_at in rows:
        work.db.execute("INSERT INTO mail_reminders (appointment_id, start, created_at) VALUES (?, ?, ?)",
                        [appointment_id, start, work.now.isoformat()])
        if created_at and created_at > _minus(start, ahead):
            continue  # booked inside the window: the confirmation is the reminder
        count += notify.booking_reminder(work, appointment_id) is not None
    return count


def _minus(iso: str, delta: timedelta) -> str:
    return (datetime.fromisoformat(iso) - delta).isoformat()


def housekeeping(work: Work) -> int:
    """Reminders due, then the outbox's retention; returns how many rows with addresses it deleted."""
    enqueue_due(work)
    return outbox.purge(work)
