"""`townhall simulate --from-history` replays the recorded day itself: its arrivals, errands,
slots and service times, with as many counters as asked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bench import cli
from bench.history import recorded_days, scenario_from_history
from counter_server.cli import init_data_dir
from counter_server.paths import DataDir
from counter_server.stats import job
from counter_server.store import Store, Tx

from .recorded_day import record_tuesday

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo office (Tuesday 08:00-18:00) with the recorded Tuesday built."""
    data_dir = tmp_path_factory.mktemp("history") / "office"
    init_data_dir(data_dir, demo_office=True)
    store = Store(DataDir(data_dir).db)
    try:
        record_tuesday(store)

        def build(tx: Tx) -> job.Built:
            return job.rebuild_day(tx.db, date(2026, 12, 1), "Europe/Berlin", now=tx.now)

        store.write_sync(build, now=NOW)
    finally:
        store.close()
    return data_dir


def test_the_recorded_day_becomes_the_simulators_day(office: Path) -> None:
    scenario = scenario_from_history(office, "tue", 1)
    [(name, day)] = recorded_days(office, scenario, "tue").items()
    assert name == "2026-12-01" and scenario.open_min == 8 * 60
    # minutes from opening: t1 08:00, t2 08:05, t3 booked 08:50 for 09:00, t5 09:00 (a no-show),
    # t4 booked 09:10 for 09:00 (late), t6 09:30, t7 10:00 (never called), t8 offline issued 10:10
    assert [(v.arrives_min, v.slot_min) for v in day.visitors] == [
        (0, None), (5, None), (50, 60), (60, None), (70, 60), (90, None), (120, None), (130, None)]
    walk_up = scenario.walk_up_min
    # served: the recorded service time (the simulator adds the walk-up); the no-show holds the
    # clerk for the scenario's wait; the expired visit takes the errand's recorded mean
    mean = next(s.mean_min for s in scenario.services if s.id == "pass")
    assert [round(v.service_min, 2) for v in day.visitors] == [
        round(m, 2) for m in (10 - walk_up, 10 - walk_up, 15 - walk_up, scenario.no_show_wait_min,
                              10 - walk_up, 10 - walk_up, mean, 10 - walk_up)]
    # the booked visitor who never came is an empty slot at 11:00
    assert [(b.slot_min, b.visitor) for b in day.bookings] == [(60, 2), (60, 4), (180, None)]


def _simulate(office: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    code = cli.main(["simulate", "--from-history", "--data-dir", str(office), "--weekday", "tue",
                     "--policies", "ours", "--json", *extra])
    assert code == 0
    answer: dict[str, object] = json.loads(capsys.readouterr().out)
    return answer


def _mean_wait(answer: dict[str, object]) -> float:
    return float(answer["policies"]["ours"]["mean"]["mean"])  # type: ignore[index]


def test_replaying_with_more_counters_shortens_the_waits(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = _simulate(office, capsys, "--counters", "1")
    assert one["run"] == "1 recorded day(s) replayed (2026-12-01)"  # type: ignore[index]
    again = _simulate(office, capsys, "--counters", "1")
    assert _mean_wait(again) == _mean_wait(one)  # a replay draws nothing
    three = _simulate(office, capsys, "--day", "2026-12-01", "--counters", "3")
    assert _mean_wait(three) <= _mean_wait(one)
    sampled = _simulate(office, capsys, "--sample", "--days", "3")
    assert sampled["run"] == "3 days from seed 1"  # type: ignore[index]


def test_a_day_without_records_is_a_clear_error(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["simulate", "--from-history", "--data-dir", str(office), "--day", "2026-12-02"])
    assert code == 2 and "no recorded visits on wed" in capsys.readouterr().err


def test_errands_without_a_counter_are_named(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = office / "office.toml"
    text = config.read_text(encoding="utf-8")
    try:  # the first counter of the demo office serves ausweis, pass and abholung
        config.write_text(text.replace("skills = { ausweis = 1, pass = 2, abholung = 2 }",
                                       "skills = { ausweis = 1, abholung = 2 }", 1), encoding="utf-8")
        assert cli.main(["simulate", "--from-history", "--data-dir", str(office), "--counters", "1",
                         "--policies", "ours"]) == 0
        assert "no counter serves pass" in capsys.readouterr().err
    finally:
        config.write_text(text, encoding="utf-8")
