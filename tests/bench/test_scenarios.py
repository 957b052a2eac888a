"""Every scenario of bench/scenarios/ (and the shared standard day) parses and draws a day."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.scenario import draw_day, load_scenario

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "bench" / "scenarios").glob("*.toml"))


def test_the_hard_days_are_there() -> None:
    names = {f.stem for f in FILES}
    assert {"overloaded-early-peak", "single-skill", "two-counters-missing", "mostly-booked-late"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_scenario_parses_and_draws_a_day(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    day = draw_day(scenario, random.Random(1))
    assert day.visitors and day.bookings
    served = {s for c in scenario.counters for s in c.skills}
    assert {s.id for s in scenario.services} <= served


def test_single_skill_counters_have_one_skill_each() -> None:
    scenario = load_scenario(ROOT / "bench" / "scenarios" / "single-skill.toml")
    assert all(len(c.skills) == 1 for c in scenario.counters)
    missing = load_scenario(ROOT / "bench" / "scenarios" / "two-counters-missing.toml")
    assert len(missing.counters) == 6
