"""Ticket rows to domain objects and back, and the queries of the queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlite_utils

from ..core.errors import UnknownTicket
from ..core.estimate import add_visit
from ..core.lifecycle import EVENT_TYPES
from ..core.model import OPEN_TICKET_STATES, Priority, Ticket, TicketKind, TicketState
from ..events import queue_seq
from ..store import Tx
from . import open_cache

_DATETIMES = ("created_at", "arrived_at", "appointment_at", "called_at", "started_at", "finished_at")


def ticket_from_row(row: dict[str, Any]) -> Ticket:
    values: dict[str, Any] = {k: row.get(k) for k in Ticket.__dataclass_fields__}
    for key in _DATETIMES:
        if values[key] is not None:
            values[key] = datetime.fromisoformat(values[key])
    values["office_day"] = date.fromisoformat(row["office_day"])
    values["kind"] = TicketKind(row["kind"])
    values["priority"] = Priority(row["priority"])
    values["state"] = TicketState(row["state"])
    values["call_count"] = row.get("call_count") or 0
    return Ticket(**values)


_FIELDS = tuple(Ticket.__dataclass_fields__)


def select(db: sqlite_utils.Database, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    """The rows of a SELECT as dicts, as `db.query` gives them, without the savepoint that
    sqlite-utils puts around each query (two statements more, on every read of the queue)."""
    cursor = db.execute(sql, params)
    keys = [column[0] for column in cursor.description]
    return [dict(zip(keys, row, strict=True)) for row in cursor]


def ticket_to_row(ticket: Ticket) -> dict[str, Any]:
    # every field is immutable: no deep copy needed (dataclasses.asdict makes one)
    row = {name: getattr(ticket, name) for name in _FIELDS}
    for key in _DATETIMES:
        if row[key] is not None:
            row[key] = row[key].isoformat()
    row["office_day"] = ticket.office_day.isoformat()
    for key in ("kind", "priority", "state"):
        row[key] = row[key].value
    return row


def save_ticket(tx: Tx, ticket: Ticket, *, device_id: str | None = None) -> None:
    """Write the ticket's row (a new one with the device that issued it) and the open-ticket copy."""
    copy = open_cache.cache_of(tx.db).working(tx, _load_open)
    row = ticket_to_row(ticket)
    if device_id is not None:
        row["device_id"] = device_id
        names = ", ".join(row)
        tx.db.execute(f"INSERT INTO tickets ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    else:
        # one statement (sqlite-utils' update first reads the table's schema and the row)
        names = ", ".join(f"{name} = ?" for name in row)
        tx.db.execute(f"UPDATE tickets SET {names} WHERE id = ?", [*row.values(), ticket.id])
    open_cache.OpenTickets.save(copy, ticket)


def get_ticket(db: sqlite_utils.Database, ticket_id: str) -> Ticket | None:
    rows = select(db, "SELECT * FROM tickets WHERE id = ?", [ticket_id])
    return ticket_from_row(rows[0]) if rows else None


def load_ticket(db: sqlite_utils.Database, ticket_id: str) -> Ticket:
    ticket = get_ticket(db, ticket_id)
    if ticket is None:
        raise UnknownTicket(f"no ticket {ticket_id!r}", ticket_id=ticket_id)
    return ticket


def issuing_device(db: sqlite_utils.Database, ticket_id: str) -> str | None:
    """The device (kiosk, or clerk workstation for a check-in by code) that issued the ticket."""
    row = db.execute("SELECT device_id FROM tickets WHERE id = ?", [ticket_id]).fetchone()
    return row[0] if row else None


def current_ticket(db: sqlite_utils.Database, counter_id: str) -> Ticket | None:
    rows = select(
        db,
        "SELECT * FROM tickets WHERE counter_id = ? AND state IN ('called', 'serving') ORDER BY called_at DESC LIMIT 1",
        [counter_id],
    )
    return ticket_from_row(rows[0]) if rows else None


def get_ticket_by_public_id(db: sqlite_utils.Database, public_id: str) -> Ticket | None:
    rows = select(db, "SELECT * FROM tickets WHERE public_id = ?", [public_id])
    return ticket_from_row(rows[0]) if rows else None


def _load_open(db: sqlite_utils.Database) -> list[Ticket]:
    marks = ",".join("?" for _ in OPEN_TICKET_STATES)
    rows = select(
        db,
        f"SELECT * FROM tickets WHERE state IN ({marks}) ORDER BY arrived_at, rowid",
        [s.value for s in OPEN_TICKET_STATES],
    )
    return [ticket_from_row(r) for r in rows]


def open_tickets(db: sqlite_utils.Database) -> list[Ticket]:
    """The open tickets by arrival, as of a reader's snapshot (from memory when it is the last commit)."""
    kept = open_cache.cache_of(db).committed(queue_seq(db))
    return list(kept) if kept is not None else _load_open(db)


def open_tickets_in(tx: Tx) -> list[Ticket]:
    """The open tickets by arrival, as the write transaction sees them so far."""
    copy = open_cache.cache_of(tx.db).working(tx, _load_open)
    return sorted(copy.values(), key=lambda t: t.arrived_at)


def tickets_of_day(db: sqlite_utils.Database, day: date) -> list[Ticket]:
    rows = select(db, "SELECT * FROM tickets WHERE office_day = ? ORDER BY created_at", [day.isoformat()])
    return [ticket_from_row(r) for r in rows]


def numbers_between(db: sqlite_utils.Database, day: date, prefix: str, first: int, last: int) -> list[str]:
    """Numbers `prefix` + `first`..`last` (three digits) issued or leased to a kiosk on `day`:
    neither may be handed out again. From the indexes by day and number, not the day's rows."""
    return _numbers(db, day, prefix, first, last, "number", "UNION")


def highest_numbers(db: sqlite_utils.Database, day: date, prefix: str, first: int, last: int) -> list[str]:
    """The highest of `numbers_between` (numbers have three digits: the highest sorts last),
    for counting on after it; a lookup in the indexes however many were issued."""
    return _numbers(db, day, prefix, first, last, "max(number)", "UNION ALL")


def _numbers(
    db: sqlite_utils.Database, day: date, prefix: str, first: int, last: int, column: str, union: str
) -> list[str]:
    """`column` over the day's tickets and kiosks' leases numbered `prefix` + `first`..`last`."""
    low, high = f"{prefix}{first:03d}", f"{prefix}{last:03d}"
    where = "WHERE office_day = ? AND number BETWEEN ? AND ?"
    found = db.execute(
        f"SELECT {column} FROM tickets {where} {union} SELECT {column} FROM number_leases {where}",
        [day.isoformat(), low, high, day.isoformat(), low, high],
    ).fetchall()
    return [r[0] for r in found if r[0] is not None]


# the tickets that count towards an errand's daily walk-in cap (index m020)
_WALK_INS = "FROM tickets WHERE office_day = ? AND kind = 'walk_in'"


def walk_ins_of(db: sqlite_utils.Database, day: date, service_id: str) -> int:
    """Walk-in tickets issued for one errand on `day` (its cap), counted in an index."""
    (count,) = db.execute(f"SELECT count(*) {_WALK_INS} AND service_id = ?", [day.isoformat(), service_id]).fetchone()
    return int(count)


def walk_ins_issued(db: sqlite_utils.Database, day: date) -> dict[str, int]:
    """`walk_ins_of` for every errand with walk-ins on `day`."""
    rows = db.execute(f"SELECT service_id, count(*) {_WALK_INS} GROUP BY service_id", [day.isoformat()]).fetchall()
    return {r[0]: r[1] for r in rows}


def recent_calls(db: sqlite_utils.Database, day: date, limit: int) -> list[Ticket]:
    rows = select(
        db,
        "SELECT * FROM tickets WHERE office_day = ? AND called_at IS NOT NULL"
        " AND state IN ('called', 'serving', 'done', 'no_show', 'parked')"
        " ORDER BY called_at DESC LIMIT ?",
        [day.isoformat(), limit],
    )
    return [ticket_from_row(r) for r in rows]


def recently_done(db: sqlite_utils.Database, day: date, limit: int) -> list[Ticket]:
    """`day`'s finished (served) visits, the latest call first."""
    rows = select(
        db,
        "SELECT * FROM tickets WHERE office_day = ? AND called_at IS NOT NULL AND state = 'done'"
        " ORDER BY called_at DESC LIMIT ?",
        [day.isoformat(), limit],
    )
    return [ticket_from_row(r) for r in rows]


def finished_today(db: sqlite_utils.Database, day: date) -> list[Ticket]:
    rows = select(
        db,
        "SELECT * FROM tickets WHERE office_day = ? AND state = 'done'"
        " AND started_at IS NOT NULL AND finished_at IS NOT NULL",
        [day.isoformat()],
    )
    return [ticket_from_row(r) for r in rows]


# a finished visit: what the service times are learned from (the index of migration m019 covers it)
_FINISHED = ("FROM tickets WHERE office_day = ? AND state = 'done'"
             " AND started_at IS NOT NULL AND finished_at IS NOT NULL AND called_at IS NOT NULL")


def finished_minutes(db: sqlite_utils.Database, day: date) -> dict[str, list[float]]:
    """Service id -> minutes of each visit finished on `day`: `learn_stats` on
    `finished_today`, without making a ticket of every row (3,000 a busy day)."""
    per_service: dict[str, list[float]] = {}
    for _, service_id, called_at, finished_at in finished_visits(db, day):
        add_visit(per_service, service_id, called_at, finished_at)
    return per_service


def finished_visits(
    db: sqlite_utils.Database, day: date, *, since: str | None = None
) -> list[tuple[str, str, datetime, datetime]]:
    """(id, service, called, finished) of `day`'s finished visits; `since`: only those whose
    stored `finished_at` is not below it (the newest first)."""
    query, params = f"SELECT id, service_id, called_at, finished_at {_FINISHED}", [day.isoformat()]
    if since is not None:
        query, params = query + " AND finished_at >= ? ORDER BY finished_at DESC", [*params, since]
    parse = datetime.fromisoformat
    return [(ticket_id, service_id, parse(called_at), parse(finished_at))
            for ticket_id, service_id, called_at, finished_at in db.execute(query, params).fetchall()]


def finished_fingerprint(db: sqlite_utils.Database, day: date) -> tuple[int, str | None, str | None]:
    """What changes whenever a visit of `day` finishes or is taken back: how many, the id of
    the last, and the highest `finished_at` as stored (the last two a lookup in the index)."""
    (count,) = db.execute(f"SELECT count(*) {_FINISHED}", [day.isoformat()]).fetchone()
    last = db.execute(f"SELECT finished_at, id {_FINISHED} ORDER BY finished_at DESC, id DESC LIMIT 1",
                      [day.isoformat()]).fetchone()
    return int(count), last[1] if last else None, last[0] if last else None


_FINISHING = (EVENT_TYPES["finish"], EVENT_TYPES["reopen"])  # the only ways into and out of `done`


def finishing_marks(db: sqlite_utils.Database) -> tuple[object, ...]:
    """The last `ticket.finished` and the last `ticket.reopened` event, each its seq and data
    (a lookup in an index): the finished visits are the same while neither changes, so the
    costlier `finished_fingerprint` need only be asked when one did. The data as well as the
    seq, as a write that rolled back may have used a seq that a later one uses again."""
    marks: list[object] = []
    for type_ in _FINISHING:
        row = db.execute("SELECT seq, data FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1", [type_]).fetchone()
        marks += row or (0, None)
    return tuple(marks)


def counter_states(db: sqlite_utils.Database) -> dict[str, str]:
    return dict(db.execute("SELECT id, state FROM counters").fetchall())


def booked_between(
    db: sqlite_utils.Database, day: date, start: datetime, end: datetime
) -> list[tuple[str, datetime]]:
    """(service, slot start) of `day`'s appointments not checked in yet, in [start, end)."""
    rows = db.execute(
        "SELECT service_id, start FROM appointments WHERE office_day = ? AND status = 'booked'"
        " ORDER BY start",
        [day.isoformat()],
    ).fetchall()
    slots = [(service_id, datetime.fromisoformat(text)) for service_id, text in rows]
    return [(service_id, at) for service_id, at in slots if start <= at < end]
