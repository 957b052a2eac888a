"""Bookable appointment start times from the office's real capacity.

Each counter keeps a share of its open time for booked visitors; the rest stays
for walk-ins. The share holds inside every window of `window_min` minutes from
the start of each opening span (not just over the whole day), so bookings cannot
pile up in one morning hour and leave the walk-in queue without counters. A
booking takes `slot_min * slots` minutes on one counter that has the skill, never
overlaps another booking of that counter, and never runs past a span's end,
so a lunch break (the gap between two spans) is never booked.

All times here are aware datetimes; arithmetic happens in UTC so DST days have
their real length.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from . import hours
from .errors import Conflict
from .model import Counter, Office, Service


class SlotUnavailable(Conflict):
    """The requested start time is not (or no longer) free for that service."""

    code = "slot_unavailable"


@dataclass(frozen=True)
class SlotRules:
    """How much of each counter's time is bookable (office.toml `[appointments]`)."""

    share: float = 0.5
    window_min: int = 120

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError("share must be between 0 and 1")
        if not 15 <= self.window_min <= 24 * 60:
            raise ValueError("window_min must be between 15 and 1440")


@dataclass(frozen=True)
class Booking:
    """Time a counter has already given to an appointment."""

    counter_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Slot:
    """A free start time and the counters that could take it, best first."""

    start: datetime
    end: datetime
    counter_ids: tuple[str, ...]


def slot_length(service: Service) -> timedelta:
    return timedelta(minutes=service.slot_min * service.slots)


def open_spans(office: Office, day: date) -> list[tuple[datetime, datetime]]:
    """The day's opening spans as UTC instants; empty on closed days."""
    zone = ZoneInfo(office.timezone)
    noon = datetime.combine(day, time(12), tzinfo=zone)
    spans = []
    for interval in hours.intervals_on(office.hours, noon):
        start = datetime.combine(day, interval.start, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day, interval.end, tzinfo=zone).astimezone(UTC)
        if end > start:
            spans.append((start, end))
    return sorted(spans)


# a counter's bookings of one day as (start, end) in microseconds since the epoch, sorted by start
Busy = Mapping[str, Sequence[tuple[int, int]]]


def busy_of(booked: Iterable[Booking]) -> dict[str, list[tuple[int, int]]]:
    """`Busy` from bookings."""
    busy: dict[str, list[tuple[int, int]]] = {}
    for booking in booked:
        busy.setdefault(booking.counter_id, []).append((_us(booking.start), _us(booking.end)))
    for mine in busy.values():
        mine.sort()
    return busy


class _DayPlan:
    """One day's reserved capacity per counter, in whole microseconds since the epoch.

    Built once a day: every bookings list is sorted with the running maximum of its ends,
    so "does this start overlap a booking" is one bisect, and every window knows how much
    of its budget each counter has already given, so a candidate start costs a few compares.
    """

    def __init__(self, windows: list[tuple[int, int, int]], counters: Sequence[Counter], busy: Busy) -> None:
        self.starts = [w[0] for w in windows]
        self.ends = [w[1] for w in windows]
        self.budgets = [w[2] for w in windows]
        self.busy = {c.id: _Busy(busy.get(c.id, ())) for c in counters}
        self.used = {c.id: self._used(busy.get(c.id, ())) for c in counters}

    def _used(self, bookings: Sequence[tuple[int, int]]) -> list[int]:
        """Reserved time each window has already given to one counter's bookings (sorted by start)."""
        starts, ends = self.starts, self.ends
        used, count, first = [0] * len(starts), len(starts), 0
        for start, end in bookings:
            while first < count and ends[first] <= start:
                first += 1  # later bookings begin later: this window is behind them all
            index = first
            while index < count and starts[index] < end:
                used[index] += min(end, ends[index]) - max(start, starts[index])
                index += 1
        return used

    def fits(self, counter_id: str, start: int, end: int, first: int) -> bool:
        """Free on that counter and within the reserved share of every window it touches;
        `first` is the window `start` lies in (`window_of`)."""
        busy = self.busy[counter_id]
        before = bisect_left(busy.starts, end)  # bookings that begin before `end`
        if before > 0 and busy.reach[before - 1] > start:
            return False
        used, starts, ends, budgets = self.used[counter_id], self.starts, self.ends, self.budgets
        index = first
        while index < len(starts) and starts[index] < end:
            w_start, w_end = starts[index], ends[index]
            if start < w_end and used[index] + min(end, w_end) - max(start, w_start) > budgets[index]:
                return False
            index += 1
        return True

    def window_of(self, start: int) -> int:
        return max(0, bisect_right(self.starts, start) - 1)

    def reserved_left(self, counter_id: str, start: int) -> int:
        index = bisect_right(self.starts, start) - 1
        if index >= 0 and start < self.ends[index]:
            return self.budgets[index] - self.used[counter_id][index]
        return 0

    def counters_for(self, start: int, end: int, counters: Sequence[Counter], service: Service) -> tuple[str, ...]:
        first = self.window_of(start)
        fitting = [c for c in counters if self.fits(c.id, start, end, first)]
        if len(fitting) > 1:
            # Then the counter with most reserved time left, so bookings spread over counters.
            fitting.sort(key=lambda c: (c.skills[service.id], -self.reserved_left(c.id, start)))
        return tuple(c.id for c in fitting)


