"""Waiting-time estimates: the queue policy run forward over the current queue."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .model import Counter, CounterState, Service, Ticket
from .policy import Rules, choose_next


@dataclass(frozen=True)
class Estimate:
    """Where a waiting ticket stands: people ahead and minutes until its call."""

    ticket_id: str
    position: int
    minutes: float
    low: float
    high: float


@dataclass(frozen=True)
class QueueState:
    """A picture of the office at one moment."""

    waiting: Sequence[Ticket]
    counters: Sequence[Counter]
    # counter id -> minutes until the clerk there is free again
    busy_for_min: Mapping[str, float] = field(default_factory=dict)
    rules: Rules = Rules()


@dataclass(frozen=True)
class ServiceStats:
    """Service durations in minutes, learned from the day or taken from config."""

    mean_min: Mapping[str, float]
    default_min: float = 10.0

    def mean(self, service_id: str) -> float:
        return self.mean_min.get(service_id, self.default_min)


def stats_from_config(services: Sequence[Service]) -> ServiceStats:
    return ServiceStats(mean_min={s.id: s.duration_min for s in services})


def estimate_waits(state: QueueState, now: datetime, stats: ServiceStats) -> dict[str, Estimate]:
    """Simulate the open counters calling with the real policy until the queue is empty."""
    open_counters = [c for c in state.counters if c.state is not CounterState.CLOSED]
    free_at = [(state.busy_for_min.get(c.id, 0.0), i) for i, c in enumerate(open_counters)]
    heapq.heapify(free_at)
    remaining = list(state.waiting)
    ahead = {t.id: i for i, t in enumerate(sorted(remaining, key=lambda t: t.arrived_at))}
    result: dict[str, Estimate] = {}
    idle: list[tuple[float, int]] = []
    while remaining and free_at:
        at_min, index = heapq.heappop(free_at)
        counter = open_counters[index]
        chosen = choose_next(counter, remaining, open_counters, now + timedelta(minutes=at_min), state.rules)
        if chosen is None:
            idle.append((at_min, index))
            if not free_at:
                break
            continue
        remaining.remove(chosen)
        result[chosen.id] = Estimate(
            ticket_id=chosen.id,
            position=ahead[chosen.id],
            minutes=at_min,
            low=at_min * 0.7,
            high=at_min * 1.4 + 2,
        )
        done = at_min + stats.mean(chosen.service_id)
        heapq.heappush(free_at, (done, index))
        # counters that found nothing may find work once time has moved on
        for item in idle:
            heapq.heappush(free_at, (max(item[0], at_min), item[1]))
        idle.clear()
    return result
