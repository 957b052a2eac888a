"""`python -m bench.rule_compare`: ours under two rule sets and the baselines, on the same days."""

from __future__ import annotations

from pathlib import Path

from bench.rule_compare import compare, table
from counter_server.core.policy import Rules

SCENARIOS = Path(__file__).resolve().parents[2] / "bench" / "scenarios"


def test_same_rules_give_the_same_column_and_the_table_names_every_figure() -> None:
    name, summaries = compare(SCENARIOS / "mostly-booked-late.toml", 2, 3, Rules())
    assert list(summaries) == ["ours", "ours, before", "fcfs", "longest-queue", "dedicated"]
    # the same rules on the same days: the same figures
    assert summaries["ours"] == summaries["ours, before"]
    text = table(name, summaries)
    for label in ("booked ≤ 5 min", "walk-in wait mean", "walk-in wait p95", "walk-in wait max", "× best baseline"):
        assert label in text
