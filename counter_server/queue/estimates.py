"""Waiting-time estimates from stored state: the core's forward run over today's queue."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime, timedelta

import sqlite_utils

from ..config import OfficeConfig
from ..core.estimate import (
    Estimate,
    ServiceStats,
    Upcoming,
    add_visit,
    estimate_waits,
    queue_state,
    show_probability,
    stats_from_config,
    stats_from_minutes,
)
from ..core.model import Ticket, TicketState
from ..core.numbering import office_day
from ..events import queue_seq
from . import rows
from .counters import counters_now
from .open_cache import database_path

UPCOMING_AHEAD = timedelta(hours=3)
UPCOMING_BEHIND = timedelta(minutes=15)


class _Learned:
    """The minutes of one day's finished visits and what they teach, kept up to date visit
    by visit: a new finished visit costs a lookup of the newest, not a read of the day."""

    def __init__(self, config: ServiceStats) -> None:
        self.config = config
        self.minutes: dict[str, list[float]] = {}
        self.finished: dict[str, datetime] = {}  # ticket id -> finished at, of those counted
        self.highest: str | None = None  # the highest finished_at (as stored) read so far
        # stats_from_minutes' memo: the lists only grow
        self.memo: dict[str, tuple[int, tuple[float, float]]] = {}
        self.fingerprint: tuple[int, str | None, str | None] = (0, None, None)
        self.marks: tuple[object, ...] = ()  # `rows.finishing_marks` of the state learned from
        self.stats = config

    def add(self, visits: list[tuple[str, str, datetime, datetime]], fingerprint: tuple[int, str | None, str | None]) -> None:
        for ticket_id, service_id, called_at, finished_at in visits:
            self.finished[ticket_id] = finished_at
            add_visit(self.minutes, service_id, called_at, finished_at)
        self.fingerprint = fingerprint
        self.highest = fingerprint[2]
        self.stats = stats_from_minutes(per_service=self.minutes, config=self.config, memo=self.memo)

    def news(self, db: sqlite_utils.Database, day: date, fingerprint: tuple[int, str | None, str | None]
             ) -> list[tuple[str, str, datetime, datetime]] | None:
        """The visits finished since, when the day only gained some (else None: read it anew)."""
        if fingerprint[0] <= self.fingerprint[0]:
            return None  # one taken back, or an older snapshot than ours
        fresh = []
        for visit in rows.finished_visits(db, day, since=self.highest or ""):
            known = self.finished.get(visit[0])
            if known is None:
                fresh.append(visit)
            elif known != visit[3]:
                return None  # taken back and finished again: its minutes changed
        # every visit we know is still finished only if the count adds up
        return fresh if self.fingerprint[0] + len(fresh) == fingerprint[0] else None


class StatsCache:
    """Service times change only when a visit of the day finishes (or is taken back).

    A day with 3,000 finished visits would otherwise be read and parsed for every
    estimate. Two lookups in the events' index tell whether any visit finished or was taken
    back since (a check-in's estimate, the board after a check-in: none did); only then a
    count over the day's finished visits tells which, and a visit finished since is added
    to the learned figures, not the whole day read again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[tuple[object, ...], _Learned] = {}

    def get(self, db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> ServiceStats:
        day = office_day(now, config.office.timezone)
        key = (database_path(db), id(config), day)
        marks = rows.finishing_marks(db)
        with self._lock:
            known = self._kept.get(key)
            if known is not None and known.marks == marks:
                return known.stats
        fingerprint = rows.finished_fingerprint(db, day)
        with self._lock:  # short: a lookup, and at most the visits finished since
            known = self._kept.get(key)
            if known is not None and known.fingerprint == fingerprint:
                known.marks = marks
                return known.stats
            fresh = known.news(db, day, fingerprint) if known is not None else None
            if known is None or fresh is None:
                known = _Learned(stats_from_config(config.office.services))
                fresh = rows.finished_visits(db, day)
            known.add(fresh, fingerprint)
            known.marks = marks
            self._kept = {key: known}  # only the newest: older states seldom come back
            return known.stats


STATS = StatsCache()


def service_stats(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> ServiceStats:
    """Service times learned from today's finished visits, falling back to office.toml."""
    return STATS.get(db, config, now)


def upcoming_bookings(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> list[Upcoming]:
    """Booked visitors not checked in yet whose slot is near: they will join the queue."""
    day = office_day(now, config.office.timezone)
    return [
        Upcoming(service_id=service_id, appointment_at=start,
                 show_probability=show_probability(appointment_at=start, now=now))
        for service_id, start in rows.booked_between(db, day, now - UPCOMING_BEHIND, now + UPCOMING_AHEAD)
    ]


def estimates(
    db: sqlite_utils.Database, config: OfficeConfig, now: datetime, *, wanted: set[str] | None = None,
    open_now: list[Ticket] | None = None,
) -> dict[str, Estimate]:
    """Every waiting ticket's estimate, or only the `wanted` ones' (same figures, less work).

    `open_now`: the open tickets as a write transaction sees them (else the reader's)."""
    stats = service_stats(db, config, now)
    open_now = rows.open_tickets(db) if open_now is None else open_now
    state = queue_state(
        waiting=[t for t in open_now if t.state is TicketState.WAITING],
        calls=open_now,
        counters=counters_now(db, config.office),
        now=now,
        stats=stats,
        rules=config.rules,
        upcoming=upcoming_bookings(db, config, now),
    )
    return estimate_waits(state, now, stats, wanted=wanted)


class EstimateCache:
    """Estimates change only with the event log or the passing time.

    Every read of a state needs them (board, clerk view, status pages, a check-in's answer);
    computing them once per (last event of the queue, half minute) keeps 200 displays from
    running the policy 200 times, and a printer's events from running it again. The last
    few states are kept: in a burst, readers whose snapshots are a commit apart alternate.
    Only for committed reads: inside a write, a seq may still roll back and be reused.
    """

    def __init__(self, bucket_s: int = 30, kept: int = 4) -> None:
        self._lock = threading.Lock()
        self._bucket_s = bucket_s
        self._size = kept
        self._kept: OrderedDict[tuple[str, int, int, int], dict[str, Estimate]] = OrderedDict()

    def get(self, db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> dict[str, Estimate]:
        with self._lock:
            # A reader's snapshot begins with its first read: one that asks here first (the
            # board, a status, a check-in's answer) and waited for another's estimate sees
            # the newest state, so a burst of check-ins shares a few estimates, not one each.
            key = (database_path(db), id(config), queue_seq(db), int(now.timestamp()) // self._bucket_s)
            found = self._kept.get(key)
            if found is None:
                found = self._kept[key] = estimates(db, config, now)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
            return found


READ_ESTIMATES = EstimateCache()


def estimate_of(
    db: sqlite_utils.Database, config: OfficeConfig, ticket: Ticket, now: datetime, *,
    open_now: list[Ticket] | None = None,
) -> tuple[Estimate | None, int]:
    """One waiting ticket's estimate, and how many waiting arrived before it.

    Inside a write (`open_now` given) only this ticket's runs are made: the cache holds
    committed state only. Without an estimate (no open counter serves it) the count of
    earlier arrivals still gives the visitor a place.
    """
    if open_now is None:
        found = READ_ESTIMATES.get(db, config, now)
    else:
        found = estimates(db, config, now, wanted={ticket.id}, open_now=open_now)
    estimate = found.get(ticket.id)
    if estimate is not None:
        return estimate, 0
    # only now, when there is no estimate, is the queue read for the count
    queue = rows.open_tickets(db) if open_now is None else open_now
    ahead = sum(1 for t in queue if t.state is TicketState.WAITING and t.arrived_at < ticket.arrived_at)
    return None, ahead
