"""The simulator against queueing theory: M/M/c mean wait from Erlang C."""

from __future__ import annotations

import math
import random
import statistics

from bench.scenario import draw_day, scenario_from_mapping
from bench.simulator import ours, simulate_day
from counter_server.core.policy import Rules

SERVERS = 3
MEAN_SERVICE_MIN = 10.0
ARRIVALS_PER_MIN = 0.18  # load 0.6
HOURS = 20
WARM_UP_MIN = 60.0
# waits within a busy spell are strongly correlated: about 200 000 waits give a
# standard error near 2 %, so the 5 % bound is a real check, not luck
DAYS = 1000


def erlang_c_wait(*, servers: int, arrival_rate: float, service_rate: float) -> float:
    load = arrival_rate / service_rate
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    bottom = sum(load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom / (servers * service_rate - arrival_rate)


def test_single_service_reproduces_erlang_c_mean_wait() -> None:
    scenario = scenario_from_mapping({
        "name": "mmc", "open": "00:00", "close": f"{HOURS}:00",
        "walk_in": {"visitors": ARRIVALS_PER_MIN * HOURS * 60, "profile": [1.0]},
        "appointments": {"visitors": 0, "no_show": 0, "arrival_offset_sd_min": 0,
                         "early_window_min": 0, "late_window_min": 0},
        "services": [{"id": "x", "share": 1.0, "mean_min": MEAN_SERVICE_MIN, "distribution": "exponential"}],
        "counters": [{"id": str(i + 1), "skills": {"x": 1}} for i in range(SERVERS)],
        "clerk": {"walk_up_s": 0, "no_show_wait_s": 0},
    })
    waits: list[float] = []
    for index in range(DAYS):
        day = draw_day(scenario, random.Random(f"erlang/{index}"))
        result = simulate_day(scenario=scenario, day=day, policy=ours, rules=Rules())
        # steady state only: the office opens empty
        waits += [w for (_, w), at in zip(result.walk_in_waits, result.walk_in_arrivals, strict=True)
                  if at >= WARM_UP_MIN]
    expected = erlang_c_wait(servers=SERVERS, arrival_rate=ARRIVALS_PER_MIN,
                             service_rate=1 / MEAN_SERVICE_MIN)
    assert abs(statistics.fmean(waits) / expected - 1) < 0.05
