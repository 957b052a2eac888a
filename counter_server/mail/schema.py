"""The mail outbox's tables: messages rendered at booking time, sent later by `mail.sender`."""

from __future__ import annotations

import sqlite_utils


def m014_mail_outbox(db: sqlite_utils.Database) -> None:
    """Each message whole (RFC 5322 bytes), its state, tries and next try; and reminders made."""
    db.execute(
        "CREATE TABLE mail_outbox (id TEXT PRIMARY KEY, message_id TEXT NOT NULL UNIQUE,"
        " kind TEXT NOT NULL, appointment_id TEXT, recipient TEXT NOT NULL, message BLOB NOT NULL,"
        " status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, attempt_id TEXT,"
        " next_at TEXT NOT NULL, last_error TEXT, created_at TEXT NOT NULL, sent_at TEXT)"
    )
    db.execute("CREATE INDEX mail_outbox_due ON mail_outbox (status, next_at)")
    # one reminder per booking (and time): no contact data here, only which booking was reminded
    db.execute(
        "CREATE TABLE mail_reminders (appointment_id TEXT PRIMARY KEY, start TEXT NOT NULL,"
        " created_at TEXT NOT NULL)"
    )


MAIL_MIGRATIONS = [m014_mail_outbox]
