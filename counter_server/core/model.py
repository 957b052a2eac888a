"""The domain of a town hall's counters: services, counters, tickets and the office.

Pure data. Nothing here reads the clock, the disk or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum


class TicketState(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    PARKED = "parked"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_TICKET_STATES = frozenset(
    {TicketState.WAITING, TicketState.CALLED, TicketState.SERVING, TicketState.PARKED}
)


class TicketKind(StrEnum):
    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"


class Priority(StrEnum):
    NORMAL = "normal"
    ASSIST = "assist"
    URGENT = "urgent"


class CounterState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


PRIMARY = 1
SECONDARY = 2


@dataclass(frozen=True)
class Service:
    """An errand a visitor comes for."""

    id: str
    names: dict[str, str]
    prefix: str
    duration_min: float
    walk_in: bool = True
    daily_walk_in_cap: int | None = None
    slot_min: int = 15
    slots: int = 1

    def name(self, lang: str, fallback: str = "de") -> str:
        return self.names.get(lang) or self.names.get(fallback) or next(iter(self.names.values()))


@dataclass(frozen=True)
class Counter:
    """A counter (Schalter) with the services its clerk can do: 1 primary, 2 secondary."""

    id: str
    label: str
    room: str = ""
    skills: dict[str, int] = field(default_factory=dict)
    state: CounterState = CounterState.CLOSED
    languages: tuple[str, ...] = ()

    def can_serve(self, service_id: str) -> bool:
        return service_id in self.skills

    def skill_level(self, service_id: str) -> int | None:
        return self.skills.get(service_id)


@dataclass(frozen=True)
class Ticket:
    """A visitor's place in the queue.

    `arrived_at` is the first arrival and survives transfers, so a visitor who is
    sent to another counter does not go to the back of the line.
    """

    id: str
    number: str
    service_id: str
    kind: TicketKind
    priority: Priority
    lang: str
    created_at: datetime
    arrived_at: datetime
    office_day: date
    public_id: str
    state: TicketState = TicketState.WAITING
    appointment_at: datetime | None = None
    appointment_id: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counter_id: str | None = None
    target_counter_id: str | None = None
    call_count: int = 0
    reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_TICKET_STATES


@dataclass(frozen=True)
class Interval:
    """A span of local wall-clock time within one day, e.g. 08:00-12:30."""

    start: time
    end: time


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OpeningHours:
    """Opening intervals per weekday (0 = Monday) and dates the office is closed."""

    weekly: dict[int, tuple[Interval, ...]]
    closed_dates: frozenset[date] = frozenset()
    last_walk_in_min: int = 30


@dataclass(frozen=True)
class Office:
    """Everything the domain needs to know about one office."""

    id: str
    name: str
    timezone: str
    languages: tuple[str, ...]
    hours: OpeningHours
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def counter(self, counter_id: str) -> Counter | None:
        return next((c for c in self.counters if c.id == counter_id), None)
