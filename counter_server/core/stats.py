"""Statistics from the event log: one office day's visits as facts without a person in them.

Pure: events in, facts out. A `Visit` keeps the errand, the counter, the hour of arrival
and the measured times of one visit, never a ticket id, a number, a name or a code, so
the facts outlive the deletion of tickets and contact data. `cells` groups facts into
the figures the reports and the open data show; `suppress` blanks cells too small to
publish (fewer than 5 visitors could point to a person).

Definitions (one place for each):
- arrival: `arrived_at` of the ticket (a kiosk's issue time for offline tickets);
- kind: `walk_in`; `booked` (checked in by the slot's start); `booked_late` (after it);
- wait: first call minus arrival; for a booked visitor first call minus
  max(slot, check-in), the part of the wait the office owes;
- service time: finish minus the last start (or the last call when never started);
- booked on time: first call within 5 minutes of max(slot, check-in);
- estimate error: actual wait minus the estimate shown at check-in (`eta_min` of
  `ticket.created`), in seconds; positive = waited longer than told;
- clerk: `staff_id` of the last call, start, finish or no-show that carried one (a staff
  account on shift); "" when only workstation tokens acted. Never a name;
- arrival minute: minutes after local midnight of the arrival (`arrived_min`) and of the
  booked slot (`slot_min`), so the simulator can replay a recorded day;
- outcome: `done`, `no_show` (called, did not come), `absent` (booked, never
  checked in), `cancelled`, `expired` (open at day end), `superseded` (a lost online
  check-in that an offline number replaced: not a visitor, not counted).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from .numbering import LEASED_FIRST

ON_TIME_S = 5 * 60
# booked visitors called within ON_TIME_S of max(slot, arrival) this often, or the report names
# the errand (issue 15's goal), once it has this many booked visits in the period
BOOKED_ON_TIME_GOAL = 0.95
MIN_BOOKED_FOR_HINT = 20
WITHIN_S = (15 * 60, 30 * 60)
MIN_PUBLISHED = 5
KINDS = ("walk_in", "booked", "booked_late")
GROUPS = ("office_day", "hour", "weekday", "service_id", "counter_id", "staff_id", "kind", "outcome")
# events whose `staff_id` names the clerk who served a visit
_CLERK_EVENTS = frozenset({"ticket.called", "ticket.started", "ticket.finished", "ticket.no_show"})


@dataclass(frozen=True)
class RawEvent:
    seq: int
    at: datetime
    type: str
    data: Mapping[str, Any]


class Visit(NamedTuple):
    """One visit's facts (a named tuple: a month of them is read and grouped per report)."""

    office_day: str
    hour: int
    service_id: str
    counter_id: str
    kind: str
    outcome: str
    weekday: int = 0
    transferred: int = 0
    parked: int = 0
    offline: int = 0
    wait_s: int | None = None
    service_s: int | None = None
    on_time: int | None = None
    eta_error_s: int | None = None
    staff_id: str = ""
    arrived_min: int | None = None
    slot_min: int | None = None

    def row(self) -> dict[str, Any]:
        return self._asdict()


@dataclass(frozen=True, order=True)
class Refusal:
    office_day: str
    hour: int
    service_id: str
    reason: str
    offline: int
    n: int

    def row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, order=True)
class OpenTime:
    """Seconds a counter was open within one local hour of the day."""

    office_day: str
    hour: int
    counter_id: str
    open_s: int

    def row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight: 23, 24 or 25 hours."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, round((later - earlier).total_seconds()))


@dataclass
class _Track:
    """One ticket followed through its events."""

    service_id: str
    kind: str
    arrived: datetime
    slot: datetime | None
    offline: bool
    eta_min: float | None
    counter_id: str = ""
    first_call: datetime | None = None
    calls: int = 0
    last_call: datetime | None = None
    started: datetime | None = None
    finished: datetime | None = None
    outcome: str = "expired"
    transferred: int = 0
    parked: int = 0
    staff_id: str = ""


def _offline(number: str) -> bool:
    digits = number[1:]
    return digits.isdigit() and int(digits) >= LEASED_FIRST


def _start(ticket: Mapping[str, Any], event: RawEvent) -> _Track:
    arrived = _dt(ticket.get("arrived_at")) or _dt(ticket.get("created_at")) or event.at
    eta = event.data.get("eta_min")
    return _Track(
        service_id=str(ticket["service_id"]),
        kind="walk_in" if ticket.get("kind") == "walk_in" else "booked",
        arrived=arrived,
        slot=_dt(ticket.get("appointment_at")),
        offline=_offline(str(ticket.get("number", ""))),
        eta_min=float(eta) if isinstance(eta, int | float) else None,
    )


