"""Per-clerk statistics: each visit keeps the staff id of the clerk who served it (never a name),
figures per clerk worked out by hand, and the report's clerk filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from counter_server.core import stats
from counter_server.stats import job, query
from counter_server.store import Store, Tx

from .recorded_day import Recorder, fresh_store, local, ticket

TZ = "Europe/Berlin"
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from fresh_store(tmp_path)


def _serve(r: Recorder, t: dict[str, Any], counter: str, staff: str | None, called: str,
           started: str | None, finished: str) -> None:
    extra = {"staff_id": staff} if staff else {}
    r.ticket(local(called), "ticket.called", t, counter, **extra)
    if started:
        r.ticket(local(started), "ticket.started", t, counter, **extra)
    r.ticket(local(finished), "ticket.finished", t, counter, **extra)


def record_clerks_day(store: Store) -> None:
    """Clerk s1 at c1, clerk s2 at c2, a workstation without an account at c3."""
    r = Recorder(store)
    tickets = {}
    for tid, arrived in (("t1", "08:00"), ("t2", "08:02"), ("t3", "08:05"), ("t4", "08:10"),
                         ("t5", "08:15"), ("t6", "08:20")):
        tickets[tid] = ticket(tid, f"A00{tid[1]}", arrived=local(arrived))
        r.ticket(local(arrived), "ticket.created", tickets[tid])
    _serve(r, tickets["t1"], "c1", "s1", "08:10", "08:10", "08:20")  # wait 10, service 10
    _serve(r, tickets["t3"], "c2", "s2", "08:06", "08:06", "08:30")  # wait 1, service 24
    _serve(r, tickets["t2"], "c1", "s1", "08:20", None, "08:36")  # wait 18, service 16 (from the call)
    r.ticket(local("08:31"), "ticket.called", tickets["t4"], "c2", staff_id="s2")
    r.ticket(local("08:33"), "ticket.no_show", tickets["t4"], "c2", staff_id="s2")  # s2's no-show
    # t5: s1 calls and starts, transfers; s2 serves it in the end, so it is s2's visit
    r.ticket(local("08:36"), "ticket.called", tickets["t5"], "c1", staff_id="s1")
    r.ticket(local("08:36"), "ticket.started", tickets["t5"], "c1", staff_id="s1")
    r.ticket(local("08:40"), "ticket.transferred", tickets["t5"], staff_id="s1")
    _serve(r, tickets["t5"], "c2", "s2", "08:45", "08:45", "08:55")  # wait 21 (first call), service 10
    _serve(r, tickets["t6"], "c3", None, "08:50", None, "09:00")  # no account: wait 30, service 10


# worked out by hand from the day above
BY_CLERK = {
    "s1": {"visitors": 2, "served": 2, "no_show": 0, "wait_mean_min": 14.0, "service_mean_min": 13.0},
    "s2": {"visitors": 3, "served": 2, "no_show": 1, "wait_mean_min": 11.0, "service_mean_min": 17.0,
           "transferred": 1},
    "": {"visitors": 1, "served": 1, "no_show": 0, "wait_mean_min": 30.0, "service_mean_min": 10.0},
}


def _build(store: Store) -> None:
    def write(tx: Tx) -> job.Built:
        return job.rebuild_day(tx.db, date(2026, 12, 1), TZ, now=tx.now)

    store.write_sync(write, now=NOW)


def test_each_visit_keeps_the_clerk_who_served_it_and_figures_per_clerk_match_the_hand(store: Store) -> None:
    record_clerks_day(store)
    _build(store)
    rows = store.read_sync(lambda db: [tuple(r) for r in db.execute(
        "SELECT staff_id, counter_id, arrived_min FROM stats_visits ORDER BY arrived_min").fetchall()])
    assert rows == [("s1", "c1", 480), ("s1", "c1", 482), ("s2", "c2", 485), ("s2", "c2", 490),
                    ("s2", "c2", 495), ("", "c3", 500)]
    visits = store.read_sync(lambda db: query.visits(db, query.select("day", date(2026, 12, 1))))
    cells = {c["staff_id"]: c for c in stats.cells(visits, ["staff_id"])}
    assert set(cells) == set(BY_CLERK)
    for staff_id, expected in BY_CLERK.items():
        for name, value in expected.items():
            assert cells[staff_id][name] == pytest.approx(value), (staff_id, name)


def test_the_clerk_filter_reads_only_that_clerks_visits(store: Store) -> None:
    record_clerks_day(store)
    _build(store)
    sel = query.select("day", date(2026, 12, 1), staff=["s2"])
    visits = store.read_sync(lambda db: query.visits(db, sel))
    assert {v.staff_id for v in visits} == {"s2"} and len(visits) == 3
    assert "staff=s2" in sel.query() and "staff" not in sel.published().query()
