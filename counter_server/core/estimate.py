"""Waiting-time estimates: the queue policy itself, run forward over the current queue.

The forward runs (forward.py) use the counters' state, the case each busy
clerk is on, the booked visitors still to come and service times learned from
the day's finished tickets: one run with mean times gives the calling order,
runs with sampled times give the minutes (see estimate_waits). The band around
the point estimate widens with the square root of the wait, the way a sum of
independent service times does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from itertools import chain
from operator import attrgetter
from statistics import NormalDist, median
from typing import NamedTuple

from .call_order import CallOrder
from .forward import Joiner, forward_run, lognormal_params
from .kept import Kept
from .model import Counter, CounterState, Priority, Service, Ticket, TicketKind, TicketState
from .policy import CounterTerms, Rules, counter_terms, open_counts
from .run_guard import GuardPlan

_NORMAL = NormalDist()


class Estimate(NamedTuple):
    """Where a waiting ticket stands: its place in the calling order (1 = next) and minutes until its call.

    A named tuple, immutable as a frozen dataclass, as it is made for every waiting
    ticket on every estimate and costs a quarter of one to make.
    """

    ticket_id: str
    position: int
    minutes: float
    low: float
    high: float


class Upcoming(NamedTuple):
    """A booked visitor who has not checked in yet.

    A named tuple (see Estimate): every estimate is given one per booking of the next hours.
    """

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
    # counter id -> the case its clerk is on; see running_cases()
    running: Mapping[str, Running] = field(default_factory=dict)


@dataclass(frozen=True)
class Running:
    """The case a clerk is on: its service and minutes since the call."""

    service_id: str
    elapsed_min: float


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
    # runs with sampled service times whose densest window gives the estimate (0: mean
    # times only), for the first `sample_positions` tickets in line; see densest_centre()
    samples: int = 8
    # the width of that window: the estimate aims to be within half of it of the call
    window_min: float = 10.0
    sample_positions: int = 40
    # The centre of a few runs is itself noisy: the estimate leans this much on it
    # and the rest on the run with mean times (bench/RESULTS.md).
    sampled_weight: float = 0.8
    seed: int = 1
    # booked visitors check in at slot + offset, offset normal with this mean and spread
    booked_offset_mean_min: float = -5.0
    booked_offset_sd_min: float = 5.0

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
    "finish" click (a two-hour ticket) from doubling the day's figure. The sums
    are exact (`math.fsum`): the figures depend on which minutes there are, not
    on their order, so a list kept up to date visit by visit learns what a list
    read anew would.
    """
    mid = median(minutes)
    clipped = [min(max(m, mid / 4), mid * 4) for m in minutes]
    n = len(clipped)
    total = math.fsum(clipped)
    mean = (prior_weight * prior_mean + total) / (prior_weight + n)
    if n < 2:
        return mean, prior_cv
    sample_mean = total / n
    variance = math.fsum((m - sample_mean) ** 2 for m in clipped) / (n - 1)
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
            add_visit(per_service, ticket.service_id, ticket.called_at, ticket.finished_at)
    return stats_from_minutes(per_service=per_service, config=config, prior_weight=prior_weight)


def add_visit(per_service: dict[str, list[float]], service_id: str, called_at: datetime, finished_at: datetime) -> None:
    """One finished visit's minutes (call to finish) into `per_service`, when it took any time."""
    took = (finished_at - called_at).total_seconds() / 60
    if took > 0:
        per_service.setdefault(service_id, []).append(took)


def stats_from_minutes(
    *, per_service: Mapping[str, Sequence[float]], config: ServiceStats, prior_weight: float = 5.0,
    memo: dict[str, tuple[int, tuple[float, float]]] | None = None,
) -> ServiceStats:
    """`learn_stats` from the minutes each finished ticket took, per service.

    `memo` (service id -> (how many minutes, their mean and cv)), for lists that only
    grow between calls, as the simulator's do: a service with no new minutes is not
    worked out again. The same config and prior weight must come with the same memo.
    """
    means = dict(config.mean_min)
    cvs = dict(config.cv)
    for service_id, durations in per_service.items():
        if not durations:
            continue
        known = memo.get(service_id) if memo is not None else None
        if known is not None and known[0] == len(durations):
            learned = known[1]
        else:
            learned = _robust_mean_cv(durations, config.mean(service_id), config.cv_of(service_id), prior_weight)
            if memo is not None:
                memo[service_id] = (len(durations), learned)
        means[service_id], cvs[service_id] = learned
    return replace(config, mean_min=means, cv=cvs)


