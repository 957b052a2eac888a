"""The statistics job against a recorded day whose figures were worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from counter_server.core import stats
from counter_server.stats import job
from counter_server.store import Store, Tx

from .recorded_day import (
    TUESDAY_OPEN,
    TUESDAY_PASS,
    TUESDAY_REFUSALS,
    fresh_store,
    record_dst_day,
    record_tuesday,
)

TZ = "Europe/Berlin"
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from fresh_store(tmp_path)


def build(store: Store, day: date, hook: job.Hook | None = None) -> job.Built:
    def write(tx: Tx) -> job.Built:
        return job.rebuild_day(tx.db, day, TZ, now=tx.now, hook=hook)

    return store.write_sync(write, now=NOW)


def rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    def read(db: Any) -> dict[str, list[tuple[Any, ...]]]:
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in ("stats_visits", "stats_refusals", "stats_open")}

    return store.read_sync(read)


def visits(store: Store) -> list[stats.Visit]:
    def read(db: Any) -> list[stats.Visit]:
        return [stats.Visit(**row) for row in db.query("SELECT * FROM stats_visits")]

    return store.read_sync(read)


def test_a_recorded_day_gives_the_figures_worked_out_by_hand(store: Store) -> None:
    record_tuesday(store)
    built = build(store, date(2026, 12, 1))
    assert built.visits == 10  # 8 came, 1 booked who never came, 1 cancelled booking
    [cell] = stats.cells(visits(store), ["service_id"])
    for name, expected in TUESDAY_PASS.items():
        assert cell[name] == pytest.approx(expected), name
    table = rows(store)
    assert {(h, c): s for _, h, c, s in table["stats_open"]} == TUESDAY_OPEN
    assert {(h, r, o): n for _, h, _, r, o, n in table["stats_refusals"]} == TUESDAY_REFUSALS
    by_kind = {(v.kind, v.outcome, v.hour) for v in visits(store)}
    assert ("booked_late", "done", 9) in by_kind and ("booked", "absent", 11) in by_kind
    assert ("walk_in", "expired", 10) in by_kind


def test_the_job_run_twice_gives_the_same_rows(store: Store) -> None:
    record_tuesday(store)
    build(store, date(2026, 12, 1))
    first = rows(store)
    build(store, date(2026, 12, 1))
    assert rows(store) == first


def test_a_crash_half_way_leaves_the_last_complete_run_and_a_rerun_repairs_it(store: Store) -> None:
    record_tuesday(store)
    build(store, date(2026, 12, 1))
    complete = rows(store)

    def crash(stage: str) -> None:
        raise RuntimeError(f"power cut after {stage}")

    with pytest.raises(RuntimeError):
        build(store, date(2026, 12, 1), hook=crash)
    assert rows(store) == complete
    # a crash on the very first run leaves no half day behind either
    other = date(2026, 12, 2)
    with pytest.raises(RuntimeError):
        build(store, other, hook=crash)
    assert store.read_sync(lambda db: db.execute(
        "SELECT COUNT(*) FROM stats_visits WHERE office_day = '2026-12-02'").fetchone()[0]) == 0
    build(store, other)
    assert rows(store)["stats_visits"] != complete["stats_visits"]
    build(store, date(2026, 12, 1))
    assert [r for r in rows(store)["stats_visits"] if r[0] == "2026-12-01"] == complete["stats_visits"]


def test_a_dst_day_has_23_hours_and_waits_in_real_minutes(store: Store) -> None:
    record_dst_day(store)
    built = build(store, date(2026, 3, 29))
    assert built.visits == 2
    found = sorted((v.hour, v.wait_s, v.service_s) for v in visits(store))
    assert found == [(0, None, None), (1, 15 * 60, 10 * 60)]
    start, end = stats.day_bounds(date(2026, 3, 29), TZ)
    assert (end - start).total_seconds() == 23 * 3600
    assert build(store, date(2026, 3, 30)).visits == 1


def test_day_end_builds_each_past_day_once(store: Store) -> None:
    record_tuesday(store)

    def missing(tx: Tx) -> list[job.Built]:
        return job.build_missing(tx.db, TZ, now=tx.now, limit=50)

    built = store.write_sync(missing, now=NOW)
    assert [b.office_day for b in built][-2:] == ["2026-12-01", "2026-12-02"]
    assert store.write_sync(missing, now=NOW) == []


def test_published_cells_hide_small_counts() -> None:
    cell = {"visitors": 3, "walk_in": 3, "booked": 0, "wait_mean_min": 4.0}
    assert stats.suppress(cell) == {"visitors": None, "walk_in": None, "booked": 0, "wait_mean_min": None}
    big = {"visitors": 7, "walk_in": 5, "booked": 2, "wait_mean_min": 4.0}
    assert stats.suppress(big) == {"visitors": 7, "walk_in": 5, "booked": None, "wait_mean_min": 4.0}
