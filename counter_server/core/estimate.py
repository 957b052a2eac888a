"""Waiting-time estimates: the queue policy itself, run forward over the current queue.

The forward run uses the counters' state, what each busy clerk is still
expected to need, the booked visitors still to come (weighted by the chance
they show up) and service times learned from the day's finished tickets. The
band around the point estimate widens with the square root of the wait, the
way a sum of independent service times does.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from statistics import median

from .call_order import CallOrder
from .model import Counter, CounterState, Priority, Service, Ticket, TicketKind, TicketState
from .policy import Rules, counter_terms


@dataclass(frozen=True)
class Estimate:
    """Where a waiting ticket stands: its place in the calling order (1 = next) and minutes until its call."""

    ticket_id: str
    position: int
    minutes: float
    low: float
    high: float


@dataclass(frozen=True)
class Upcoming:
    """A booked visitor who has not checked in yet."""

    service_id: str
    appointment_at: datetime
    # chance they still come; see show_probability()
    show_probability: float = 0.85


@dataclass(frozen=True)
class QueueState:
    """A picture of the office at one moment."""

    waiting: Sequence[Ticket]
    counters: Sequence[Counter]
    # counter id -> minutes until the clerk there is free again; see busy_for()
    busy_for_min: Mapping[str, float] = field(default_factory=dict)
    rules: Rules = Rules()
    upcoming: Sequence[Upcoming] = ()


@dataclass(frozen=True)
class ServiceStats:
    """Minutes a counter is taken per ticket (call to finish), per service."""

    mean_min: Mapping[str, float]
    default_min: float = 10.0
    # office.toml's durations, which the policy ranks by (learning leaves them alone,
    # so that the forward run ranks exactly as the counters do)
    configured_min: Mapping[str, float] = field(default_factory=dict)
    # coefficient of variation of those minutes, per service
    cv: Mapping[str, float] = field(default_factory=dict)
    default_cv: float = 0.6
    # The forward run gives each counter its mean time; with several counters
    # the next one is free sooner than that (the first of several random
    # finishes comes before the first of their means), so the run's minutes
    # are scaled by `pace`. 0.9 is calibrated in the simulator (bench/RESULTS.md).
    pace: float = 0.9
    # the band is point +- band_z * band_spread * sqrt(point + band_floor_min),
    # about an 80 % band on the standard scenario
    band_spread: float = 1.8
    band_z: float = 1.28
    band_floor_min: float = 4.0

    def mean(self, service_id: str) -> float:
        return self.mean_min.get(service_id, self.default_min)

    def cv_of(self, service_id: str) -> float:
        return self.cv.get(service_id, self.default_cv)


def stats_from_config(services: Sequence[Service]) -> ServiceStats:
    durations = {s.id: s.duration_min for s in services}
    return ServiceStats(mean_min=durations, configured_min=durations)


def _robust_mean_cv(minutes: Sequence[float], prior_mean: float, prior_cv: float, prior_weight: float) -> tuple[float, float]:
    """Winsorised mean and cv, shrunk towards the prior so a few tickets cannot swing it.

    Clipping at a factor of four around the median keeps one forgotten
    "finish" click (a two-hour ticket) from doubling the day's figure.
    """
    mid = median(minutes)
    clipped = [min(max(m, mid / 4), mid * 4) for m in minutes]
    n = len(clipped)
    mean = (prior_weight * prior_mean + sum(clipped)) / (prior_weight + n)
    if n < 2:
        return mean, prior_cv
    sample_mean = sum(clipped) / n
    variance = sum((m - sample_mean) ** 2 for m in clipped) / (n - 1)
    sample_cv = math.sqrt(variance) / sample_mean if sample_mean > 0 else prior_cv
    cv = (prior_weight * prior_cv + n * sample_cv) / (prior_weight + n)
    return mean, cv


def learn_stats(*, finished: Iterable[Ticket], config: ServiceStats, prior_weight: float = 5.0) -> ServiceStats:
    """Service times learned from the day's finished tickets, falling back to `config`.

    A ticket counts from its call to its finish (walk-up included), which is
    what the forward run needs: the time a counter is taken.
    """
    per_service: dict[str, list[float]] = {}
    for ticket in finished:
        if ticket.state is TicketState.DONE and ticket.called_at and ticket.finished_at:
            took = (ticket.finished_at - ticket.called_at).total_seconds() / 60
            if took > 0:
                per_service.setdefault(ticket.service_id, []).append(took)
    means = dict(config.mean_min)
    cvs = dict(config.cv)
    for service_id, durations in per_service.items():
        means[service_id], cvs[service_id] = _robust_mean_cv(
            durations, config.mean(service_id), config.cv_of(service_id), prior_weight
        )
    return replace(config, mean_min=means, cv=cvs)


def remaining_min(*, service_id: str, elapsed_min: float, stats: ServiceStats) -> float:
    """Expected minutes still needed by a ticket called `elapsed_min` ago.

    Service times are close to log-normal: a ticket that has already run long
    is likely a long one, so the remaining time never drops to zero.
    """
    mean = stats.mean(service_id)
    if elapsed_min <= 0:
        return mean
    sigma = math.sqrt(math.log1p(stats.cv_of(service_id) ** 2))
    mu = math.log(mean) - sigma * sigma / 2
    d = (mu - math.log(elapsed_min)) / sigma
    survive = _phi(d)
    if survive < 1e-9:
        return mean * 0.1
    return max(mean * _phi(d + sigma) / survive - elapsed_min, mean * 0.05)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def busy_for(*, calls: Iterable[Ticket], now: datetime, stats: ServiceStats) -> dict[str, float]:
    """Counter id -> expected minutes until free, from the tickets called or being served."""
    busy: dict[str, float] = {}
    for ticket in calls:
        if ticket.state in (TicketState.CALLED, TicketState.SERVING) and ticket.counter_id:
            began = ticket.called_at or ticket.started_at or now
            elapsed = (now - began).total_seconds() / 60
            busy[ticket.counter_id] = remaining_min(
                service_id=ticket.service_id, elapsed_min=elapsed, stats=stats
            )
    return busy


def show_probability(
    *,
    appointment_at: datetime,
    now: datetime,
    show_rate: float = 0.85,
    offset_mean_min: float = -5.0,
    offset_sd_min: float = 5.0,
) -> float:
    """Chance a booked visitor who has not checked in by `now` still comes.

    Visitors come around their slot (offset mean and spread); not having seen
    someone shortly before the slot makes a no-show more likely.
    """
    minutes_left = (appointment_at - now).total_seconds() / 60
    still_to_come = 1 - _phi((-minutes_left - offset_mean_min) / offset_sd_min)
    coming = show_rate * still_to_come
    return coming / (coming + (1 - show_rate)) if coming > 0 else 0.0


def _working_counters(counters: Sequence[Counter]) -> list[Counter]:
    """Open counters; before any opens (morning), every configured counter as if open."""
    working = [c for c in counters if c.state is CounterState.OPEN]
    return working or [replace(c, state=CounterState.OPEN) for c in counters]


def _stand_in(booked: Upcoming, index: int, now: datetime, rules: Rules) -> Ticket:
    """A ticket standing in for a booked visitor still to come."""
    return Ticket(
        id=f"upcoming:{index}",
        number="",
        service_id=booked.service_id,
        kind=TicketKind.APPOINTMENT,
        priority=Priority.NORMAL,
        lang=rules.office_language,
        created_at=now,
        arrived_at=booked.appointment_at,
        office_day=now.date(),
        public_id="",
        appointment_at=booked.appointment_at,
    )


def _joins_min(booked: Upcoming, now: datetime, rules: Rules) -> float:
    """Minutes from now until the booked visitor may be called (they come a little early)."""
    due = booked.appointment_at - timedelta(minutes=rules.appointment_due_before_min)
    return max(0.0, (due - now).total_seconds() / 60)


def _band(minutes: float, stats: ServiceStats) -> tuple[float, float]:
    half = stats.band_z * stats.band_spread * math.sqrt(minutes + stats.band_floor_min)
    return max(0.0, minutes - half), minutes + half


def estimate_waits(state: QueueState, now: datetime, stats: ServiceStats) -> dict[str, Estimate]:
    """Run the policy forward with expected service times; one Estimate per waiting ticket.

    Tickets that no working counter can serve get no estimate.
    """
    rules = state.rules
    counters = _working_counters(state.counters)
    terms = [counter_terms(c, counters, rules, stats.configured_min) for c in counters]
    order = CallOrder(terms=terms, rules=rules, origin=now)
    wanted = 0
    for ticket in state.waiting:
        if ticket.state is TicketState.WAITING:
            order.add(ticket)
            wanted += 1
    upcoming = sorted(state.upcoming, key=lambda b: b.appointment_at, reverse=True)
    weight: dict[str, float] = {}
    free = [(state.busy_for_min.get(c.id, 0.0), i) for i, c in enumerate(counters)]
    heapq.heapify(free)
    result: dict[str, Estimate] = {}
    while free and len(result) < wanted:
        at, index = heapq.heappop(free)
        while upcoming and _joins_min(upcoming[-1], now, rules) <= at:
            booked = upcoming.pop()
            stand_in = _stand_in(booked, len(weight), now, rules)
            weight[stand_in.id] = booked.show_probability
            order.add(stand_in)
        chosen = order.take(index, now + timedelta(minutes=at))
        if chosen is None:
            wakes = [order.next_wake(index, at), _joins_min(upcoming[-1], now, rules) if upcoming else None]
            wake = min((w for w in wakes if w is not None), default=None)
            if wake is not None:
                heapq.heappush(free, (wake, index))
            continue
        if chosen.id not in weight:
            point = at * stats.pace
            low, high = _band(point, stats)
            result[chosen.id] = Estimate(chosen.id, len(result) + 1, point, low, high)
        taken = stats.mean(chosen.service_id) * weight.get(chosen.id, 1.0)
        heapq.heappush(free, (at + taken, index))
    return result
