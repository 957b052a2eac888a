"""REFERENCE COPY of counter_server/core/estimate.py at commit 093b225 (before issue 14), for tests only.

The figures of the fast core must equal these exactly (tests/core/test_estimate_same.py).
Do not change it to follow the core: it is what "the same figures" means.

One deliberate change since (issue 15, stop 31): what the sampled runs draw. Draw k of
the runs of one estimate falls once into each of their strata (a Latin hypercube, for a
median of few runs nearer that of many), and a service time or a check-in takes a fixed
count of numbers. `_Stratified` below is that, written plainly; the runs are unchanged.

A second deliberate change (issue 15, stop 33): the sampled runs' minutes are summed up
by the centre of their densest window (`_densest_centre` below, written plainly), not
their median.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from statistics import NormalDist

from counter_server.core.estimate import Estimate, QueueState, ServiceStats, Upcoming
from counter_server.core.model import (
    Counter,
    CounterState,
    Priority,
    Ticket,
    TicketKind,
    TicketState,
)
from counter_server.core.policy import Rules, counter_terms, open_counts

from .call_order import CallOrder
from .forward import Joiner, forward_run, lognormal_params

_NORMAL = NormalDist()


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


def _joiner(booked: Upcoming, index: int, now: datetime, rules: Rules) -> Joiner:
    return Joiner(
        slot_min=(booked.appointment_at - now).total_seconds() / 60, chance=booked.show_probability,
        stand_in=partial(_stand_in, booked, index, now, rules),
    )


def _still_to_come(joiner: Joiner, stats: ServiceStats) -> tuple[float, float]:
    """Where the check-in of a booked visitor not seen yet falls, in standard units: (lowest, spread).

    Visitors check in at slot + offset, offset normal; not having seen them by
    minute 0 means the offset is above -slot.
    """
    spread = max(stats.booked_offset_sd_min, 1e-6)
    return (-joiner.slot_min - stats.booked_offset_mean_min) / spread, spread


def _band(minutes: float, stats: ServiceStats) -> tuple[float, float]:
    half = stats.band_z * stats.band_spread * math.sqrt(minutes + stats.band_floor_min)
    return max(0.0, minutes - half), minutes + half


class _Expected:
    """Every ticket takes its service's mean; a booked visitor counts by their chance to come."""

    def __init__(self, stats: ServiceStats) -> None:
        self.stats = stats
        # the expected check-in of someone not seen yet is never before slot + mean offset
        self.lead_min = -stats.booked_offset_mean_min

    def taken(self, service_id: str) -> float:
        return self.stats.mean(service_id)

    def comes(self, joiner: Joiner) -> tuple[float, float] | None:
        """At the expected check-in (given they have not come yet), counting by their chance."""
        lowest, spread = _still_to_come(joiner, self.stats)
        survive = 1 - _NORMAL.cdf(lowest)
        shift = _NORMAL.pdf(lowest) / survive if survive > 1e-9 else lowest
        at = joiner.slot_min + self.stats.booked_offset_mean_min + spread * shift
        return max(0.0, at), joiner.chance


class _Stratified:
    """Run `run` of `runs`: 128 numbers, number k in stratum perm_k(run) of `runs` equal strata
    of [0, 1); then random.Random(seed * 1_000_003 + run) after 128 numbers."""

    def __init__(self, seed: int, runs: int, run: int) -> None:
        shuffler = random.Random(f"strata/{seed}/{runs}")
        order = list(range(runs))
        self.tape = []
        for _ in range(128):
            shuffler.shuffle(order)
            numbers = [(stratum + shuffler.random()) / runs for stratum in order]
            self.tape.append(numbers[run])
        self.after = random.Random(seed * 1_000_003 + run)
        for _ in range(128):
            self.after.random()
        self.used = 0

    def random(self) -> float:
        self.used += 1
        return self.tape[self.used - 1] if self.used <= len(self.tape) else self.after.random()


class _Sampled:
    """Log-normal service times; a booked visitor comes or does not, at a random time.

    One object draws all runs of an estimate; each run has a generator of its own
    (`begin`), so what a run draws does not depend on how far earlier runs went.
    """

    def __init__(self, stats: ServiceStats, state: QueueState, counters: Sequence[Counter]) -> None:
        self.stats = stats
        self.begin(0)
        # three spreads: the rare earlier check-in (one in 700) joins the run a little late
        self.lead_min = 3 * stats.booked_offset_sd_min - stats.booked_offset_mean_min
        self._shape: dict[str, tuple[float, float]] = {}
        # id(joiner) -> (lowest, spread, share below lowest); see _still_to_come()
        self._late: dict[int, tuple[float, float, float]] = {}
        self._busy = [self._case(c.id, state) for c in counters]

    def _params(self, service_id: str) -> tuple[float, float]:
        found = self._shape.get(service_id)
        if found is None:
            found = lognormal_params(self.stats.mean(service_id), self.stats.cv_of(service_id))
            self._shape[service_id] = found
        return found

    def _case(self, counter_id: str, state: QueueState) -> tuple[float, float, float, float] | None:
        """(mu, sigma, elapsed minutes, share of such cases over by now) of a counter's case."""
        running = state.running.get(counter_id)
        if running is not None:
            mu, sigma = self._params(running.service_id)
            elapsed = running.elapsed_min
        else:
            busy = state.busy_for_min.get(counter_id, 0.0)
            if busy <= 0:
                return None
            mu, sigma = lognormal_params(busy, self.stats.default_cv)
            elapsed = 0.0
        done = _NORMAL.cdf((math.log(elapsed) - mu) / sigma) if elapsed > 0 else 0.0
        return mu, sigma, elapsed, done

    def begin(self, run: int) -> None:
        """Start run number `run` with its own numbers."""
        self.rng = _Stratified(self.stats.seed, max(1, self.stats.samples), run)

    def free_at(self) -> list[float]:
        """Minutes until each counter is free: the rest of a log-normal case that has run so far."""
        found = []
        for case in self._busy:
            if case is None:
                found.append(0.0)
                continue
            mu, sigma, elapsed, done = case
            u = min(done + (1 - done) * self.rng.random(), 1 - 1e-12)
            total = math.exp(mu + sigma * _NORMAL.inv_cdf(u)) if u > 0 else 0.0
            found.append(max(0.0, total - elapsed))
        return found

    def taken(self, service_id: str) -> float:
        mu, sigma = self._params(service_id)
        u = self.rng.random()
        return math.exp(mu + sigma * _NORMAL.inv_cdf(u if u > 0.0 else 1e-12))

    def comes(self, joiner: Joiner) -> tuple[float, float] | None:
        shows, when = self.rng.random(), self.rng.random()
        if shows >= joiner.chance:
            return None
        known = self._late.get(id(joiner))
        if known is None:
            lowest, spread = _still_to_come(joiner, self.stats)
            known = self._late[id(joiner)] = (lowest, spread, _NORMAL.cdf(lowest))
        lowest, spread, done = known
        u = min(done + (1 - done) * when, 1 - 1e-12)
        z = _NORMAL.inv_cdf(u) if u > 0 else lowest
        return max(0.0, joiner.slot_min + self.stats.booked_offset_mean_min + spread * z), 1.0


