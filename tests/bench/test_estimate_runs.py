"""`python -m bench.estimate_runs`: the same check-ins estimated with more sampled runs."""

from __future__ import annotations

from pathlib import Path

from bench.estimate_runs import figures, score, table
from bench.report import summarise
from bench.scenario import load_scenario
from bench.simulator import ours, run_days
from counter_server.core.policy import Rules

SCENARIOS = Path(__file__).resolve().parents[2] / "bench" / "scenarios"


def test_the_default_count_scores_what_townhall_simulate_reports() -> None:
    path = SCENARIOS / "walk-ins-plus-25.toml"
    eight, sixteen = score(path, 3, 7, [8, 16])
    reported = summarise(run_days(scenario=load_scenario(path), days=3, seed=7, policies={"ours": ours},
                                  rules=Rules())["ours"])
    found = figures(eight, eight)
    for ours_key, key in (("est_within_5", "within_5"), ("est_mae", "mae"), ("est_bias", "bias")):
        assert abs(found[key][0] - reported[ours_key][0]) < 1e-12
    assert found["gain"] == (0.0, 0.0)
    # the other count estimated the same walk-ins, each day, and somewhere differently
    assert [len(day) for day in sixteen.errors] == [len(day) for day in eight.errors]
    assert sixteen.errors != eight.errors
    assert eight.cpu_s > 0 and sixteen.cpu_s > 0


def test_the_weight_moves_the_point_and_the_table_names_each_count() -> None:
    path = SCENARIOS / "mostly-booked-late.toml"
    (mean_only,) = score(path, 2, 3, [8], weight=0.0)
    (runs_only,) = score(path, 2, 3, [8], weight=1.0)
    assert mean_only.errors != runs_only.errors
    text = table([mean_only, runs_only])
    assert "| 8 |" in text and "within ±5 min" in text and "points" in text
