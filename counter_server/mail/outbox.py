"""The durable outbox: rows written in the booking's transaction, claimed and marked by the sender.

A row goes `pending` -> `sending` (with a fresh attempt id, before the SMTP
conversation) -> `sent` (only after the mail server accepted it), or back to
`pending` with an exponentially later `next_at` when the try failed; a recipient
the server refuses for good ends `refused`. A row still `sending` when the server
starts again was cut off mid-try: it is sent again (at-least-once), with the same
Message-ID, so a duplicate is recognisable. Rows hold an e-mail address and are
deleted after the contact retention, like the bookings' contacts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlite_utils

from ..uow import Work

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 300.0
# a message the mail server never took is kept this long past the contact retention, then dropped
UNSENT_GRACE_DAYS = 7
ERROR_CHARS = 300


@dataclass(frozen=True)
class Claimed:
    """One message the sender is about to hand to the mail server."""

    id: str
    attempt_id: str
    recipient: str
    message: bytes


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 1 s, 2 s, 4 s ... at most 5 min."""
    return timedelta(seconds=min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** max(0, attempts - 1)))


def enqueue(work: Work, *, kind: str, message: EmailMessage, recipient: str,
            appointment_id: str | None) -> str:
    """Add a rendered message; it commits or rolls back with the caller's transaction."""
    row_id = secrets.token_hex(16)
    now = work.now.isoformat()
    work.db.table("mail_outbox").insert({
        "id": row_id, "message_id": str(message["Message-ID"]), "kind": kind,
        "appointment_id": appointment_id, "recipient": recipient, "message": message.as_bytes(),
        "status": "pending", "attempts": 0, "attempt_id": None, "next_at": now, "last_error": None,
        "created_at": now, "sent_at": None,
    })
    return row_id


def due(db: sqlite_utils.Database, now: datetime) -> str | None:
    """The id of the oldest message due now, if any (a read; `claim` takes it)."""
    row = db.execute(
        "SELECT id FROM mail_outbox WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT 1",
        [now.isoformat()]).fetchone()
    return str(row[0]) if row else None


def claim(work: Work, row_id: str) -> Claimed | None:
    """Mark the row `sending` under a new attempt id; None when another try took it first."""
    attempt_id = secrets.token_hex(8)
    cursor = work.db.execute(
        "UPDATE mail_outbox SET status = 'sending', attempt_id = ?, attempts = attempts + 1"
        " WHERE id = ? AND status = 'pending'", [attempt_id, row_id])
    if cursor.rowcount != 1:
        return None
    recipient, message = work.db.execute(
        "SELECT recipient, message FROM mail_outbox WHERE id = ?", [row_id]).fetchone()
    return Claimed(id=row_id, attempt_id=attempt_id, recipient=recipient, message=bytes(message))


def mark_sent(work: Work, claimed: Claimed) -> None:
    work.db.execute(
        "UPDATE mail_outbox SET status = 'sent', sent_at = ?, last_error = NULL"
        " WHERE id = ? AND attempt_id = ?", [work.now.isoformat(), claimed.id, claimed.attempt_id])


def mark_failed(work: Work, claimed: Claimed, error: str, *, permanent: bool = False) -> None:
    attempts = work.db.execute(
        "SELECT attempts FROM mail_outbox WHERE id = ?", [claimed.id]).fetchone()
    later = work.now + backoff(int(attempts[0]) if attempts else 1)
    work.db.execute(
        "UPDATE mail_outbox SET status = ?, next_at = ?, last_error = ? WHERE id = ? AND attempt_id = ?",
        ["refused" if permanent else "pending", later.isoformat(), error[:ERROR_CHARS], claimed.id,
         claimed.attempt_id])


def recover(work: Work) -> int:
    """At start: tries cut off by a crash are tried again (at-least-once, same Message-ID)."""
    cursor = work.db.execute(
        "UPDATE mail_outbox SET status = 'pending', next_at = ?, last_error = 'cut off by a restart'"
        " WHERE status = 'sending'", [work.now.isoformat()])
    return cursor.rowcount


def purge(work: Work) -> int:
    """Delete sent rows after the contact retention, unsent ones a week later; returns how many."""
    days = work.config.appointments.contact_retention_days
    sent_cutoff = (work.now - timedelta(days=days)).isoformat()
    unsent_cutoff = (work.now - timedelta(days=days + UNSENT_GRACE_DAYS)).isoformat()
    cursor = work.db.execute(
        "DELETE FROM mail_outbox WHERE (status IN ('sent', 'refused') AND coalesce(sent_at, next_at) < ?)"
        " OR created_at < ?", [sent_cutoff, unsent_cutoff])
    work.db.execute("DELETE FROM mail_reminders WHERE start < ?", [sent_cutoff])
    return cursor.rowcount
