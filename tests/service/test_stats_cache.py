"""The service times learned from the day's finished visits are kept up to date visit by
visit, and always equal what reading the whole day anew teaches: after new visits, after a
visit taken back (undo), after it is finished again, and on an older snapshot."""

from __future__ import annotations

from typing import Any

import pytest
import sqlite_utils

from counter_server.core.estimate import ServiceStats, learn_stats, stats_from_config
from counter_server.core.model import CounterState, Priority, TicketKind
from counter_server.core.numbering import office_day
from counter_server.queue import commands, estimates, rows, undo
from counter_server.queue.counters import set_counter_state
from counter_server.store import connect

from .conftest import Office

SERVICES = ["ausweis", "anmeldung", "pass", "abholung", "bescheinigung"]
COUNTERS = ("1", "3", "8")


def _whole_day(office: Office, db: sqlite_utils.Database) -> ServiceStats:
    """Learned from the day's finished tickets, read whole (not through the cache's query)."""
    day = office_day(office.now, office.config.office.timezone)
    config = stats_from_config(office.config.office.services)
    return learn_stats(finished=rows.finished_today(db, day), config=config)


def _kept(office: Office, db: sqlite_utils.Database) -> ServiceStats:
    return estimates.STATS.get(db, office.config, office.now)


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Each read of the whole day's finished visits (not of those finished since)."""
    reads: list[Any] = []
    real = rows.finished_visits

    def counted(db: sqlite_utils.Database, day: Any, *, since: str | None = None) -> Any:
        if since is None:
            reads.append(day)
        return real(db, day, since=since)

    monkeypatch.setattr(rows, "finished_visits", counted)
    return reads


def _open_and_fill(office: Office, tickets: int) -> None:
    for counter in COUNTERS:
        office.write(lambda w, c=counter: set_counter_state(w, counter_id=c, state=CounterState.OPEN))
    for i in range(tickets):
        office.write(lambda w, i=i: commands.issue_ticket(
            w, service_id=SERVICES[i % 5], kind=TicketKind.WALK_IN, lang="de", priority=Priority.NORMAL,
            device_id="k"))


def _next(office: Office, i: int) -> None:
    office.later(1.3 + (i % 7) * 2.1)  # uneven visit lengths
    office.write(lambda w: commands.call_next(w, counter_id=COUNTERS[i % 3], previous="done"))


def test_new_visits_are_added_not_the_day_read_again(office: Office, whole_reads: list[Any]) -> None:
    _open_and_fill(office, 40)
    for i in range(36):
        _next(office, i)
        kept = office.read(lambda db: _kept(office, db))
        assert kept == office.read(lambda db: _whole_day(office, db))
    assert kept != stats_from_config(office.config.office.services)  # it did learn
    assert len(whole_reads) == 1, "the day was read anew although visits were only added"


def test_a_visit_taken_back_and_finished_again_is_learned_anew(office: Office) -> None:
    _open_and_fill(office, 12)
    for i in range(9):
        _next(office, i)
    before = office.read(lambda db: _kept(office, db))
    day = office_day(office.now, office.config.office.timezone)
    newest = office.read(lambda db: rows.finished_visits(db, day, since=""))[0]  # the newest first
    done = office.read(lambda db: rows.get_ticket(db, newest[0]))
    assert done is not None
    office.later(0.1)  # within the undo time
    office.write(lambda w: undo.reopen(w, ticket=done))  # the next visitor's call is taken back too
    taken_back = office.read(lambda db: _kept(office, db))
    assert taken_back == office.read(lambda db: _whole_day(office, db)) != before
    office.later(9.5)  # served again, much longer this time
    counter = done.counter_id
    assert counter is not None
    office.write(lambda w: commands.call_next(w, counter_id=counter, previous="done"))
    again = office.read(lambda db: _kept(office, db))
    assert again == office.read(lambda db: _whole_day(office, db))
    assert again not in (before, taken_back)


def test_an_older_snapshot_gets_its_own_figures(office: Office) -> None:
    _open_and_fill(office, 20)
    for i in range(6):
        _next(office, i)
    old = connect(office.store.path)
    old.conn.execute("BEGIN")
    old_figures = _whole_day(office, old)  # the snapshot starts at this read
    for i in range(6, 14):
        _next(office, i)
    newest = office.read(lambda db: _kept(office, db))
    assert _kept(office, old) == old_figures != newest
    assert office.read(lambda db: _kept(office, db)) == newest == office.read(lambda db: _whole_day(office, db))
    old.conn.execute("COMMIT")
    old.close()


def test_check_ins_do_not_count_the_days_finished_visits(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a visit finished or taken back moves the learned figures: a check-in's estimate
    and the board after it look up two events, not the day's finished visits."""
    _open_and_fill(office, 20)
    for i in range(8):
        _next(office, i)
    office.read(lambda db: _kept(office, db))
    counts: list[Any] = []
    real = rows.finished_fingerprint
    monkeypatch.setattr(rows, "finished_fingerprint", lambda db, day: counts.append(day) or real(db, day))
    _open_and_fill(office, 5)
    assert office.read(lambda db: _kept(office, db)) == office.read(lambda db: _whole_day(office, db))
    assert counts == []
    _next(office, 8)
    assert office.read(lambda db: _kept(office, db)) == office.read(lambda db: _whole_day(office, db))
    assert len(counts) == 1


class _Undone(Exception):
    pass


def test_figures_of_a_write_that_rolled_back_are_not_kept(office: Office) -> None:
    """A Next learns inside its write (its proposal needs the service times); if that write
    rolls back, its event's seq is used again by the next write, for another visit."""
    _open_and_fill(office, 12)
    for i in range(4):
        _next(office, i)
    office.read(lambda db: _kept(office, db))

    def finish_then_fail(w: Any) -> None:
        commands.call_next(w, counter_id="1", previous="done")
        _kept(office, w.db)  # learned from the state inside the write
        raise _Undone

    office.later(6.0)
    with pytest.raises(_Undone):
        office.write(finish_then_fail)
    office.later(0.5)
    office.write(lambda w: commands.call_next(w, counter_id="3", previous="done"))  # another visit, the same seq
    assert office.read(lambda db: _kept(office, db)) == office.read(lambda db: _whole_day(office, db))
