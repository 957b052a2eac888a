"""Schema changes, applied in order, each recorded once; safe to run twice.

Append new migrations at the end of MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlite_utils

from .city.outbox import CITY_MIGRATIONS
from .mail.schema import MAIL_MIGRATIONS
from .migrations_console import CONSOLE_MIGRATIONS
from .paths import StartRefused
from .stats.schema import STATS_MIGRATIONS

Migration = Callable[[sqlite_utils.Database], None]


def m001_core(db: sqlite_utils.Database) -> None:
    # AUTOINCREMENT: a seq is never reused, even after old events are pruned.
    db.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
        " type TEXT NOT NULL, data TEXT NOT NULL)"
    )
    db.table("tickets").create(
        {
            "id": str, "number": str, "service_id": str, "kind": str, "priority": str,
            "lang": str, "state": str, "created_at": str, "arrived_at": str,
            "office_day": str, "public_id": str, "appointment_at": str,
            "appointment_id": str, "called_at": str, "started_at": str, "finished_at": str,
            "counter_id": str, "target_counter_id": str, "call_count": int, "reason": str,
            "device_id": str,
        },
        pk="id",
        not_null={"number", "service_id", "kind", "state", "office_day", "public_id"},
    )
    db.table("tickets").create_index(["office_day", "number"], unique=True)
    db.table("tickets").create_index(["public_id"], unique=True)
    db.table("tickets").create_index(["state"])
    db.table("counters").create(
        {"id": str, "state": str, "updated_at": str}, pk="id", not_null={"state"}
    )
    db.table("devices").create(
        {
            "id": str, "name": str, "role": str, "counter_id": str, "token_hash": str,
            "created_at": str, "revoked_at": str,
        },
        pk="id",
        not_null={"role", "token_hash"},
    )
    db.table("devices").create_index(["token_hash"], unique=True)
    db.table("idempotency").create(
        {
            "device_id": str, "key": str, "request": str, "status": int, "body": str,
            "created_at": str,
        },
        pk=("device_id", "key"),
    )


def m002_appointments(db: sqlite_utils.Database) -> None:
    db.table("appointments").create(
        {
            "id": str, "code": str, "service_id": str, "counter_id": str, "start": str,
            "office_day": str, "duration_min": int, "status": str, "ticket_id": str,
            "external_id": str, "source": str, "device_id": str, "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"code", "service_id", "counter_id", "start", "office_day", "status"},
    )
    db.table("appointments").create_index(["code"], unique=True)
    db.table("appointments").create_index(["external_id"], unique=True)
    db.table("appointments").create_index(["office_day", "start"])
    # Contact data lives apart so the retention job can delete it without touching the booking.
    db.execute(
        "CREATE TABLE appointment_contacts (appointment_id TEXT PRIMARY KEY"
        " REFERENCES appointments(id) ON DELETE CASCADE, name TEXT, email TEXT, phone TEXT,"
        " created_at TEXT NOT NULL)"
    )


def m003_print_jobs(db: sqlite_utils.Database) -> None:
    """Print jobs kept until a printer acknowledges them, and each printer's last status."""
    db.table("print_jobs").create(
        {
            "id": str, "printer_id": str, "ticket_id": str, "number": str, "state": str,
            "paper_mm": int, "content": str, "created_at": str, "expires_at": str,
            "done_at": str, "reason": str,
        },
        pk="id",
        not_null={"printer_id", "ticket_id", "number", "state", "content", "created_at"},
    )
    db.table("print_jobs").create_index(["printer_id", "state", "created_at"])
    db.table("printer_states").create(
        {"printer_id": str, "status": str, "detail": str, "since": str, "reported_at": str},
        pk="printer_id",
        not_null={"status"},
    )


def m004_number_leases(db: sqlite_utils.Database) -> None:
    """Numbers a kiosk holds in reserve to issue tickets while the server is away."""
    db.table("number_leases").create(
        {
            "id": str, "device_id": str, "office_day": str, "service_id": str, "number": str,
            "public_id": str, "leased_at": str, "ticket_id": str, "redeemed_at": str,
        },
        pk="id",
        not_null={"device_id", "office_day", "service_id", "number", "public_id", "leased_at"},
    )
    db.table("number_leases").create_index(["office_day", "number"], unique=True)
    db.table("number_leases").create_index(["public_id"], unique=True)
    db.table("number_leases").create_index(["device_id", "office_day"])


def m005_lease_outcomes(db: sqlite_utils.Database) -> None:
    """Why an offline ticket was refused, and which lost check-in it stands in for."""
    leases = db.table("number_leases")
    for column in ("issued_at", "refusal", "refused_at", "supersedes"):
        if column not in leases.columns_dict:
            leases.add_column(column, str)
    leases.create_index(["refused_at"], if_not_exists=True)



def m006_idempotency_hashes(db: sqlite_utils.Database) -> None:
    """Keep only a hash of each remembered request: a booking's body carries contact data."""
    from .idempotency import fingerprint

    rows = db.execute("SELECT rowid, request FROM idempotency").fetchall()
    for rowid, request in rows:
        db.execute("UPDATE idempotency SET request = ? WHERE rowid = ?", [fingerprint(request), rowid])
    db.table("idempotency").create_index(["created_at"])


