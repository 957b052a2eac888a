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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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


@dataclass(frozen=True)
class _Window:
    start: datetime
    end: datetime
    budget: timedelta


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


def _windows(spans: Iterable[tuple[datetime, datetime]], rules: SlotRules) -> list[_Window]:
    size = timedelta(minutes=rules.window_min)
    windows = []
    for span_start, span_end in spans:
        start = span_start
        while start < span_end:
            end = min(start + size, span_end)
            # Whole minutes, rounded down: a reserved share is a ceiling, never exceeded.
            minutes = int((end - start).total_seconds() // 60 * rules.share)
            windows.append(_Window(start, end, timedelta(minutes=minutes)))
            start = end
    return windows


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> timedelta:
    return max(timedelta(0), min(a_end, b_end) - max(a_start, b_start))


def _used(mine: Sequence[Booking], windows: list[_Window]) -> list[timedelta]:
    """Reserved time each window has already given to a counter's bookings."""
    return [
        sum((_overlap(b.start, b.end, w.start, w.end) for b in mine), timedelta(0)) for w in windows
    ]


def _fits(
    start: datetime, end: datetime, mine: Sequence[Booking], windows: list[_Window],
    used: list[timedelta],
) -> bool:
    if any(b.start < end and start < b.end for b in mine):
        return False
    for window, taken in zip(windows, used, strict=True):
        if window.start < end and start < window.end:
            if taken + _overlap(start, end, window.start, window.end) > window.budget:
                return False
    return True


def _reserved_left(windows: list[_Window], used: list[timedelta], start: datetime) -> timedelta:
    for window, taken in zip(windows, used, strict=True):
        if window.start <= start < window.end:
            return window.budget - taken
    return timedelta(0)


def _candidates(office: Office, service: Service) -> list[Counter]:
    # Primary skill first: a booking goes to the clerk who does this errand best.
    able = [c for c in office.counters if c.can_serve(service.id)]
    return sorted(able, key=lambda c: c.skills[service.id])


def _counters_for(
    *,
    start: datetime,
    end: datetime,
    counters: Sequence[Counter],
    by_counter: dict[str, list[Booking]],
    windows: list[_Window],
    service: Service,
    used: dict[str, list[timedelta]] | None = None,
) -> tuple[str, ...]:
    used = used if used is not None else {
        c.id: _used(by_counter.get(c.id, []), windows) for c in counters}
    fitting = [c for c in counters if _fits(start, end, by_counter.get(c.id, []), windows, used[c.id])]
    # Then the counter with most reserved time left, so bookings spread over counters.
    fitting.sort(key=lambda c: (c.skills[service.id], -_reserved_left(windows, used[c.id], start)))
    return tuple(c.id for c in fitting)


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
    spans = open_spans(office, day)
    windows = _windows(spans, rules)
    by_counter: dict[str, list[Booking]] = {}
    for booking in booked:
        by_counter.setdefault(booking.counter_id, []).append(booking)
    counters = _candidates(office, service)
    # computed once a day, not once per candidate start: a month of times stays cheap
    used = {c.id: _used(by_counter.get(c.id, []), windows) for c in counters}
    step, length = timedelta(minutes=service.slot_min), slot_length(service)
    slots = []
    for span_start, span_end in spans:
        start = span_start
        while start + length <= span_end:
            if start >= now:
                ids = _counters_for(
                    start=start,
                    end=start + length,
                    counters=counters,
                    by_counter=by_counter,
                    windows=windows,
                    service=service,
                    used=used,
                )
                if ids:
                    slots.append(Slot(start, start + length, ids))
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
    by_counter: dict[str, list[Booking]] = {}
    for booking in booked:
        by_counter.setdefault(booking.counter_id, []).append(booking)
    ids = _counters_for(
        start=start,
        end=end,
        counters=_candidates(office, service),
        by_counter=by_counter,
        windows=_windows(spans, rules),
        service=service,
    )
    if not ids:
        raise SlotUnavailable(
            f"no counter for {service.id} has reserved time left at {start.isoformat()}",
            service_id=service.id,
            start=start.isoformat(),
        )
    return Slot(start, end, ids)
