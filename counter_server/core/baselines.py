"""The queue policies and the wait estimate real systems use, as yardsticks.

Each policy has the signature of `policy.choose_next` so the simulator can run
them side by side. All of them serve booked visitors the way ZMS does: due
two minutes before the slot, then ahead of every
walk-in, earliest slot first; a booked visitor who checked in early waits
until due. Urgent tickets come first everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from .model import PRIMARY, Counter, CounterState, Priority, Ticket, TicketKind
from .policy import Rules, eligible

# ZMS calls a booked visitor from two minutes before the slot, whatever our rules say.
ZMS_DUE_BEFORE = timedelta(minutes=2)

Policy = Callable[[Counter, Sequence[Ticket], Sequence[Counter], datetime, Rules], Ticket | None]


def _callable(counter: Counter, waiting: Sequence[Ticket], now: datetime, rules: Rules) -> list[Ticket]:
    if counter.state is not CounterState.OPEN:
        return []
    found = []
    for ticket in waiting:
        if not eligible(ticket, counter):
            continue
        slot = ticket.appointment_at if ticket.kind is TicketKind.APPOINTMENT else None
        if slot is None or now >= slot - ZMS_DUE_BEFORE:
            found.append(ticket)
    return found


def _zms_first(tickets: Sequence[Ticket]) -> Ticket | None:
    """Urgent first, then the due booked visitor with the earliest slot."""
    urgent = [t for t in tickets if t.priority is Priority.URGENT]
    if urgent:
        return min(urgent, key=lambda t: t.arrived_at)
    booked = [t for t in tickets if t.kind is TicketKind.APPOINTMENT and t.appointment_at]
    if booked:
        return min(booked, key=lambda t: (t.appointment_at, t.arrived_at))
    return None


def _due_first_then(
    counter: Counter, waiting: Sequence[Ticket], now: datetime, rules: Rules,
    rank: Callable[[list[Ticket]], Ticket],
) -> Ticket | None:
    """ZMS's order (urgent, then due booked visitors by slot), else `rank` over the callable tickets."""
    tickets = _callable(counter, waiting, now, rules)
    if not tickets:
        return None
    return _zms_first(tickets) or rank(tickets)


def _oldest(tickets: list[Ticket]) -> Ticket:
    return min(tickets, key=lambda t: t.arrived_at)


def fcfs_next(
    counter: Counter, waiting: Sequence[Ticket], counters: Sequence[Counter], now: datetime, rules: Rules
) -> Ticket | None:
    """First come, first served over every service the counter can do."""
    return _due_first_then(counter, waiting, now, rules, _oldest)


def longest_queue_next(
    counter: Counter, waiting: Sequence[Ticket], counters: Sequence[Counter], now: datetime, rules: Rules
) -> Ticket | None:
    """Qmatic's "longest waiting queue": the service with most people waiting, its oldest first."""

    def longest(tickets: list[Ticket]) -> Ticket:
        sizes: dict[str, int] = {}
        for ticket in tickets:
            sizes[ticket.service_id] = sizes.get(ticket.service_id, 0) + 1
        return min(tickets, key=lambda t: (-sizes[t.service_id], t.arrived_at))

    return _due_first_then(counter, waiting, now, rules, longest)


def dedicated_next(
    counter: Counter, waiting: Sequence[Ticket], counters: Sequence[Counter], now: datetime, rules: Rules
) -> Ticket | None:
    """Per-service queues: a counter serves its primary services; the others only when those are empty."""

    def primary_first(tickets: list[Ticket]) -> Ticket:
        return _oldest([t for t in tickets if counter.skills[t.service_id] == PRIMARY] or tickets)

    return _due_first_then(counter, waiting, now, rules, primary_first)


BASELINES: dict[str, Policy] = {
    "fcfs": fcfs_next,
    "longest-queue": longest_queue_next,
    "dedicated": dedicated_next,
}


def zms_estimate_min(*, ahead: int, average_min: float, open_counters: int) -> float:
    """ZMS's waiting-time estimate: position x average duration / open counters."""
    return ahead * average_min / max(1, open_counters)