def remaining_min(*, service_id: str, elapsed_min: float, stats: ServiceStats) -> float:
    """Expected minutes still needed by a ticket called `elapsed_min` ago.

    Service times are close to log-normal: a ticket that has already run long
    is likely a long one, so the remaining time never drops to zero.
    """
    mean = stats.mean(service_id)
    if elapsed_min <= 0:
        return mean
    return _rest(mean, *lognormal_params(mean, stats.cv_of(service_id)), elapsed_min)


def _rest(mean: float, mu: float, sigma: float, elapsed_min: float) -> float:
    """`remaining_min` for a service of that mean and log-normal shape, `elapsed_min` > 0."""
    d = (mu - math.log(elapsed_min)) / sigma
    survive = _phi(d)
    if survive < 1e-9:
        return mean * 0.1
    return max(mean * _phi(d + sigma) / survive - elapsed_min, mean * 0.05)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


_AT_A_COUNTER = frozenset((TicketState.CALLED, TicketState.SERVING))


def running_cases(*, calls: Iterable[Ticket], now: datetime) -> dict[str, Running]:
    """Counter id -> the case its clerk is on, from the tickets called or being served."""
    found: dict[str, Running] = {}
    at_a_counter = _AT_A_COUNTER  # a local: one lookup, not two enum attributes per ticket
    for ticket in calls:
        if ticket.state in at_a_counter and ticket.counter_id:
            began = ticket.called_at or ticket.started_at or now
            found[ticket.counter_id] = Running(ticket.service_id, (now - began).total_seconds() / 60)
    return found


def busy_for(*, calls: Iterable[Ticket], now: datetime, stats: ServiceStats) -> dict[str, float]:
    """Counter id -> expected minutes until free, from the tickets called or being served."""
    return _busy_for(running_cases(calls=calls, now=now), stats)


def _busy_for(running: Mapping[str, Running], stats: ServiceStats) -> dict[str, float]:
    return {
        counter_id: remaining_min(service_id=case.service_id, elapsed_min=case.elapsed_min, stats=stats)
        for counter_id, case in running.items()
    }


def queue_state(
    *,
    waiting: Sequence[Ticket],
    calls: Iterable[Ticket],
    counters: Sequence[Counter],
    now: datetime,
    stats: ServiceStats,
    rules: Rules,
    upcoming: Sequence[Upcoming] = (),
) -> QueueState:
    """The office as the estimate sees it, from the waiting and the called tickets.

    One way for the server and the simulator to build it, so a simulated estimate
    is the server's estimate.
    """
    running = running_cases(calls=calls, now=now)  # one pass over the open tickets, not two
    return QueueState(
        waiting=waiting,
        counters=counters,
        busy_for_min=_busy_for(running, stats),
        rules=rules,
        upcoming=upcoming,
        running=running,
    )


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


def _joiners(upcoming: Sequence[Upcoming], now: datetime, rules: Rules) -> list[Joiner]:
    """One Joiner per booked visitor still to come, by slot (a plain loop: one per booking of the next hours)."""
    found = []
    for index, booked in enumerate(upcoming):
        slot_at = booked.appointment_at
        found.append(Joiner((slot_at - now).total_seconds() / 60, booked.show_probability,
                            partial(_stand_in, booked, index, now, rules), booked.service_id, slot_at))
    found.sort(key=_SLOT_MIN)  # stable, as sorted() was
    return found


_SLOT_MIN = attrgetter("slot_min")


def _still_to_come(joiner: Joiner, stats: ServiceStats) -> tuple[float, float]:
    """Where the check-in of a booked visitor not seen yet falls, in standard units: (lowest, spread).

    Visitors check in at slot + offset, offset normal; not having seen them by
    minute 0 means the offset is above -slot.
    """
    spread = max(stats.booked_offset_sd_min, 1e-6)
    return (-joiner.slot_min - stats.booked_offset_mean_min) / spread, spread


def _estimates(in_line: Iterable[str], points: Mapping[str, float], stats: ServiceStats,
               wanted: Collection[str] | None) -> dict[str, Estimate]:
    """An Estimate per ticket in calling order (of the `wanted` only, if given), with its band:
    point +- band_z * band_spread * sqrt(point + band_floor_min), never below zero.
    One loop with the constants taken out: a long queue makes 800 of them per estimate."""
    result: dict[str, Estimate] = {}
    spread, floor, sqrt = stats.band_z * stats.band_spread, stats.band_floor_min, math.sqrt
    for position, ticket_id in enumerate(in_line, start=1):
        if wanted is not None and ticket_id not in wanted:
            continue
        minutes = points[ticket_id]
        half = spread * sqrt(minutes + floor)
        low = minutes - half
        result[ticket_id] = Estimate(ticket_id, position, minutes, low if low > 0.0 else 0.0, minutes + half)
    return result


