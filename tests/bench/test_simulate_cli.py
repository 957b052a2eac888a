"""`townhall simulate` end to end on the shared standard scenario."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bench.cli import main
from bench.scenario import draw_day, load_scenario, parse_skills, with_skills
from bench.simulator import policies_by_name, simulate_day
from counter_server.core.policy import Rules

STANDARD = Path("/work/shared/scenarios/standard-day.toml")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "bench"


def test_json_and_plot(capsys: pytest.CaptureFixture[str]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    plot = ARTIFACTS / "simulate.png"
    code = main(["simulate", "--scenario", str(STANDARD), "--days", "3", "--seed", "5",
                 "--json", "--plot", str(plot)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["policies"]) == {"ours", "fcfs", "longest-queue", "dedicated"}
    ours = out["policies"]["ours"]
    for key in ("mean", "p50", "p90", "p95", "max", "within_15", "within_30", "booked_on_time",
                "utilisation", "est_mae", "est_bias", "est_within_5", "zms_mae", "wait_ausweis"):
        assert key in ours
    assert ours["mean"]["ci95"] is not None
    assert {"p95", "max", "mean", "booked_on_time", "est_mae"} <= set(out["goals"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--scenario", str(STANDARD), "--days", "2", "--policies", "ours", "fcfs"]) == 0
    text = capsys.readouterr().out
    assert "| walk-in wait p95 | " in text
    assert "estimate MAE" in text


@pytest.mark.parametrize(("content", "message"), [
    ("name = 'x'\nopen = '08:00'\nclose = '16:00'\n", "[walk_in]"),
    (STANDARD.read_text().replace("mean_min = 18", "mean_min = 'long'", 1), "services[0].mean_min"),
    (STANDARD.read_text().replace("pass = 2", "passport = 2", 1), "counters[0].skills"),
])
def test_bad_scenario_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content)
    assert main(["simulate", "--scenario", str(path), "--days", "1"]) == 2
    assert message in capsys.readouterr().err


def test_unknown_policy_and_bad_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--scenario", str(STANDARD), "--policies", "magic"]) == 2
    rules = tmp_path / "office.toml"
    rules.write_text("[queue]\nwalk_in_max_wait_min = -3\n")
    assert main(["simulate", "--scenario", str(STANDARD), "--rules", str(rules)]) == 2
    assert "walk_in_max_wait_min" in capsys.readouterr().err


def test_every_policy_replays_the_same_visitors() -> None:
    scenario = load_scenario(STANDARD)
    day = draw_day(scenario, random.Random("crn"))
    served = {
        name: len(simulate_day(scenario=scenario, day=day, policy=policy, rules=Rules()).walk_in_waits)
        for name, policy in policies_by_name(["ours", "fcfs", "dedicated"]).items()
    }
    assert len(set(served.values())) == 1
    assert served["ours"] == sum(1 for v in day.visitors if v.slot_min is None)


def test_slot_guard_serves_everyone_and_keeps_more_slots() -> None:
    """With guard_slots on, held counters wake up again, and booked visitors are called on time more often."""
    scenario = load_scenario(STANDARD)
    on_time = {}
    for guard in (False, True):
        late: list[float] = []
        for index in range(6):
            day = draw_day(scenario, random.Random(f"guard/{index}"))
            result = simulate_day(scenario=scenario, day=day, policy=policies_by_name(["ours"])["ours"],
                                  rules=Rules(guard_slots=guard))
            assert len(result.walk_in_waits) == sum(1 for v in day.visitors if v.slot_min is None)
            assert len(result.booked_late) == sum(1 for v in day.visitors if v.slot_min is not None)
            late += result.booked_late
        on_time[guard] = sum(1 for minutes in late if minutes <= 5) / len(late)
    assert on_time[True] > on_time[False]


def test_other_skills_are_tried_without_editing_the_scenario() -> None:
    scenario = load_scenario(STANDARD)
    changed = with_skills(scenario, [parse_skills("6:abholung=2"), parse_skills(" 1 : abholung=0, ausweis=2")])
    skills = {c.id: c.skills for c in changed.counters}
    assert skills["6"] == {"bescheinigung": 1, "sonstiges": 1, "anmeldung": 2, "abholung": 2}
    assert skills["1"] == {"ausweis": 2, "pass": 2}
    assert all(skills[c.id] == c.skills for c in scenario.counters if c.id not in ("1", "6"))
    assert changed.name == "standard-day, skills changed: 6 abholung=2; 1 abholung=0,ausweis=2"
    assert with_skills(scenario, []) is scenario


def test_skills_that_take_an_errand_from_every_counter_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    # counters 1 and 8 are the only ones doing pick-ups
    assert main(["simulate", "--scenario", str(STANDARD), "--days", "1", "--policies", "ours",
                 "--skills", "1:abholung=0", "--skills", "8:abholung=0"]) == 0
    assert "no counter serves abholung" in capsys.readouterr().err


@pytest.mark.parametrize(("skills", "message"), [
    ("9:abholung=2", "--skills: no counter '9' (known: 1, 2, 3, 4, 5, 6, 7, 8)"),
    ("6:passport=1", "--skills: unknown errands ['passport']"),
])
def test_skills_of_an_unknown_counter_or_errand_are_clear_errors(
        capsys: pytest.CaptureFixture[str], skills: str, message: str) -> None:
    assert main(["simulate", "--scenario", str(STANDARD), "--days", "1", "--skills", skills]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("text", ["6:abholung", "6:abholung=3", ":abholung=1", "6", "6:=1", "6:abholung=1,"])
def test_malformed_skills_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="COUNTER:ERRAND=LEVEL"):
        parse_skills(text)
