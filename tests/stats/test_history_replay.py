"""`townhall simulate --from-history` replays the recorded day itself: its arrivals, errands,
slots and service times, with as many counters as asked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bench import cli
from bench.booking_share import slot_length_min, slots, with_booking
from bench.history import parse_hours, recorded_days, scenario_from_history, window_scenario
from bench.scenario import Day, Scenario
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


def test_other_skills_are_tried_on_the_recorded_days_without_editing_office_toml(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answer = _simulate(office, capsys, "--counters", "1", "--skills", "1:pass=0")
    assert str(answer["scenario"]).endswith("skills changed: 1 pass=0")
    assert cli.main(["simulate", "--from-history", "--data-dir", str(office), "--counters", "1",
                     "--policies", "ours", "--skills", "1:pass=0"]) == 0
    assert "no counter serves pass" in capsys.readouterr().err
    assert "pass = 2" in (office / "office.toml").read_text(encoding="utf-8")
    # each counter count of a booked-share table gets them too (counter 2 does passports as well)
    assert cli.main(["simulate", "--from-history", "--data-dir", str(office), "--policies", "ours",
                     "--counters", "1,2", "--booking-share", "0", "--skills", "1:pass=0"]) == 0
    assert capsys.readouterr().err.count("1 counter(s): no counter serves pass") == 1


# --- "Monday mornings": a window; "how much for online booking?": a booked share ----------


def _window_day(office: Path, hours: str, counters: int = 1) -> tuple[Scenario, Day]:
    window = parse_hours(hours)
    scenario = window_scenario(scenario_from_history(office, "tue", counters), window)
    [day] = recorded_days(office, scenario, "tue", window=window).values()
    return scenario, day


def test_the_window_keeps_exactly_the_visitors_who_arrived_in_it(office: Path) -> None:
    assert parse_hours("8-12") == (480, 720) and parse_hours("08:30-12:00") == (510, 720)
    scenario, day = _window_day(office, "9-10")
    assert (scenario.open_min, scenario.close_min) == (540, 600)
    # 09:00-10:00: t5 09:00 (walk-in), t4 09:10 (slot 09:00); not t3 (08:50), t7 (10:00) nor the
    # empty 11:00 slot; minutes count from the window's start
    assert [(v.arrives_min, v.slot_min) for v in day.visitors] == [(0, None), (10, 0), (30, None)]
    assert [(b.slot_min, b.visitor) for b in day.bookings] == [(0, 1)]


def test_a_window_without_visits_and_a_bad_window_are_clear_errors(
        office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["simulate", "--from-history", "--data-dir", str(office), "--weekday", "tue",
                     "--policies", "ours", "--hours", "14-16"])
    assert code == 2 and "no recorded visits on tue in 14:00-16:00" in capsys.readouterr().err
    code = cli.main(["simulate", "--from-history", "--data-dir", str(office), "--counters", "1,2"])
    assert code == 2 and "several counts only with --booking-share" in capsys.readouterr().err
    for bad, message in (("--hours", "12-8"), ("--booking-share", "0,1.5")):
        with pytest.raises(SystemExit):
            cli.main(["simulate", "--from-history", "--data-dir", str(office), bad, message])
        assert f"{bad}: " in capsys.readouterr().err


def test_a_booked_share_moves_evenly_spaced_walk_ins_to_slots(office: Path) -> None:
    scenario, day = _window_day(office, "8-10")
    assert with_booking(day, scenario, 0) == day
    # slots as long as the errands' mean (about 10.8 min + walk-up) on the 5-minute grid
    assert slot_length_min(scenario) == 15
    # a quarter of one counter's 120 minutes: 2 slots, at the middles of the halves (30, 90)
    assert slots(scenario, 0.25) == [30, 90]
    # walk-ins t1 0, t2 5, t5 60, t6 90: the 2nd and 4th (evenly spaced) take the slots
    booked = with_booking(day, scenario, 0.25)
    assert [(v.arrives_min, v.slot_min) for v in booked.visitors] == [
        (0, None), (30, 30), (50, 60), (60, None), (70, 60), (90, 90)]
    assert [(b.slot_min, b.visitor) for b in booked.bookings] == [(30, 1), (60, 2), (60, 4), (90, 5)]
    # the errands and service times move with the visitors
    assert sorted(v.service_min for v in booked.visitors) == sorted(v.service_min for v in day.visitors)


def test_the_share_table_has_one_row_per_share_and_counters(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = _simulate(office, capsys, "--hours", "8-10", "--counters", "1")
    shares = _simulate(office, capsys, "--hours", "8-10", "--counters", "1,2", "--booking-share", "0,0.25")
    rows = shares["rows"]
    assert [(r["counters"], r["share"], r["walk_ins_per_day"], r["booked_per_day"])  # type: ignore[index]
            for r in rows] == [(1, 0, 4, 2), (1, 0.25, 2, 4), (2, 0, 4, 2), (2, 0.25, 0, 6)]  # type: ignore[union-attr]
    assert rows[0]["mean"] == _mean_wait(plain)  # type: ignore[index]  # share 0 is the plain replay
    assert cli.main(["simulate", "--from-history", "--data-dir", str(office), "--weekday", "tue", "--policies",
                     "ours", "--hours", "8-10", "--counters", "1", "--booking-share", "0,0.25,0.5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-4].split()[:2] == ["counters", "share"]
    assert [line.split()[1] for line in lines[-3:]] == ["0%", "25%", "50%"]