def _called(t: _Track, e: RawEvent, counter: str | None) -> None:
    t.calls += 1
    t.first_call = t.first_call or e.at
    t.last_call = e.at
    t.counter_id = counter or t.counter_id


def _uncalled(t: _Track, e: RawEvent, counter: str | None) -> None:
    t.calls = max(0, t.calls - 1)
    if t.calls == 0:
        t.first_call = t.last_call = None


def _started(t: _Track, e: RawEvent, counter: str | None) -> None:
    t.started = e.at


def _closed(outcome: str) -> Callable[[_Track, RawEvent, str | None], None]:
    def close(t: _Track, e: RawEvent, counter: str | None) -> None:
        t.finished, t.outcome = e.at, outcome
        t.counter_id = counter or t.counter_id

    return close


def _reopened(t: _Track, e: RawEvent, counter: str | None) -> None:
    t.finished, t.outcome = None, "expired"


def _transferred(t: _Track, e: RawEvent, counter: str | None) -> None:
    t.transferred += 1


def _parked(t: _Track, e: RawEvent, counter: str | None) -> None:
    t.parked += 1


STEPS: dict[str, Callable[[_Track, RawEvent, str | None], None]] = {
    "ticket.called": _called,
    "ticket.recalled": lambda t, e, c: None,
    "ticket.uncalled": _uncalled,
    "ticket.started": _started,
    "ticket.finished": _closed("done"),
    "ticket.no_show": _closed("no_show"),
    "ticket.cancelled": _closed("cancelled"),
    "ticket.expired": _closed("expired"),
    "ticket.reopened": _reopened,
    "ticket.transferred": _transferred,
    "ticket.parked": _parked,
}


def _counter_of(data: Mapping[str, Any]) -> str | None:
    counter = data.get("counter")
    ticket = data.get("ticket") or {}
    if isinstance(counter, Mapping) and counter.get("id"):
        return str(counter["id"])
    return str(ticket["counter_id"]) if ticket.get("counter_id") else None


def follow_tickets(events: Iterable[RawEvent], start: datetime, end: datetime) -> list[_Track]:
    """Tickets created in [start, end), followed through every later event given."""
    tracks: dict[str, _Track] = {}
    for event in sorted(events, key=lambda e: e.seq):
        ticket = event.data.get("ticket")
        if not isinstance(ticket, Mapping):
            continue
        tid = str(ticket.get("id"))
        if event.type == "ticket.created":
            if start <= event.at < end:
                tracks[tid] = _start(ticket, event)
            continue
        track = tracks.get(tid)
        step = STEPS.get(event.type)
        if track is None or step is None:
            continue
        step(track, event, _counter_of(event.data))
        if event.type in _CLERK_EVENTS and event.data.get("staff_id"):
            track.staff_id = str(event.data["staff_id"])
        if event.type == "ticket.cancelled" and ticket.get("reason") == "superseded_offline":
            track.outcome = "superseded"
    return list(tracks.values())


