"""`python -m bench.rule_search`: rule sets on every scenario at once, and how far they miss the goals."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from bench.rule_compare import BASELINES, compare
from bench.rule_search import RANGES, Bed, Figures, nearby, penalty, search
from counter_server.core.policy import Rules

SCENARIOS = Path(__file__).resolve().parents[2] / "bench" / "scenarios"


def test_the_figures_are_rule_compares_on_the_same_days() -> None:
    path = SCENARIOS / "mostly-booked-late.toml"
    found = Bed([path], 2, 3).figures(Rules())["mostly-booked-late"]
    _, summaries = compare(path, 2, 3, Rules())
    ours = summaries["ours"]
    assert found.booked == 100 * ours["booked_on_time"][0]
    best = max(summaries[b]["booked_on_time"][0] for b in BASELINES)
    assert abs(found.margin - 100 * (ours["booked_on_time"][0] - best)) < 1e-9
    assert found.p95 == ours["p95"][0] / min(summaries[b]["p95"][0] for b in BASELINES)


def test_the_penalty_is_zero_only_where_every_goal_is_met() -> None:
    met = {"standard-day": Figures(95.0, 4.0, 0.95, 0.85, 0.85), "walk-ins-plus-25": Figures(95.0, 3.0, 0.9, 0.9, 0.9)}
    assert penalty(met) == 0.0
    # the standard day's pair: one point of booked share short, and p95 a hundredth above 0.85
    assert penalty(met | {"standard-day": Figures(94.0, 4.0, 0.95, 0.85, 0.85)}) == 2.0
    assert abs(penalty(met | {"standard-day": Figures(95.0, 4.0, 0.95, 0.86, 0.85)}) - 1.0) < 1e-9
    # any scenario: below the best baseline, or walk-ins above it
    assert penalty(met | {"single-skill": Figures(80.0, -1.0, 0.5, 0.5, 0.5)}) == 6.0
    assert abs(penalty(met | {"single-skill": Figures(80.0, 2.0, 0.5, 0.5, 1.01)}) - 2.0) < 1e-9


def test_a_step_of_the_search_stays_in_range_and_never_calls_early_before_the_late_limit() -> None:
    rng = random.Random(5)
    rules = Rules()
    for _ in range(200):
        rules = nearby(rules, rng, scale=0.5)
        for name, (low, high) in RANGES.items():
            assert low <= getattr(rules, name) <= high
        assert rules.adaptive_call_early_min >= rules.adaptive_call_min


def test_the_search_starts_from_the_given_rules_and_keeps_only_what_lowers_the_penalty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bed = Bed([SCENARIOS / "mostly-booked-late.toml"], 1, 3)
    start = replace(Rules(), adaptive_booked_first_min=6.0)
    found = search(bed, 1.0, random.Random(2), start)
    assert capsys.readouterr().out.startswith("adaptive_booked_first_min=6.0: penalty")
    assert penalty(bed.figures(found)) <= penalty(bed.figures(start))
