"""The city's statistics tables in PostgreSQL, built per office day from the read model's events.

The facts are the office's own: the same events (`DAY_TYPES`, the day's end + FOLLOW_UP)
go through the same pure code (`stats.job.day_facts`, `core.stats`), so an office's
figures in the city equal its own. Like the office's tables, no row holds a person:
no ticket id, number, clerk, name or code.

A built day keeps the newest office seq it saw; it is built again when the office sent
a later event of that day (a backlog after an outage lands late) or a booking of that
day changed, and, while the day is not over, at most once a minute for the counters'
open time. A day without any event is not built (it has no visit; the next day reads
the counters' state from the events).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from ..core import stats
from ..stats.job import DAY_TYPES, FOLLOW_UP, DayFacts, day_facts

VISIT_COLUMNS = tuple(f for f in stats.Visit._fields if f != "staff_id")  # the city keeps no clerk
TODAY_FRESH_S = 60

STATS_SCHEMA = (
    "CREATE INDEX IF NOT EXISTS city_events_office_at ON city_events (office, at)",
    "CREATE INDEX IF NOT EXISTS city_events_appointment_start ON city_events"
    " (office, (data->'appointment'->>'start')) WHERE type = 'appointment.changed'",
    "CREATE INDEX IF NOT EXISTS appointments_office_start ON appointments (office, start)",
    """CREATE TABLE IF NOT EXISTS city_stats_visits (
        office TEXT NOT NULL, office_day TEXT NOT NULL, hour INTEGER NOT NULL, service_id TEXT NOT NULL,
        counter_id TEXT NOT NULL, kind TEXT NOT NULL, outcome TEXT NOT NULL, weekday INTEGER NOT NULL,
        transferred INTEGER NOT NULL, parked INTEGER NOT NULL, offline INTEGER NOT NULL, wait_s INTEGER,
        service_s INTEGER, on_time INTEGER, eta_error_s INTEGER, arrived_min INTEGER, slot_min INTEGER)""",
    "CREATE INDEX IF NOT EXISTS city_stats_visits_day ON city_stats_visits (office_day, office)",
    """CREATE TABLE IF NOT EXISTS city_stats_refusals (
        office TEXT NOT NULL, office_day TEXT NOT NULL, hour INTEGER NOT NULL, service_id TEXT NOT NULL,
        reason TEXT NOT NULL, offline INTEGER NOT NULL, n INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS city_stats_refusals_day ON city_stats_refusals (office_day, office)",
    """CREATE TABLE IF NOT EXISTS city_stats_open (
        office TEXT NOT NULL, office_day TEXT NOT NULL, hour INTEGER NOT NULL, counter_id TEXT NOT NULL,
        open_s INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS city_stats_open_day ON city_stats_open (office_day, office)",
    """CREATE TABLE IF NOT EXISTS city_stats_days (
        office TEXT NOT NULL, office_day TEXT NOT NULL, day_start TIMESTAMPTZ NOT NULL,
        day_end TIMESTAMPTZ NOT NULL, built_seq BIGINT NOT NULL, built_at TIMESTAMPTZ NOT NULL,
        open_until TIMESTAMPTZ NOT NULL, visits INTEGER NOT NULL, counters_at_end JSONB NOT NULL,
        PRIMARY KEY (office, office_day))""",
)

# (office, day) pairs of the range with events the day's rows do not hold yet: never built and
# with events, or built before a later event of the day (or a change of one of its bookings)
# came; an office with nothing newer than a day's build is passed over without a scan
_STALE = f"""
WITH want AS (
  SELECT o.office, o.last_seq, d::date::text AS office_day,
         d::date::timestamp AT TIME ZONE %(tz)s AS day_start,
         (d::date + 1)::timestamp AT TIME ZONE %(tz)s AS day_end
  FROM office_stats o CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
  WHERE o.office = ANY(%(offices)s))
SELECT w.office, w.office_day FROM want w
LEFT JOIN city_stats_days s ON s.office = w.office AND s.office_day = w.office_day
WHERE (s.office IS NULL OR s.built_seq < w.last_seq) AND (
      EXISTS (SELECT 1 FROM city_events e WHERE e.office = w.office AND e.at >= w.day_start
              AND e.at < w.day_end + interval '{int(FOLLOW_UP.total_seconds())} seconds'
              AND e.seq > coalesce(s.built_seq, 0))
   OR EXISTS (SELECT 1 FROM appointments a WHERE a.office = w.office AND a.start >= w.day_start
              AND a.start < w.day_end AND a.last_seq > coalesce(s.built_seq, 0)))
   OR (s.open_until < s.day_end AND s.built_at < now() - interval '{TODAY_FRESH_S} seconds')
ORDER BY w.office, w.office_day
"""


def offices_known(conn: psycopg.Connection[Any]) -> list[str]:
    return [row[0] for row in conn.execute("SELECT office FROM office_stats ORDER BY office").fetchall()]


def _raw(rows: Sequence[tuple[Any, ...]]) -> list[stats.RawEvent]:
    return [stats.RawEvent(seq, at, type_, data) for seq, at, type_, data in rows]


def _day_events(cur: psycopg.Cursor[Any], office: str, start: datetime, end: datetime) -> list[stats.RawEvent]:
    cur.execute("SELECT seq, at, type, data FROM city_events WHERE office = %s AND at >= %s AND at < %s"
                " AND type = ANY(%s) ORDER BY seq", (office, start, end + FOLLOW_UP, list(DAY_TYPES)))
    return _raw(cur.fetchall())


def _appointment_events(cur: psycopg.Cursor[Any], office: str, day: date) -> list[stats.RawEvent]:
    # as the office does: a wide range of the slot's text, the exact day in core
    low, high = (day - timedelta(days=1)).isoformat(), (day + timedelta(days=2)).isoformat()
    cur.execute("SELECT seq, at, type, data FROM city_events WHERE office = %s AND type = 'appointment.changed'"
                " AND data->'appointment'->>'start' >= %s AND data->'appointment'->>'start' < %s ORDER BY seq",
                (office, low, high))
    return _raw(cur.fetchall())


def _counters_before(cur: psycopg.Cursor[Any], office: str, day: date, start: datetime) -> dict[str, str]:
    """Each counter's state when the day began: the day before's end when built, else the events."""
    cur.execute("SELECT counters_at_end FROM city_stats_days WHERE office = %s AND office_day = %s",
                (office, (day - timedelta(days=1)).isoformat()))
    row = cur.fetchone()
    if row is not None:
        return dict(row[0])
    cur.execute("SELECT DISTINCT ON (data->'counter'->>'id') data->'counter'->>'id', data->'counter'->>'state'"
                " FROM city_events WHERE office = %s AND type = 'counter.state' AND at < %s"
                " ORDER BY data->'counter'->>'id', seq DESC", (office, start))
    return {str(cid): str(state) for cid, state in cur.fetchall() if cid}


def _store(cur: psycopg.Cursor[Any], office: str, day: date, facts: DayFacts, now: datetime,
           bounds: tuple[datetime, datetime], seq: int) -> None:
    name = day.isoformat()
    for table in ("city_stats_visits", "city_stats_refusals", "city_stats_open"):
        cur.execute(f"DELETE FROM {table} WHERE office = %s AND office_day = %s", (office, name))
    rows = [(office, *[getattr(v, c) for c in VISIT_COLUMNS]) for v in facts.visits]
    if rows:
        cur.executemany(f"INSERT INTO city_stats_visits (office, {', '.join(VISIT_COLUMNS)})"
                        f" VALUES (%s, {', '.join(['%s'] * len(VISIT_COLUMNS))})", rows)
    if facts.refusals:
        cur.executemany("INSERT INTO city_stats_refusals VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        [(office, r.office_day, r.hour, r.service_id, r.reason, r.offline, r.n)
                         for r in facts.refusals])
    if facts.open_rows:
        cur.executemany("INSERT INTO city_stats_open VALUES (%s, %s, %s, %s, %s)",
                        [(office, o.office_day, o.hour, o.counter_id, o.open_s) for o in facts.open_rows])
    cur.execute(
        "INSERT INTO city_stats_days (office, office_day, day_start, day_end, built_seq, built_at, open_until,"
        " visits, counters_at_end) VALUES (%s, %s, %s, %s, %s, now(), %s, %s, %s)"
        " ON CONFLICT (office, office_day) DO UPDATE SET built_seq = EXCLUDED.built_seq,"
        " built_at = EXCLUDED.built_at, open_until = EXCLUDED.open_until, visits = EXCLUDED.visits,"
        " counters_at_end = EXCLUDED.counters_at_end",
        (office, name, *bounds, seq, min(now, bounds[1]), len(facts.visits),
         json.dumps(facts.counters_at_end, sort_keys=True)))


def build_day(conn: psycopg.Connection[Any], office: str, day: date, timezone: str, now: datetime) -> int:
    """Replace one office day's rows with what its events give, in one transaction; the visits."""
    start, end = stats.day_bounds(day, timezone)
    with conn.transaction(), conn.cursor() as cur:
        # the office's newest seq first: an event landing while this day is read is built next time
        cur.execute("SELECT last_seq FROM office_stats WHERE office = %s", (office,))
        seq = int((cur.fetchone() or (0,))[0])
        facts = day_facts(_day_events(cur, office, start, end), _appointment_events(cur, office, day),
                          _counters_before(cur, office, day, start), day, timezone, now)
        _store(cur, office, day, facts, now, (start, end), seq)
    return len(facts.visits)


def refresh(conn: psycopg.Connection[Any], offices: Sequence[str], first: date, last: date, timezone: str,
            now: datetime | None = None) -> int:
    """Build every day of [first, last] (not after today) that is missing or stale; how many days.
    `conn` is in autocommit mode: each day is its own transaction."""
    now = now or datetime.now(UTC)
    last = min(last, now.astimezone(ZoneInfo(timezone)).date())
    if first > last:
        return 0
    stale = conn.execute(_STALE, {"first": first, "last": last, "offices": list(offices), "tz": timezone}).fetchall()
    for office, day in stale:
        build_day(conn, office, date.fromisoformat(day), timezone, now)
    return len(stale)