class _Expected:
    """Every ticket takes its service's mean; a booked visitor counts by their chance to come."""

    def __init__(self, stats: ServiceStats) -> None:
        self.stats = stats
        # the expected check-in of someone not seen yet is never before slot + mean offset
        self.lead_min = -stats.booked_offset_mean_min
        # the run asks this once per call: the bound method, not a method calling it
        self.taken: Callable[[str], float] = stats.mean

    def comes(self, joiner: Joiner) -> tuple[float, float] | None:
        """At the expected check-in (given they have not come yet), counting by their chance."""
        lowest, spread = _still_to_come(joiner, self.stats)
        survive = 1 - _NORMAL.cdf(lowest)
        shift = _NORMAL.pdf(lowest) / survive if survive > 1e-9 else lowest
        at = joiner.slot_min + self.stats.booked_offset_mean_min + spread * shift
        return max(0.0, at), joiner.chance


# how many draws of each run are kept on its tape (a run of the standard day draws ~35)
_TAPE_DRAWS = 128
# (seed, runs) -> per run: (its first _TAPE_DRAWS numbers, its generator's state after them); see _tapes()
_TAPES: dict[tuple[int, int], list[tuple[tuple[float, ...], tuple[object, ...]]]] = {}


def _tapes(seed: int, runs: int) -> list[tuple[tuple[float, ...], tuple[object, ...]]]:
    """The kept start of each run's numbers, stratified across the runs, and where each goes on.

    Draw k of the `runs` runs falls once into each of `runs` equal strata of [0, 1), the
    runs' order shuffled anew for every k (a Latin hypercube). The k-th draw of a run
    is mostly the same thing in every run (counter i's rest of its case, the next call's
    time), so the runs spread over its range instead of clumping by chance: in the
    simulator, the median of 8 such runs is within 5 minutes of the call as often as that
    of 16 to 32 independent runs (bench/RESULTS.md, stop 31). Past the tape, run r goes on
    as random.Random(seed * 1_000_003 + r) after _TAPE_DRAWS draws.
    """
    found = _TAPES.get((seed, runs))
    if found is None:
        shuffler = random.Random(f"strata/{seed}/{runs}")
        columns = [[0.0] * _TAPE_DRAWS for _ in range(runs)]
        order = list(range(runs))
        for k in range(_TAPE_DRAWS):
            shuffler.shuffle(order)
            for run, stratum in enumerate(order):
                columns[run][k] = (stratum + shuffler.random()) / runs
        found = []
        for run in range(runs):
            after = random.Random(seed * 1_000_003 + run)
            for _ in range(_TAPE_DRAWS):
                after.random()
            found.append((tuple(columns[run]), after.getstate()))
        _TAPES[(seed, runs)] = found
    return found


def _drawn_on(state: tuple[object, ...]) -> Iterator[float]:
    """What a generator in `state` draws (its body runs only if a run draws past the tape)."""
    rng = random.Random.__new__(random.Random)
    rng.setstate(state)
    yield from iter(rng.random, None)  # random() never returns None: endless


