"""`figures` gathers a cell in one pass (a month's report reads thousands of visits); it gives
what the plain definition gives, on random visits."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import pytest

from counter_server.core import stats
from counter_server.core.stats import WITHIN_S, Visit, percentile


def reference(visits: Sequence[Visit]) -> dict[str, Any]:
    """The definition as first written: one comprehension per figure."""
    came = [v for v in visits if v.outcome not in ("absent", "cancelled")]
    waits = [float(v.wait_s) for v in came if v.wait_s is not None and v.outcome != "no_show"]
    services = [float(v.service_s) for v in came if v.service_s is not None]
    on_time = [v.on_time for v in came if v.on_time is not None]
    errors = [float(v.eta_error_s) for v in came if v.eta_error_s is not None]

    def minutes(x: float | None) -> float | None:
        return None if x is None else round(x / 60, 1)

    def mean(xs: Sequence[float]) -> float | None:
        return sum(xs) / len(xs) if xs else None

    def share(flags: Sequence[int]) -> float | None:
        return sum(flags) / len(flags) if flags else None

    return {
        "visitors": len(came), "walk_in": sum(v.kind == "walk_in" for v in came),
        "booked": sum(v.kind != "walk_in" for v in came), "booked_late": sum(v.kind == "booked_late" for v in came),
        "no_show": sum(v.outcome in ("no_show", "absent") for v in visits),
        "cancelled": sum(v.outcome == "cancelled" for v in visits),
        "transferred": sum(v.transferred > 0 for v in came), "parked": sum(v.parked > 0 for v in came),
        "offline": sum(v.offline for v in came), "served": sum(v.outcome == "done" for v in came),
        "wait_mean_min": minutes(mean(waits)), "wait_median_min": minutes(percentile(waits, 50)),
        "wait_p90_min": minutes(percentile(waits, 90)), "wait_max_min": minutes(max(waits) if waits else None),
        "service_mean_min": minutes(mean(services)), "service_median_min": minutes(percentile(services, 50)),
        "within_15_share": share([int(w <= WITHIN_S[0]) for w in waits]),
        "within_30_share": share([int(w <= WITHIN_S[1]) for w in waits]),
        "booked_on_time_share": share(on_time), "eta_error_mean_min": minutes(mean(errors)),
        "eta_error_abs_mean_min": minutes(mean([abs(e) for e in errors])),
    }


def _visit(rng: random.Random) -> Visit:
    outcome = rng.choice(["done", "done", "no_show", "absent", "cancelled", "expired"])
    maybe = lambda x: x if rng.random() < 0.8 else None  # noqa: E731
    return Visit(office_day="2026-06-0" + str(rng.randint(1, 3)), hour=rng.randint(8, 17),
                 service_id=rng.choice("ab"), counter_id=rng.choice("12"),
                 kind=rng.choice(["walk_in", "booked", "booked_late"]), outcome=outcome,
                 transferred=rng.randint(0, 2), parked=rng.randint(0, 1), offline=rng.randint(0, 1),
                 wait_s=maybe(rng.randint(0, 4000)), service_s=maybe(rng.randint(0, 2000)),
                 on_time=maybe(rng.randint(0, 1)), eta_error_s=maybe(rng.randint(-900, 900)),
                 staff_id=rng.choice(["", "s1"]))


@pytest.mark.parametrize("seed", range(30))
def test_one_pass_figures_equal_the_definition(seed: int) -> None:
    rng = random.Random(seed)
    visits = [_visit(rng) for _ in range(rng.randint(0, 60))]
    assert stats.figures(visits) == reference(visits)
    for cell in stats.cells(visits, ["service_id", "staff_id"]):
        group = [v for v in visits if (v.service_id, v.staff_id) == (cell["service_id"], cell["staff_id"])]
        assert {k: cell[k] for k in stats.CELL_FIGURES} == reference(group)