def _minute(moment: datetime | None, tz: ZoneInfo, day: str) -> int | None:
    """Minutes after the office day's local midnight (may pass 1440 for a late slot)."""
    if moment is None:
        return None
    start = datetime.combine(date.fromisoformat(day), time(0), tz)
    return int((moment - start).total_seconds() // 60)


def _visit(t: _Track, tz: ZoneInfo, day: str) -> Visit:
    local = t.arrived.astimezone(tz)
    kind = t.kind
    owed_from = t.arrived
    on_time: int | None = None
    if kind == "booked" and t.slot is not None:
        if t.arrived > t.slot:
            kind = "booked_late"
        owed_from = max(t.slot, t.arrived)
    wait = _seconds(t.first_call, owed_from) if t.first_call else None
    if kind != "walk_in" and t.first_call is not None:
        on_time = int(wait is not None and wait <= ON_TIME_S)
    service: int | None = None
    if t.outcome == "done" and t.finished is not None:
        begun = t.started or t.last_call
        service = _seconds(t.finished, begun) if begun else None
    eta_error: int | None = None
    if t.eta_min is not None and t.first_call is not None:
        eta_error = round((t.first_call - t.arrived).total_seconds() - t.eta_min * 60)
    return Visit(
        office_day=day, hour=local.hour, weekday=local.weekday(), service_id=t.service_id,
        counter_id=t.counter_id, kind=kind, outcome=t.outcome, transferred=t.transferred,
        parked=t.parked, offline=int(t.offline), wait_s=wait, service_s=service, on_time=on_time,
        eta_error_s=eta_error, staff_id=t.staff_id, arrived_min=_minute(t.arrived, tz, day),
        slot_min=_minute(t.slot, tz, day),
    )


def _absent(appointments: Mapping[str, Mapping[str, Any]], tz: ZoneInfo, day: str) -> list[Visit]:
    """Booked visitors who never came, and cancelled bookings, at the hour of their slot."""
    visits = []
    for appointment in appointments.values():
        status = appointment.get("status")
        if status not in ("no_show", "cancelled"):
            continue
        slot = _dt(appointment.get("start"))
        if slot is None or slot.astimezone(tz).date().isoformat() != day:
            continue
        local = slot.astimezone(tz)
        visits.append(Visit(
            office_day=day, hour=local.hour, weekday=local.weekday(),
            service_id=str(appointment.get("service_id")), counter_id="", kind="booked",
            outcome="absent" if status == "no_show" else "cancelled", slot_min=_minute(slot, tz, day),
        ))
    return visits


def last_appointment_states(events: Iterable[RawEvent]) -> dict[str, Mapping[str, Any]]:
    """Each booking's last known state (id, service_id, start, status) from `appointment.changed`."""
    latest: dict[str, Mapping[str, Any]] = {}
    for event in sorted(events, key=lambda e: e.seq):
        appointment = event.data.get("appointment")
        if event.type == "appointment.changed" and isinstance(appointment, Mapping):
            latest[str(appointment.get("id"))] = appointment
    return latest


def day_visits(
    ticket_events: Iterable[RawEvent], appointment_events: Iterable[RawEvent], day: date, timezone: str
) -> list[Visit]:
    """Every visit of the office day, sorted: the rows the job stores."""
    tz = ZoneInfo(timezone)
    start, end = day_bounds(day, timezone)
    name = day.isoformat()
    visits = [
        _visit(t, tz, name) for t in follow_tickets(ticket_events, start, end) if t.outcome != "superseded"
    ]
    visits += _absent(last_appointment_states(appointment_events), tz, name)
    return sorted(visits)


def day_refusals(events: Iterable[RawEvent], day: date, timezone: str) -> list[Refusal]:
    """`checkin.refused` events of the day, counted per hour, errand and reason."""
    tz = ZoneInfo(timezone)
    start, end = day_bounds(day, timezone)
    counts: dict[tuple[int, str, str, int], int] = {}
    for event in events:
        if event.type != "checkin.refused" or not start <= event.at < end:
            continue
        key = (
            event.at.astimezone(tz).hour, str(event.data.get("service_id") or ""),
            str(event.data.get("reason")), int(bool(event.data.get("offline"))),
        )
        counts[key] = counts.get(key, 0) + 1
    return sorted(Refusal(day.isoformat(), h, s, r, o, n) for (h, s, r, o), n in counts.items())


def open_times(
    events: Iterable[RawEvent], before: Mapping[str, str], day: date, timezone: str,
    now: datetime | None = None,
) -> list[OpenTime]:
    """Seconds each counter was open per local hour, from `counter.state` events, up to `now`
    when the day is not over.

    `before` is each counter's state when the day began (its last event before).
    """
    tz = ZoneInfo(timezone)
    start, end = day_bounds(day, timezone)
    if now is not None:
        end = max(start, min(end, now))
    state = dict(before)
    since = {cid: start for cid in state}
    totals: dict[tuple[int, str], int] = {}

    def add(cid: str, until: datetime) -> None:
        if state.get(cid) != "open":
            return
        moment = since.get(cid, start)
        while moment < until:
            # in UTC: the office's hours start on whole UTC hours (zones offset by whole hours)
            hour_end = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            step_end = min(until, hour_end)
            key = (moment.astimezone(tz).hour, cid)
            totals[key] = totals.get(key, 0) + round((step_end - moment).total_seconds())
            moment = step_end

    for event in sorted(events, key=lambda e: e.seq):
        counter = event.data.get("counter")
        if event.type != "counter.state" or not isinstance(counter, Mapping):
            continue
        if not start <= event.at < end:
            continue
        cid = str(counter.get("id"))
        add(cid, event.at)
        state[cid], since[cid] = str(counter.get("state")), event.at
    for cid in state:
        add(cid, end)
    return sorted(OpenTime(day.isoformat(), h, c, s) for (h, c), s in totals.items() if s > 0)


# --- figures over any grouping --------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of sorted-or-not values; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _share(flags: Sequence[int]) -> float | None:
    return sum(flags) / len(flags) if flags else None


CELL_FIGURES = (
    "visitors", "walk_in", "booked", "booked_late", "no_show", "cancelled", "transferred",
    "parked", "offline", "served", "wait_mean_min", "wait_median_min", "wait_p90_min",
    "wait_max_min", "service_mean_min", "service_median_min", "within_15_share",
    "within_30_share", "booked_on_time_share", "eta_error_mean_min", "eta_error_abs_mean_min",
)


def _minutes(value: float | None) -> float | None:
    return None if value is None else round(value / 60, 1)


@dataclass
class _Tally:
    """The counts and measured times of one cell, gathered in one pass."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CELL_FIGURES[:10], 0))
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    on_time: list[int] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)

    def add(self, v: Visit) -> None:
        counts, outcome = self.counts, v.outcome
        if outcome == "absent" or outcome == "cancelled":
            counts["no_show" if outcome == "absent" else "cancelled"] += 1
            return
        counts["visitors"] += 1
        counts["walk_in" if v.kind == "walk_in" else "booked"] += 1
        counts["booked_late"] += v.kind == "booked_late"
        counts["no_show"] += outcome == "no_show"
        counts["served"] += outcome == "done"
        counts["transferred"] += v.transferred > 0
        counts["parked"] += v.parked > 0
        counts["offline"] += v.offline
        if v.wait_s is not None and outcome != "no_show":
            self.waits.append(float(v.wait_s))
        if v.service_s is not None:
            self.services.append(float(v.service_s))
        if v.on_time is not None:
            self.on_time.append(v.on_time)
        if v.eta_error_s is not None:
            self.errors.append(float(v.eta_error_s))


def figures(visits: Iterable[Visit]) -> dict[str, Any]:
    """The figures of one cell of visits."""
    tally = _Tally()
    for visit in visits:
        tally.add(visit)
    waits = sorted(tally.waits)
    share = {s: _share([int(w <= s) for w in waits]) for s in WITHIN_S}
    errors = tally.errors
    return {
        **tally.counts,
        "wait_mean_min": _minutes(_mean(waits)),
        "wait_median_min": _minutes(percentile(waits, 50)),
        "wait_p90_min": _minutes(percentile(waits, 90)),
        "wait_max_min": _minutes(waits[-1] if waits else None),
        "service_mean_min": _minutes(_mean(tally.services)),
        "service_median_min": _minutes(percentile(tally.services, 50)),
        "within_15_share": share[WITHIN_S[0]],
        "within_30_share": share[WITHIN_S[1]],
        "booked_on_time_share": _share(tally.on_time),
        "eta_error_mean_min": _minutes(_mean(errors)),
        "eta_error_abs_mean_min": _minutes(_mean([abs(e) for e in errors])),
    }


def cells(visits: Iterable[Visit], by: Sequence[str]) -> list[dict[str, Any]]:
    """Figures per group of `by` (names of Visit fields in GROUPS), sorted by the group."""
    unknown = [name for name in by if name not in GROUPS]
    if unknown:
        raise ValueError(f"cannot group by {', '.join(unknown)}")
    groups: dict[tuple[Any, ...], list[Visit]] = {}
    indexes = [Visit._fields.index(name) for name in by]
    for visit in visits:
        groups.setdefault(tuple([visit[i] for i in indexes]), []).append(visit)
    return [
        {**dict(zip(by, key, strict=True)), **figures(group)}
        for key, group in sorted(groups.items(), key=lambda item: tuple(str(k) for k in item[0]))
    ]


def suppress(cell: Mapping[str, Any], minimum: int = MIN_PUBLISHED) -> dict[str, Any]:
    """A cell fit to publish: counts below `minimum` become None, and so do figures of a
    cell with fewer than `minimum` visitors (a wait of one person is that person's wait)."""
    out = dict(cell)
    small = int(cell.get("visitors") or 0) < minimum
    for name in CELL_FIGURES:
        if name not in out:
            continue
        value = out[name]
        if isinstance(value, int) and not isinstance(value, bool) and name in _COUNTS:
            if 0 < value < minimum:
                out[name] = None
        elif small:
            out[name] = None
    return out


_COUNTS = frozenset(CELL_FIGURES[:10])


def errands_late_for_booked(cells: Iterable[Mapping[str, Any]], takers: Mapping[str, int]) -> list[tuple[str, float, int]]:
    """(errand, booked on-time share, counters doing it) for every errand per-errand `cells` show
    below BOOKED_ON_TIME_GOAL with at least MIN_BOOKED_FOR_HINT booked visits; fewest counters first."""
    found = [
        (str(c["service_id"]), float(share), takers.get(str(c["service_id"]), 0))
        for c in cells
        if (share := c.get("booked_on_time_share")) is not None and share < BOOKED_ON_TIME_GOAL
        and (c.get("booked") or 0) >= MIN_BOOKED_FOR_HINT
    ]
    return sorted(found, key=lambda row: (row[2], row[1]))
