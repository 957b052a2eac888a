"""The city's PostgreSQL read model, and how each office event lands in it.

Every event is recorded once in `city_events`, keyed by office and seq; only an event
recorded for the first time changes the other tables, so a batch delivered twice (a
consumer killed after its commit, before its ack) changes nothing the second time.
Tickets and appointments keep the seq of the event that last wrote them and ignore
older ones, so a late redelivery cannot turn a finished ticket back into a waiting one.
No table has a column for contact data.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg

from . import catalogue_city

SCHEMA = (  # migration 1 (migrations.py); a new table is a new migration there
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

_INSERT_EVENTS = (
    "INSERT INTO city_events (office, seq, type, at, data)"
    " SELECT o, s, t, a::timestamptz, d::jsonb FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[])"
    " AS e(o, s, t, a, d) ON CONFLICT (office, seq) DO NOTHING RETURNING office, seq"
)
_TICKET_COLUMNS = ("number", "service_id", "kind", "priority", "lang", "state", "counter_id",
                   "created_at", "called_at", "appointment_at", "call_count")
_UPSERT_TICKET = (
    f"INSERT INTO tickets (office, id, {', '.join(_TICKET_COLUMNS)}, last_seq, updated_at)"
    f" VALUES (%s, %s, {', '.join(['%s'] * len(_TICKET_COLUMNS))}, %s, %s)"
    " ON CONFLICT (office, id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_TICKET_COLUMNS, "last_seq", "updated_at"))
    + " WHERE tickets.last_seq < EXCLUDED.last_seq"
)
_UPSERT_APPOINTMENT = (
    "INSERT INTO appointments (office, id, service_id, start, status, last_seq)"
    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (office, id) DO UPDATE SET"
    " service_id = EXCLUDED.service_id, start = EXCLUDED.start, status = EXCLUDED.status,"
    " last_seq = EXCLUDED.last_seq WHERE appointments.last_seq < EXCLUDED.last_seq"
)
_UPSERT_STATS = (
    "INSERT INTO office_stats AS s (office, events, tickets_created, tickets_finished, no_shows,"
    " last_seq, last_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (office) DO UPDATE SET"
    " events = s.events + EXCLUDED.events, tickets_created = s.tickets_created + EXCLUDED.tickets_created,"
    " tickets_finished = s.tickets_finished + EXCLUDED.tickets_finished,"
    " no_shows = s.no_shows + EXCLUDED.no_shows,"
    " last_seq = greatest(s.last_seq, EXCLUDED.last_seq),"
    " last_at = greatest(s.last_at, EXCLUDED.last_at)"
)


def record(cur: psycopg.Cursor[Any], bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Note the events once each; those the city did not have yet, in the batch's order."""
    unique = list({(b["office"], b["seq"]): b for b in bodies}.values())
    columns = ([b["office"] for b in unique], [b["seq"] for b in unique], [b["type"] for b in unique],
               [b["at"] for b in unique], [json.dumps(b["data"]) for b in unique])
    cur.execute(_INSERT_EVENTS, columns)
    fresh = {(office, seq) for office, seq in cur.fetchall()}
    return [b for b in unique if (b["office"], b["seq"]) in fresh]


def _ticket_row(body: dict[str, Any]) -> tuple[Any, ...] | None:
    ticket = body["data"].get("ticket")
    if not body["type"].startswith("ticket.") or not isinstance(ticket, dict):
        return None
    return (body["office"], ticket["id"], *[ticket.get(c) for c in _TICKET_COLUMNS], body["seq"], body["at"])


def _appointment_row(body: dict[str, Any]) -> tuple[Any, ...] | None:
    appointment = body["data"].get("appointment")
    if body["type"] != "appointment.changed" or not isinstance(appointment, dict):
        return None
    return (body["office"], appointment["id"], appointment.get("service_id"), appointment.get("start"),
            appointment.get("status"), body["seq"])


def _stats_rows(bodies: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Per office: events, tickets created, finished, no-shows, newest seq and time."""
    per: dict[str, list[Any]] = {}
    for body in bodies:
        row = per.setdefault(body["office"], [0, 0, 0, 0, 0, body["at"]])
        row[0] += 1
        row[1] += body["type"] == "ticket.created"
        row[2] += body["type"] == "ticket.finished"
        row[3] += body["type"] == "ticket.no_show"
        row[4] = max(row[4], body["seq"])
        row[5] = max(row[5], body["at"])
    return [(office, *row) for office, row in per.items()]


def apply_batch(cur: psycopg.Cursor[Any], bodies: list[dict[str, Any]]) -> int:
    """Land a batch (in the caller's transaction); how many events were new. Repeats change nothing."""
    if not bodies:
        return 0
    fresh = record(cur, bodies)
    for statement, rows in ((_UPSERT_TICKET, [_ticket_row(b) for b in fresh]),
                            (_UPSERT_APPOINTMENT, [_appointment_row(b) for b in fresh]),
                            (_UPSERT_STATS, _stats_rows(fresh))):
        present = [row for row in rows if row is not None]
        if present:
            cur.executemany(statement, present)
    catalogue_city.land_reports(cur, fresh)
    return len(fresh)