def m007_tickets_by_day_and_state(db: sqlite_utils.Database) -> None:
    """The day's finished visits (service times) and walk-ins (caps) without scanning the day."""
    db.table("tickets").create_index(["office_day", "state"], if_not_exists=True)


def m008_booking_secrets(db: sqlite_utils.Database) -> None:
    """The booking site's manage links: only a hash of each secret, and the booker's language."""
    db.table("booking_secrets").create(
        {"appointment_id": str, "secret_hash": str, "lang": str, "proof": int, "created_at": str},
        pk="appointment_id", not_null={"secret_hash"}, if_not_exists=True,
    )
    db.table("booking_secrets").create_index(["secret_hash"], unique=True, if_not_exists=True)


def m009_waitlist(db: sqlite_utils.Database) -> None:
    """Who waits for an earlier time, and the times held for them (an offer)."""
    db.table("waitlist").create(
        {"id": str, "service_id": str, "email": str, "lang": str, "before": str, "secret_hash": str,
         "status": str, "created_at": str, "updated_at": str},
        pk="id", not_null={"service_id", "email", "status", "secret_hash"}, if_not_exists=True,
    )
    db.table("waitlist").create_index(["service_id", "status", "created_at"], if_not_exists=True)
    db.table("waitlist").create_index(["secret_hash"], unique=True, if_not_exists=True)
    db.table("waitlist_offers").create(
        {"id": str, "waitlist_id": str, "service_id": str, "counter_id": str, "start": str,
         "end": str, "office_day": str, "secret_hash": str, "status": str, "expires_at": str,
         "created_at": str},
        pk="id", not_null={"waitlist_id", "start", "status", "secret_hash"}, if_not_exists=True,
    )
    db.table("waitlist_offers").create_index(["secret_hash"], unique=True, if_not_exists=True)
    db.table("waitlist_offers").create_index(["office_day", "status"], if_not_exists=True)


def m016_appointments_by_day_counter(db: sqlite_utils.Database) -> None:
    """A covering index for the booking site's month of free times (`rows.busy_between`): the
    bookings of a month per counter in order, read from the index alone."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_appointments_busy ON appointments"
        " (office_day, counter_id, start, duration_min, status, id)"
    )


def m019_finished_visits(db: sqlite_utils.Database) -> None:
    """A covering index for the day's finished visits (the service times, `rows.finished_visits`):
    whether one finished since, and which, read from the index alone, not the day's rows."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_tickets_finished ON tickets"
        " (office_day, state, finished_at, id, service_id, called_at, started_at)"
    )


def m020_walk_ins_by_day(db: sqlite_utils.Database) -> None:
    """A check-in counts the walk-ins of its errand that day (the cap) in an index, not the day's rows."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_tickets_walk_ins ON tickets (office_day, kind, service_id)")


def m021_latest_calls(db: sqlite_utils.Database) -> None:
    """The board's last calls and last served (`rows.recent_calls`, `rows.recently_done`) read
    backwards from an index and stopped after a few, not the day's tickets sorted on every
    read; and a printer's pending jobs (`printer_health`) counted without the day's jobs."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_tickets_calls ON tickets (office_day, called_at)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_tickets_served ON tickets (office_day, state, called_at)")
    db.execute("DROP INDEX IF EXISTS idx_tickets_office_day_state")  # the one above serves its queries
    db.execute("CREATE INDEX IF NOT EXISTS idx_print_jobs_pending ON print_jobs (state, printer_id)")


MIGRATIONS: list[Migration] = [
    m001_core, m002_appointments, m003_print_jobs, m004_number_leases, m005_lease_outcomes, m006_idempotency_hashes,
    m007_tickets_by_day_and_state, m008_booking_secrets, m009_waitlist,
]
MIGRATIONS += CONSOLE_MIGRATIONS

# the statistics' tables live with them (counter_server/stats/schema.py)
MIGRATIONS += STATS_MIGRATIONS

# the city outbox (counter_server/city/outbox.py): an empty table while the office runs alone
MIGRATIONS += CITY_MIGRATIONS
# the mail outbox (counter_server/mail/schema.py)
MIGRATIONS += MAIL_MIGRATIONS
# the booking site's month of free times read from one covering index
MIGRATIONS += [m016_appointments_by_day_counter]
# the day's finished visits (service times) from one covering index
MIGRATIONS += [m019_finished_visits, m020_walk_ins_by_day]
# the board's last calls from an index
MIGRATIONS += [m021_latest_calls]


def pending(applied: list[str]) -> list[str]:
    """The migrations a database that has `applied` still needs."""
    return [m.__name__ for m in MIGRATIONS if m.__name__ not in set(applied)]


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM _migrations").fetchall()}
    unknown = done - {m.__name__ for m in MIGRATIONS}
    if unknown:
        raise StartRefused(
            f"the database was written by a newer townhall (migrations it does not know: {', '.join(sorted(unknown))});"
            " install that version again, or restore a backup made before the upgrade"
        )
    applied = []
    for migration in MIGRATIONS:
        name = migration.__name__
        if name in done:
            continue
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            migration(db)
            db.conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat()),
            )
            db.conn.execute("COMMIT")
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
