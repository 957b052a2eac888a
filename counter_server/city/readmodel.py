"""The city's PostgreSQL read model, and how each office event lands in it.

Every event is recorded once in `city_events`, keyed by office and seq; only an event
recorded for the first time changes the other tables, so a batch delivered twice (a
consumer killed after its commit, before its ack) changes nothing the second time.
Tickets and appointments keep the seq of the event that last wrote them and ignore
older ones, so a late redelivery cannot turn a finished ticket back into a waiting one.
No table has a column for contact data.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS city_events (
        office TEXT NOT NULL, seq BIGINT NOT NULL, type TEXT NOT NULL, at TIMESTAMPTZ NOT NULL,
        data JSONB NOT NULL, received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (office, seq))""",
    """CREATE TABLE IF NOT EXISTS tickets (
        office TEXT NOT NULL, id TEXT NOT NULL, number TEXT, service_id TEXT, kind TEXT,
        priority TEXT, lang TEXT, state TEXT, counter_id TEXT, created_at TIMESTAMPTZ,
        called_at TIMESTAMPTZ, appointment_at TIMESTAMPTZ, call_count INTEGER,
        last_seq BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (office, id))""",
    """CREATE TABLE IF NOT EXISTS appointments (
        office TEXT NOT NULL, id TEXT NOT NULL, service_id TEXT, start TIMESTAMPTZ, status TEXT,
        last_seq BIGINT NOT NULL, PRIMARY KEY (office, id))""",
    """CREATE TABLE IF NOT EXISTS office_stats (
        office TEXT PRIMARY KEY, events BIGINT NOT NULL DEFAULT 0,
        tickets_created BIGINT NOT NULL DEFAULT 0, tickets_finished BIGINT NOT NULL DEFAULT 0,
        no_shows BIGINT NOT NULL DEFAULT 0, last_seq BIGINT NOT NULL DEFAULT 0,
        last_at TIMESTAMPTZ)""",
    "CREATE INDEX IF NOT EXISTS appointments_start ON appointments (service_id, start)",
)

_TICKET_COLUMNS = ("number", "service_id", "kind", "priority", "lang", "state", "counter_id",
                   "created_at", "called_at", "appointment_at", "call_count")


def create_schema(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        for statement in SCHEMA:
            conn.execute(statement)


def record(cur: psycopg.Cursor[Any], body: dict[str, Any]) -> bool:
    """Note the event once; False when the city has it already."""
    cur.execute(
        "INSERT INTO city_events (office, seq, type, at, data) VALUES (%s, %s, %s, %s, %s)"
        " ON CONFLICT (office, seq) DO NOTHING",
        (body["office"], body["seq"], body["type"], body["at"], Jsonb(body["data"])),
    )
    return cur.rowcount == 1


def _ticket(cur: psycopg.Cursor[Any], office: str, seq: int, at: str, ticket: dict[str, Any]) -> None:
    values = [ticket.get(c) for c in _TICKET_COLUMNS]
    columns = ", ".join(_TICKET_COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_TICKET_COLUMNS, "last_seq", "updated_at"))
    cur.execute(
        f"INSERT INTO tickets (office, id, {columns}, last_seq, updated_at)"
        f" VALUES (%s, %s, {', '.join(['%s'] * len(_TICKET_COLUMNS))}, %s, %s)"
        f" ON CONFLICT (office, id) DO UPDATE SET {updates} WHERE tickets.last_seq < EXCLUDED.last_seq",
        (office, ticket["id"], *values, seq, at),
    )


def _appointment(cur: psycopg.Cursor[Any], office: str, seq: int, appointment: dict[str, Any]) -> None:
    cur.execute(
        "INSERT INTO appointments (office, id, service_id, start, status, last_seq)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (office, id) DO UPDATE SET"
        " service_id = EXCLUDED.service_id, start = EXCLUDED.start, status = EXCLUDED.status,"
        " last_seq = EXCLUDED.last_seq WHERE appointments.last_seq < EXCLUDED.last_seq",
        (office, appointment["id"], appointment.get("service_id"), appointment.get("start"),
         appointment.get("status"), seq),
    )


def _stats(cur: psycopg.Cursor[Any], office: str, seq: int, type_: str, at: str) -> None:
    created = int(type_ == "ticket.created")
    finished = int(type_ == "ticket.finished")
    no_show = int(type_ == "ticket.no_show")
    cur.execute(
        "INSERT INTO office_stats AS s (office, events, tickets_created, tickets_finished, no_shows,"
        " last_seq, last_at) VALUES (%s, 1, %s, %s, %s, %s, %s) ON CONFLICT (office) DO UPDATE SET"
        " events = s.events + 1, tickets_created = s.tickets_created + EXCLUDED.tickets_created,"
        " tickets_finished = s.tickets_finished + EXCLUDED.tickets_finished,"
        " no_shows = s.no_shows + EXCLUDED.no_shows,"
        " last_seq = greatest(s.last_seq, EXCLUDED.last_seq),"
        " last_at = greatest(s.last_at, EXCLUDED.last_at)",
        (office, created, finished, no_show, seq, at),
    )


def apply(cur: psycopg.Cursor[Any], body: dict[str, Any]) -> bool:
    """Land one event; False when it was a repeat and changed nothing."""
    if not record(cur, body):
        return False
    office, seq, type_, at, data = body["office"], body["seq"], body["type"], body["at"], body["data"]
    if type_.startswith("ticket.") and isinstance(data.get("ticket"), dict):
        _ticket(cur, office, seq, at, data["ticket"])
    if type_ == "appointment.changed" and isinstance(data.get("appointment"), dict):
        _appointment(cur, office, seq, data["appointment"])
    _stats(cur, office, seq, type_, at)
    return True
