"""The city's PostgreSQL schema, by numbered migrations.

`migrate` applies, in one transaction under an advisory lock, every migration the
database has not recorded in `city_migrations` yet, and says which it applied: run it
twice, or from two hosts at once, and the second run applies nothing. A new table or
column is a new migration at the end of the list, never an edit of an applied one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from . import readmodel, stats_store

LOCK = 0x70776E68  # pg_advisory_xact_lock key of the city's schema ("twnh")
CATALOGUE = (
    """CREATE TABLE catalogue_versions (
        version INTEGER PRIMARY KEY, digest TEXT NOT NULL, errands INTEGER NOT NULL,
        body JSONB NOT NULL, published_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    """CREATE TABLE catalogue_reports (
        office TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL,
        added TEXT[] NOT NULL DEFAULT '{}', changed TEXT[] NOT NULL DEFAULT '{}',
        unchanged TEXT[] NOT NULL DEFAULT '{}', skipped TEXT[] NOT NULL DEFAULT '{}',
        reason TEXT NOT NULL DEFAULT '', at TIMESTAMPTZ NOT NULL, seq BIGINT NOT NULL)""",
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MIGRATIONS = (
    Migration(1, "read model: city_events, tickets, appointments, office_stats", readmodel.SCHEMA),
    Migration(2, "errand catalogue: catalogue_versions, catalogue_reports", CATALOGUE),
    Migration(3, "statistics: city_stats_visits, _refusals, _open, _days and the read model's indexes",
              stats_store.STATS_SCHEMA),
)


def applied(conn: psycopg.Connection[Any]) -> set[int]:
    exists = conn.execute("SELECT to_regclass('city_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return set()
    return {row[0] for row in conn.execute("SELECT version FROM city_migrations").fetchall()}


def migrate(conn: psycopg.Connection[Any]) -> list[Migration]:
    """Apply what is missing, in order; the migrations applied now (none when up to date)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
        conn.execute("""CREATE TABLE IF NOT EXISTS city_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
        done = applied(conn)
        fresh = [m for m in MIGRATIONS if m.version not in done]
        for migration in fresh:
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute("INSERT INTO city_migrations (version, name) VALUES (%s, %s)",
                         (migration.version, migration.name))
    return fresh


def pending(conn: psycopg.Connection[Any]) -> list[Migration]:
    done = applied(conn)
    return [m for m in MIGRATIONS if m.version not in done]