class _Sampled:
    """Log-normal service times; a booked visitor comes or does not, at a random time.

    One object draws all runs of an estimate; each run has a generator of its own
    (`begin`), so what a run draws does not depend on how far earlier runs went.
    """

    def __init__(self, stats: ServiceStats, state: QueueState, counters: Sequence[Counter]) -> None:
        self.stats = stats
        self._tapes = _tapes(stats.seed, max(1, stats.samples))
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

    def _case(self, counter_id: str, state: QueueState) -> tuple[float, float, float, float, float] | None:
        """(mu, sigma, elapsed minutes, share of such cases over by now, the share not over) of a counter's case."""
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
        return mu, sigma, elapsed, done, 1 - done

    def begin(self, run: int) -> None:
        """Start run number `run`: its numbers are its tape (_tapes), then its own generator's.

        Every draw is one number, service times and check-ins included (by the inverse of
        their distribution), so that draw k holds its stratum in every run. Every estimate
        draws from the same few tapes, and a run draws a few dozen numbers: reading a kept
        tape costs a tenth of setting a generator's 625-word state per run.
        """
        numbers, after = self._tapes[run]
        self._draw = chain(numbers, _drawn_on(after)).__next__

    def free_at(self) -> list[float]:
        """Minutes until each counter is free: the rest of a log-normal case that has run so far."""
        found = []
        draw, inv_cdf, exp = self._draw, _NORMAL.inv_cdf, math.exp  # locals: once per counter and run
        for case in self._busy:
            if case is None:
                found.append(0.0)
                continue
            mu, sigma, elapsed, done, rest = case
            # min() and max() spelt out: the same values without two calls per counter and run
            u = done + rest * draw()
            if u > _BELOW_ONE:
                u = _BELOW_ONE
            total = exp(mu + sigma * inv_cdf(u)) if u > 0 else 0.0
            found.append(total - elapsed if total - elapsed > 0.0 else 0.0)
        return found

    def taken(self, service_id: str) -> float:
        """A log-normal service time from one number (its inverse distribution function)."""
        mu, sigma = self._shape.get(service_id) or self._params(service_id)
        u = self._draw()
        return math.exp(mu + sigma * _NORMAL.inv_cdf(u if u > 0.0 else _ABOVE_ZERO))

    def comes(self, joiner: Joiner) -> tuple[float, float] | None:
        draw = self._draw
        # two numbers whether they come or not: the runs' later draws stay in step
        shows, when = draw(), draw()
        if shows >= joiner.chance:
            return None
        known = self._late.get(id(joiner))
        if known is None:
            lowest, spread = _still_to_come(joiner, self.stats)
            known = self._late[id(joiner)] = (lowest, spread, _NORMAL.cdf(lowest))
        lowest, spread, done = known
        u = done + (1 - done) * when
        if u > _BELOW_ONE:
            u = _BELOW_ONE
        z = _NORMAL.inv_cdf(u) if u > 0 else lowest
        at = joiner.slot_min + self.stats.booked_offset_mean_min + spread * z
        return (at if at > 0.0 else 0.0), 1.0


# the largest share a draw is given, so that inv_cdf stays finite
_BELOW_ONE = 1 - 1e-12
_ABOVE_ZERO = 1e-12


def estimate_waits(
    state: QueueState, now: datetime, stats: ServiceStats, *, wanted: Collection[str] | None = None
) -> dict[str, Estimate]:
    """Run the policy forward; one Estimate per waiting ticket that a working counter can serve.

    `wanted`: only these tickets' estimates, the same as without it, but the
    sampled runs stop once those are called (the simulator scores one ticket
    per check-in).

    The order of calls (the position) comes from a run with expected service
    times. The minutes are mostly the centre of the densest window of the
    `stats.samples` runs with sampled times (densest_centre), for the first
    `stats.sample_positions` tickets: service times are skewed, so the runs'
    centre is nearer the real call than the run with mean times, and it weighs
    correctly that the first of several busy clerks is free sooner than any one of them. Beyond those (or with samples = 0)
    the run with mean times, scaled by `stats.pace`. The sampled runs see only
    the first 2 x `sample_positions` tickets of the queue.
    """
    rules = state.rules
    counters = _working_counters(state.counters)
    terms = _terms(counters, rules, stats.configured_min)
    order = CallOrder(terms=terms, rules=rules, origin=now)
    front = order.emptied()
    queued = order.fill_kept(state.waiting)
    joiners = _joiners(state.upcoming, now, rules)
    busy = [state.busy_for_min.get(c.id, 0.0) for c in counters]
    guard = None
    if rules.guard_slots or rules.adaptive_slots:
        # the counters of the runs check their picks against the slots ahead, as live ones do
        cases = [_case_at_origin(state.running.get(c.id)) for c in counters]
        guard = GuardPlan(counters=counters, terms=terms, rules=rules, origin=now, durations=dict(stats.configured_min),
                          expected_free=busy, expected=stats.mean, joiners=joiners, cases=cases,
                          rest=CaseRest(stats))
    scope_ids = _waiting_ids(state.waiting)
    least = 0
    ahead: set[str] | None = None
    if wanted is not None:
        # Past the wanted tickets, only who is among the first 2 x sample_positions in line
        # matters (the sampled runs' queue): the run may stop once both are known. In a
        # queue no longer than that, they are everyone queued at some counter, known already.
        if len(scope_ids) <= 2 * stats.sample_positions:
            ahead = queued
        else:
            least = 2 * stats.sample_positions
        scope_ids = scope_ids.intersection(wanted)
    expected = forward_run(
        order=order, free_at=busy, joiners=joiners, draws=_Expected(stats), scope=scope_ids, guard=guard, least=least,
    )
    points = {ticket_id: at * stats.pace for ticket_id, at in expected.items()}
    in_line = list(expected)
    scope = [t for t in in_line[: stats.sample_positions] if wanted is None or t in wanted]
    if stats.samples > 0 and scope:
        # Those far back in line hardly change when the first ones are called; leaving
        # them out keeps the sampled runs short however long the queue grows.
        if ahead is None:
            ahead = set(in_line[: 2 * stats.sample_positions])
        front.fill(t for t in state.waiting if t.id in ahead)
        sampled = _sampled_points(state, scope, front, joiners, now, stats, guard)
        keep = stats.sampled_weight
        points |= {ticket_id: keep * minutes + (1 - keep) * points[ticket_id] for ticket_id, minutes in sampled.items()}
    return _estimates(expected, points, stats, wanted)