class _Busy:
    """A counter's bookings of one day, sorted by start, with the running maximum of their ends."""

    def __init__(self, bookings: Sequence[tuple[int, int]]) -> None:
        self.starts = [start for start, _ in bookings]
        self.reach = list(accumulate((end for _, end in bookings), max))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICRO


def _at(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _windows(spans: Iterable[tuple[datetime, datetime]], rules: SlotRules) -> list[tuple[int, int, int]]:
    """(start, end, reserved budget) of every window, in microseconds."""
    size = timedelta(minutes=rules.window_min)
    windows = []
    for span_start, span_end in spans:
        start = span_start
        while start < span_end:
            end = min(start + size, span_end)
            # Whole minutes, rounded down: a reserved share is a ceiling, never exceeded.
            minutes = int((end - start).total_seconds() // 60 * rules.share)
            windows.append((_us(start), _us(end), minutes * 60_000_000))
            start = end
    return windows


def candidates(office: Office, service: Service) -> list[Counter]:
    """The counters that can take `service`; primary skill first: a booking goes to the clerk
    who does this errand best."""
    able = [c for c in office.counters if c.can_serve(service.id)]
    return sorted(able, key=lambda c: c.skills[service.id])


def free_slots(
    *,
    office: Office,
    service: Service,
    day: date,
    booked: Iterable[Booking],
    rules: SlotRules,
    now: datetime,
) -> list[Slot]:
    """Every start time on `day` (the office's local date) still bookable for `service`."""
    return free_slots_busy(office=office, service=service, day=day, busy=busy_of(booked), rules=rules, now=now)


def free_slots_busy(
    *,
    office: Office,
    service: Service,
    day: date,
    busy: Busy,
    rules: SlotRules,
    now: datetime,
    counters: Sequence[Counter] | None = None,
) -> list[Slot]:
    """`free_slots` from the counters' time already given as `Busy` (a month reads it at once);
    `counters` is `candidates(office, service)` when the caller has it already."""
    spans = open_spans(office, day)
    if not spans:
        return []
    able = candidates(office, service) if counters is None else counters
    plan = _DayPlan(_windows(spans, rules), able, busy)
    length_td = slot_length(service)
    step, length = timedelta(minutes=service.slot_min) // _MICRO, length_td // _MICRO
    earliest = _us(now)
    slots = []
    for span_start, span_end in spans:
        start, last = _us(span_start), _us(span_end) - length
        if start < earliest:
            start += -(-(earliest - start) // step) * step  # the first start on the grid not past
        while start <= last:
            ids = plan.counters_for(start, start + length, able, service)
            if ids:
                begins = _at(start)
                slots.append(Slot(begins, begins + length_td, ids))
            start += step
    return slots


def choose_counter(
    *,
    office: Office,
    service: Service,
    start: datetime,
    booked: Iterable[Booking],
    rules: SlotRules,
    now: datetime,
) -> Slot:
    """The slot at `start` with the counter a new booking goes to first, or SlotUnavailable."""
    day = start.astimezone(ZoneInfo(office.timezone)).date()
    for slot in free_slots(
        office=office, service=service, day=day, booked=booked, rules=rules, now=now
    ):
        if slot.start == start:
            return slot
    raise SlotUnavailable(
        f"{start.isoformat()} is not a free start time for {service.id}",
        service_id=service.id,
        start=start.isoformat(),
    )


def place_booking(
    *,
    office: Office,
    service: Service,
    start: datetime,
    length: timedelta,
    booked: Iterable[Booking],
    rules: SlotRules,
) -> Slot:
    """Fit a booking made elsewhere (any start, any length) into reserved capacity.

    Unlike `choose_counter` the start need not lie on the service's grid, because
    an outside booking system keeps its own; the reserved share still holds.
    """
    day = start.astimezone(ZoneInfo(office.timezone)).date()
    spans = open_spans(office, day)
    end = start + length
    if not any(s <= start and end <= e for s, e in spans):
        raise SlotUnavailable(
            f"{start.isoformat()} is outside the opening hours",
            service_id=service.id,
            start=start.isoformat(),
        )
    counters = candidates(office, service)
    plan = _DayPlan(_windows(spans, rules), counters, busy_of(booked))
    ids = plan.counters_for(_us(start), _us(end), counters, service)
    if not ids:
        raise SlotUnavailable(
            f"no counter for {service.id} has reserved time left at {start.isoformat()}",
            service_id=service.id,
            start=start.isoformat(),
        )
    return Slot(start, end, ids)
