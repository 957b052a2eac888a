"""`townhall simulate` end to end on the shared standard scenario."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bench.cli import main
from bench.scenario import draw_day, load_scenario
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
