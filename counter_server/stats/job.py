"""The statistics job: read one office day's events, store its facts, in one transaction.

Idempotent: a day's rows are deleted and written again inside the caller's
transaction, so running it twice gives the same rows, and a crash half-way leaves the
rows of the last complete run (the transaction rolls back). The figures come from
`core.stats`; this module only reads and writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlite_utils

from ..core import stats
from ..core.numbering import office_day

# events of a ticket after its day ends (a late finish, the day-end expiry) still count
FOLLOW_UP = timedelta(hours=6)
# days the housekeeping loop builds per round, so a first run over a year never blocks writes long
DAYS_PER_ROUND = 3
# the events a day's statistics are made of (the city's read model reads the same ones)
DAY_TYPES = ("ticket.created", "ticket.called", "ticket.recalled", "ticket.uncalled", "ticket.started",
             "ticket.finished", "ticket.no_show", "ticket.cancelled", "ticket.expired", "ticket.reopened",
             "ticket.transferred", "ticket.parked", "ticket.returned", "checkin.refused", "counter.state")
_TICKET_TYPES = "(" + ", ".join(f"'{t}'" for t in DAY_TYPES) + ")"


@dataclass(frozen=True)
class Built:
    office_day: str
    visits: int
    refusals: int
    last_seq: int


def _utc(moment: datetime) -> str:
    # events are stored at UTC times (the office clock), so text order is time order
    return moment.astimezone(UTC).isoformat()


def _raw(rows: list[tuple[int, str, str, str]]) -> list[stats.RawEvent]:
    return [stats.RawEvent(seq, datetime.fromisoformat(at), type_, json.loads(data)) for seq, at, type_, data in rows]


def _day_events(db: sqlite_utils.Database, start: datetime, end: datetime) -> list[stats.RawEvent]:
    # `+type`: read by the time index; the type index would scan every ticket event ever
    rows = db.execute(
        f"SELECT seq, at, type, data FROM events WHERE at >= ? AND at < ? AND +type IN {_TICKET_TYPES}"
        " ORDER BY seq",
        [_utc(start), _utc(end + FOLLOW_UP)],
    ).fetchall()
    return _raw(rows)


def _appointment_events(db: sqlite_utils.Database, day: date) -> list[stats.RawEvent]:
    # the slot's text may carry any offset: a wide range by text, then the exact day in core
    low, high = (day - timedelta(days=1)).isoformat(), (day + timedelta(days=2)).isoformat()
    rows = db.execute(
        "SELECT seq, at, type, data FROM events WHERE type = 'appointment.changed'"
        " AND json_extract(data, '$.appointment.start') >= ?"
        " AND json_extract(data, '$.appointment.start') < ? ORDER BY seq",
        [low, high],
    ).fetchall()
    return _raw(rows)


def _counters_before(db: sqlite_utils.Database, day: date, start: datetime) -> dict[str, str]:
    """Each counter's state when the day began: the day before's end, else the log."""
    before = db.execute(
        "SELECT counters_at_end FROM stats_days WHERE office_day = ?", [(day - timedelta(days=1)).isoformat()]
    ).fetchone()
    if before is not None:
        known: dict[str, str] = json.loads(before[0])
        return known
    rows = db.execute(
        "SELECT json_extract(data, '$.counter.id'), json_extract(data, '$.counter.state'), MAX(seq)"
        " FROM events WHERE type = 'counter.state' AND at < ? GROUP BY 1",
        [_utc(start)],
    ).fetchall()
    return {str(cid): str(state) for cid, state, _ in rows if cid}


def _counters_at_end(before: dict[str, str], events: list[stats.RawEvent], end: datetime) -> dict[str, str]:
    state = dict(before)
    for event in events:
        counter = event.data.get("counter")
        if event.type == "counter.state" and event.at < end and isinstance(counter, dict):
            state[str(counter.get("id"))] = str(counter.get("state"))
    return state


@dataclass(frozen=True)
class DayFacts:
    """What one office day's events give: the rows of the statistics tables."""

    visits: list[stats.Visit]
    refusals: list[stats.Refusal]
    open_rows: list[stats.OpenTime]
    counters_at_end: dict[str, str]
    last_seq: int


def day_facts(events: list[stats.RawEvent], appointment_events: list[stats.RawEvent], before: dict[str, str],
              day: date, timezone: str, now: datetime) -> DayFacts:
    """The day's facts from its events (read by DAY_TYPES, to the day's end + FOLLOW_UP), its
    bookings' events and each counter's state when it began: the office's job and the city's."""
    start, end = stats.day_bounds(day, timezone)
    return DayFacts(
        visits=stats.day_visits(events, appointment_events, day, timezone),
        refusals=stats.day_refusals(events, day, timezone),
        open_rows=stats.open_times(events, before, day, timezone, now),
        counters_at_end=_counters_at_end(before, events, end),
        last_seq=max((e.seq for e in events), default=0),
    )


Hook = Callable[[str], None]


def rebuild_day(db: sqlite_utils.Database, day: date, timezone: str, *, now: datetime,
                hook: Hook | None = None) -> Built:
    """Replace the day's statistics rows with those its events give; the caller commits.

    `hook(stage)` is called between writes (tests use it to crash half-way).
    """
    start, end = stats.day_bounds(day, timezone)
    facts = day_facts(_day_events(db, start, end), _appointment_events(db, day), _counters_before(db, day, start),
                      day, timezone, now)
    name = day.isoformat()
    for table in ("stats_visits", "stats_refusals", "stats_open"):
        db.execute(f"DELETE FROM {table} WHERE office_day = ?", [name])
    _insert(db, "stats_visits", [v.row() for v in facts.visits])
    if hook:
        hook("visits")
    _insert(db, "stats_refusals", [r.row() for r in facts.refusals])
    _insert(db, "stats_open", [o.row() for o in facts.open_rows])
    db.execute(
        "INSERT OR REPLACE INTO stats_days (office_day, built_at, last_seq, visits, counters_at_end)"
        " VALUES (?, ?, ?, ?, ?)",
        [name, now.isoformat(), facts.last_seq, len(facts.visits), json.dumps(facts.counters_at_end, sort_keys=True)],
    )
    return Built(name, len(facts.visits), sum(r.n for r in facts.refusals), facts.last_seq)


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
        [[row[c] for c in columns] for row in rows],
    )


def first_event_day(db: sqlite_utils.Database, timezone: str) -> date | None:
    row = db.execute("SELECT at FROM events ORDER BY seq LIMIT 1").fetchone()
    return office_day(datetime.fromisoformat(row[0]), timezone) if row else None


def days_to_build(db: sqlite_utils.Database, timezone: str, today: date) -> list[date]:
    """Past days (before `today`) not built yet, from the first event on."""
    first = first_event_day(db, timezone)
    if first is None:
        return []
    built = {row[0] for row in db.execute("SELECT office_day FROM stats_days WHERE office_day >= ?",
                                          [first.isoformat()]).fetchall()}
    days, day = [], first
    while day < today:
        if day.isoformat() not in built:
            days.append(day)
        day += timedelta(days=1)
    return days


def build_missing(db: sqlite_utils.Database, timezone: str, *, now: datetime, limit: int = DAYS_PER_ROUND) -> list[Built]:
    """Day end: build the past days nobody built yet (at most `limit`, oldest first)."""
    today = office_day(now, timezone)
    return [rebuild_day(db, day, timezone, now=now) for day in days_to_build(db, timezone, today)[:limit]]
