"""The statistics tables and the event indexes the statistics job reads by.

Every row is a fact without a person: no ticket id, number, name, e-mail, phone or code.
"""

from __future__ import annotations

import sqlite_utils


def m012_stats_tables(db: sqlite_utils.Database) -> None:
    """Per-visit facts, refused walk-ins, counters' open time, and which days are built."""
    db.execute(
        "CREATE TABLE stats_visits (office_day TEXT NOT NULL, hour INTEGER NOT NULL,"
        " weekday INTEGER NOT NULL, service_id TEXT NOT NULL, counter_id TEXT NOT NULL,"
        " kind TEXT NOT NULL, outcome TEXT NOT NULL, transferred INTEGER NOT NULL,"
        " parked INTEGER NOT NULL, offline INTEGER NOT NULL, wait_s INTEGER, service_s INTEGER,"
        " on_time INTEGER, eta_error_s INTEGER)"
    )
    db.execute("CREATE INDEX stats_visits_day ON stats_visits (office_day)")
    db.execute(
        "CREATE TABLE stats_refusals (office_day TEXT NOT NULL, hour INTEGER NOT NULL,"
        " service_id TEXT NOT NULL, reason TEXT NOT NULL, offline INTEGER NOT NULL,"
        " n INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX stats_refusals_day ON stats_refusals (office_day)")
    db.execute(
        "CREATE TABLE stats_open (office_day TEXT NOT NULL, hour INTEGER NOT NULL,"
        " counter_id TEXT NOT NULL, open_s INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX stats_open_day ON stats_open (office_day)")
    db.execute(
        "CREATE TABLE stats_days (office_day TEXT PRIMARY KEY, built_at TEXT NOT NULL,"
        " last_seq INTEGER NOT NULL, visits INTEGER NOT NULL, counters_at_end TEXT NOT NULL)"
    )


def m013_event_indexes(db: sqlite_utils.Database) -> None:
    """Read a day's events by time, a type's events in order, and bookings by their slot."""
    db.execute("CREATE INDEX IF NOT EXISTS events_at ON events (at)")
    db.execute("CREATE INDEX IF NOT EXISTS events_type_seq ON events (type, seq)")
    db.execute(
        "CREATE INDEX IF NOT EXISTS events_appointment_start ON events"
        " (json_extract(data, '$.appointment.start')) WHERE type = 'appointment.changed'"
    )


def m018_stats_clerk_and_minutes(db: sqlite_utils.Database) -> None:
    """Each visit's clerk (staff id, "" without an account) and its arrival and slot minute
    after local midnight (for replaying a recorded day). Days built before lack them until
    `townhall stats rebuild`."""
    db.execute("ALTER TABLE stats_visits ADD COLUMN staff_id TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE stats_visits ADD COLUMN arrived_min INTEGER")
    db.execute("ALTER TABLE stats_visits ADD COLUMN slot_min INTEGER")


STATS_MIGRATIONS = [m012_stats_tables, m013_event_indexes, m018_stats_clerk_and_minutes]