def estimate_waits(
    state: QueueState, now: datetime, stats: ServiceStats, *, wanted: Collection[str] | None = None
) -> dict[str, Estimate]:
    """Run the policy forward; one Estimate per waiting ticket that a working counter can serve.

    `wanted`: only these tickets' estimates, the same as without it, but the
    sampled runs stop once those are called (the simulator scores one ticket
    per check-in).

    The order of calls (the position) comes from a run with expected service
    times. The minutes are mostly the densest window's centre of `stats.samples` runs with
    sampled times, for the first `stats.sample_positions` tickets: service
    times are skewed, so that centre is nearer the real call than the run with
    mean times, and it weighs correctly that the first of several busy clerks
    is free sooner than any one of them. Beyond those (or with samples = 0)
    the run with mean times, scaled by `stats.pace`. The sampled runs see only
    the first 2 x `sample_positions` tickets of the queue.
    """
    rules = state.rules
    counters = _working_counters(state.counters)
    counts = open_counts(counters)
    terms = [counter_terms(c, counters, rules, stats.configured_min, counts=counts) for c in counters]
    order = CallOrder(terms=terms, rules=rules, origin=now)
    front = order.emptied()
    order.fill(state.waiting)
    joiners = sorted((_joiner(b, i, now, rules) for i, b in enumerate(state.upcoming)), key=lambda j: j.slot_min)
    expected = forward_run(
        order=order, free_at=[state.busy_for_min.get(c.id, 0.0) for c in counters], joiners=joiners,
        origin=now, draws=_Expected(stats), scope={t.id for t in state.waiting if t.state is TicketState.WAITING},
    )
    points = {ticket_id: at * stats.pace for ticket_id, at in expected.items()}
    in_line = list(expected)
    scope = [t for t in in_line[: stats.sample_positions] if wanted is None or t in wanted]
    if stats.samples > 0 and scope:
        # Those far back in line hardly change when the first ones are called; leaving
        # them out keeps the sampled runs short however long the queue grows.
        ahead = set(in_line[: 2 * stats.sample_positions])
        front.fill(t for t in state.waiting if t.id in ahead)
        sampled = _sampled_points(state, scope, front, joiners, now, stats)
        keep = stats.sampled_weight
        points |= {ticket_id: keep * minutes + (1 - keep) * points[ticket_id] for ticket_id, minutes in sampled.items()}
    result: dict[str, Estimate] = {}
    for position, ticket_id in enumerate(expected, start=1):
        if wanted is not None and ticket_id not in wanted:
            continue
        low, high = _band(points[ticket_id], stats)
        result[ticket_id] = Estimate(ticket_id, position, points[ticket_id], low, high)
    return result


def _sampled_points(
    state: QueueState, scope: list[str], order: CallOrder, joiners: list[Joiner], now: datetime, stats: ServiceStats
) -> dict[str, float]:
    """Median minutes until the call over runs with sampled times, for the tickets in `scope`.

    The seed is fixed: the same queue gives the same estimate, and a queue a
    moment later is drawn with the same numbers, so estimates do not jitter.
    """
    draws = _Sampled(stats, state, _working_counters(state.counters))
    found: dict[str, list[float]] = {ticket_id: [] for ticket_id in scope}
    for run in range(stats.samples):
        draws.begin(run)
        calls = forward_run(
            order=order.copy(), free_at=draws.free_at(), joiners=joiners, origin=now, draws=draws, scope=found,
        )
        for ticket_id, minutes in found.items():
            if ticket_id in calls:
                minutes.append(calls[ticket_id])
    return {ticket_id: _densest_centre(minutes, stats.window_min) for ticket_id, minutes in found.items()
            if len(minutes) == stats.samples}


def _densest_centre(minutes: list[float], width: float) -> float:
    """The mean of the runs in the window of `width` minutes holding the most; ties: the mean of their means."""
    runs = sorted(minutes)
    windows = [[m for m in runs if start <= m <= start + width] for start in sorted(set(runs))]
    most = max(len(w) for w in windows)
    centres = [math.fsum(w) / len(w) for w in windows if len(w) == most]
    return math.fsum(centres) / len(centres)