def _case_at_origin(running: Running | None) -> tuple[str, float] | None:
    """(service id, the minute it began) of a counter's case, for the run's guard."""
    return None if running is None else (running.service_id, -running.elapsed_min)


class CaseRest:
    """remaining_min(service_id=, elapsed_min=, stats=) as a call of two numbers, the same floats.

    The run's guard asks it for every busy counter at most of its decisions (what a live
    counter's outlook expects left of their cases, busy_for): each service's log-normal
    shape is worked out once per estimate, not once per question.
    """

    def __init__(self, stats: ServiceStats) -> None:
        self.stats = stats
        self._shape: dict[str, tuple[float, float, float]] = {}  # service id -> (mean, mu, sigma)

    def __call__(self, service_id: str, elapsed_min: float) -> float:
        shape = self._shape.get(service_id)
        if shape is None:
            mean = self.stats.mean(service_id)
            shape = self._shape[service_id] = (mean, *lognormal_params(mean, self.stats.cv_of(service_id)))
        mean, mu, sigma = shape
        return mean if elapsed_min <= 0 else _rest(mean, mu, sigma, elapsed_min)


# each working counter's terms, for the same counters and rules (frozen objects) and configured minutes:
# one look-up per estimate instead of one per counter
_TERMS: Kept[list[CounterTerms]] = Kept(64)


def _terms(counters: list[Counter], rules: Rules, configured: Mapping[str, float]) -> list[CounterTerms]:
    known = _TERMS.get((rules, *counters), configured)
    if known is None:
        counts = open_counts(counters)
        terms = [counter_terms(c, counters, rules, configured, counts=counts) for c in counters]
        known = _TERMS.put((rules, *counters), terms, dict(configured))
    return known


def _waiting_ids(tickets: Sequence[Ticket]) -> set[str]:
    waiting = TicketState.WAITING  # looked up once: an enum member costs a lookup each time (Python 3.11)
    return {t.id for t in tickets if t.state is waiting}


def _sampled_points(
    state: QueueState, scope: list[str], order: CallOrder, joiners: list[Joiner], now: datetime, stats: ServiceStats,
    guard: GuardPlan | None,
) -> dict[str, float]:
    """Minutes until the call over runs with sampled times (densest_centre), for the tickets in `scope`.

    The seed is fixed: the same queue gives the same estimate, and a queue a
    moment later is drawn with the same numbers, so estimates do not jitter.
    """
    draws = _Sampled(stats, state, _working_counters(state.counters))
    found: dict[str, list[float]] = {ticket_id: [] for ticket_id in scope}
    for run in range(stats.samples):
        draws.begin(run)
        calls = forward_run(
            order=order.copy(), free_at=draws.free_at(), joiners=joiners, draws=draws, scope=found, guard=guard,
        )
        for ticket_id, minutes in found.items():
            if ticket_id in calls:
                minutes.append(calls[ticket_id])
    width = stats.window_min
    return {ticket_id: densest_centre(minutes, width) for ticket_id, minutes in found.items()
            if len(minutes) == stats.samples}


def densest_centre(minutes: Sequence[float], width: float) -> float:
    """The mean of the runs in the `width`-minute window that holds the most of them.

    An estimate is judged by how often the call falls within width / 2 of it, and the
    window holding the most runs is where the runs say the call most likely falls
    (bench/RESULTS.md, stop 33: within ±5 minutes more often than their median).
    Windows that hold equally many are averaged (their means), so an even spread
    gives its middle.
    Each window starts at a run; the runs are few (8), so the scan is short.
    """
    runs = sorted(minutes)
    count = len(runs)
    most, centres = 0, []
    last = 0
    for first in range(count):
        last = max(last, first)
        while last + 1 < count and runs[last + 1] - runs[first] <= width:
            last += 1
        held = last - first + 1
        if held >= most:
            centre = math.fsum(runs[first:last + 1]) / held
            if held > most:
                most, centres = held, [centre]
            else:
                centres.append(centre)
    return math.fsum(centres) / len(centres)
