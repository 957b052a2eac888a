"""Keeping booked visitors' slots: a counter looks ahead before it calls a walk-in.

`choose_next` ranks who waits now; it cannot see that the clerk it is about to
give an 18-minute ID card is the only one who could be free when a booked
pick-up is due in ten minutes. So the choice is checked against the bookings of
the next `slot_guard_horizon_min`:

1. Every booked visitor of that horizon (checked in or still to come) has a
   deadline: the promise after the slot, or after the check-in when they came late.
2. In deadline order, each is given the other open counter that does their
   service and is expected free first; a counter given to one is taken for
   that visitor's service time. Someone no other counter can be free for in
   time needs this counter.
3. If this counter is needed and the policy's choice would not end in time:

   - by default (`adaptive_slots`, promise `adaptive_promise_min`) the counter
     calls the policy's choice among the errands that end in time, else, within
     `adaptive_call_min` of the slot, the booked visitor if they are here, else
     the policy's choice stands. It never stays idle, and with nobody at risk it
     changes nothing: how much it protects follows from the state it sees (who
     is booked when, how late they already are, which counters are expected
     free before their deadline).
   - with `guard_slots` (the full guard, promise `slot_promise_min`): the
     booked visitor now if here (however early), else an errand that ends in
     time, else, within `slot_hold_min` of the slot, the counter stays free for
     them (`Decision.held_for`).

Urgent tickets and booked visitors the policy picks are never changed. The
estimate's forward run does not replay this step (bench/RESULTS.md has its bias).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import Counter, CounterState, Priority, Ticket, TicketKind
from .policy import CounterTerms, Rules, choose_with, counter_terms

# minutes a service takes when office.toml does not say
_DEFAULT_MIN = 10.0


@dataclass(frozen=True)
class Outlook:
    """What a counter may look ahead at besides the waiting tickets.

    `busy_for_min`: counter id -> expected minutes until its clerk is free
    (missing: free now). `booked`: (service id, slot) of the day's bookings
    whose visitor has not checked in yet.
    """

    busy_for_min: Mapping[str, float]
    booked: Sequence[tuple[str, datetime]]


@dataclass(frozen=True)
class Hold:
    """The counter stays free for a booked visitor expected at `appointment_at`."""

    service_id: str
    appointment_at: datetime


@dataclass(frozen=True)
class Decision:
    """Whom a counter calls (None: nobody), and, when it stays free on purpose, for whom.

    `for_slot`: the slot whose promise made the guard change the policy's choice
    (the clerk page says so).
    """

    ticket: Ticket | None
    held_for: Hold | None = None
    for_slot: datetime | None = None


@dataclass(frozen=True)
class _Need:
    """A booked visitor only this counter can be free for in time."""

    service_id: str
    slot: datetime
    deadline: datetime
    ticket: Ticket | None  # None: not checked in yet


def choose_guarding_slots(
    counter: Counter,
    waiting: Sequence[Ticket],
    counters: Sequence[Counter],
    now: datetime,
    rules: Rules,
    *,
    durations: Mapping[str, float],
    outlook: Outlook | None,
) -> Decision:
    """`choose_next`, then checked against the slots ahead (see the module docstring).

    Without `outlook`, or with both `guard_slots` and `adaptive_slots` off, exactly `choose_next`.
    """
    if counter.state is not CounterState.OPEN:
        return Decision(None)
    terms = counter_terms(counter, counters, rules, durations)
    chosen = choose_with(terms, waiting, now, rules)
    full = rules.guard_slots
    if chosen is None or outlook is None or not (full or rules.adaptive_slots):
        return Decision(chosen)
    if chosen.kind is TicketKind.APPOINTMENT or chosen.priority is Priority.URGENT:
        return Decision(chosen)
    promise = rules.slot_promise_min if full else rules.adaptive_promise_min
    need = _needed_for(counter, counters, _bookings(waiting, now, rules, outlook, promise),
                       free=_free_times(counters, now, outlook), durations=durations, rules=rules)
    if need is None or _ends(chosen, now, durations) <= need.deadline:
        return Decision(chosen)
    if full:
        return _full_guard(need, chosen, terms, waiting, now, rules, durations)
    instead = _in_time(need, terms, waiting, now, rules, durations)
    if instead is not None:
        return Decision(instead, for_slot=need.slot)
    if need.ticket is not None and need.slot - now <= timedelta(minutes=rules.adaptive_call_min):
        return Decision(need.ticket, for_slot=need.slot)
    return Decision(chosen)


def _in_time(
    need: _Need, terms: CounterTerms, waiting: Sequence[Ticket], now: datetime, rules: Rules,
    durations: Mapping[str, float],
) -> Ticket | None:
    """The policy's choice among the errands that end before `need`'s deadline."""
    in_time = [t for t in waiting if _ends(t, now, durations) <= need.deadline]
    return choose_with(terms, in_time, now, rules) if in_time else None


def _full_guard(
    need: _Need, chosen: Ticket, terms: CounterTerms, waiting: Sequence[Ticket], now: datetime, rules: Rules,
    durations: Mapping[str, float],
) -> Decision:
    """`guard_slots`: the booked visitor now if here, else an errand in time, else hold close to the slot."""
    if need.ticket is not None:
        return Decision(need.ticket, for_slot=need.slot)
    instead = _in_time(need, terms, waiting, now, rules, durations)
    if instead is not None:
        return Decision(instead, for_slot=need.slot)
    if need.slot - now <= timedelta(minutes=rules.slot_hold_min):
        return Decision(None, Hold(need.service_id, need.slot))
    return Decision(chosen)


def _ends(ticket: Ticket, now: datetime, durations: Mapping[str, float]) -> datetime:
    return now + timedelta(minutes=durations.get(ticket.service_id, _DEFAULT_MIN))


def _bookings(
    waiting: Sequence[Ticket], now: datetime, rules: Rules, outlook: Outlook, promise_min: float
) -> list[_Need]:
    """The booked visitors of the horizon, by deadline: those waiting and those still to come."""
    promise = timedelta(minutes=promise_min)
    horizon = now + timedelta(minutes=rules.slot_guard_horizon_min)
    found = [
        _Need(t.service_id, t.appointment_at, max(t.appointment_at, t.arrived_at) + promise, t)
        for t in waiting
        if t.kind is TicketKind.APPOINTMENT and t.appointment_at is not None and t.appointment_at <= horizon
        and t.priority is not Priority.URGENT
    ]
    # someone not here by their slot is not waited for: they may not come at all
    found += [
        _Need(service_id, slot, slot + promise, None)
        for service_id, slot in outlook.booked if now <= slot <= horizon
    ]
    return sorted(found, key=lambda need: need.deadline)


def _free_times(counters: Sequence[Counter], now: datetime, outlook: Outlook) -> dict[str, datetime]:
    """When each open counter is expected free again."""
    return {
        c.id: now + timedelta(minutes=max(0.0, outlook.busy_for_min.get(c.id, 0.0)))
        for c in counters if c.state is CounterState.OPEN
    }


def _may_take(counter: Counter, need: _Need) -> bool:
    return counter.can_serve(need.service_id) and (
        need.ticket is None or need.ticket.target_counter_id in (None, counter.id)
    )


def _needed_for(
    counter: Counter,
    counters: Sequence[Counter],
    bookings: Sequence[_Need],
    *,
    free: dict[str, datetime],
    durations: Mapping[str, float],
    rules: Rules,
) -> _Need | None:
    """The first booked visitor (by deadline) no other open counter is expected free for in time.

    In that order, each booked visitor is given the other counter free first, which
    is then taken for their service time (`free` is used up).
    """
    others = [c for c in counters if c.id in free and c.id != counter.id]
    due_before = timedelta(minutes=rules.appointment_due_before_min)
    for need in bookings:
        first = min((c for c in others if _may_take(c, need)), key=lambda c: free[c.id], default=None)
        if first is not None and free[first.id] <= need.deadline:
            start = max(free[first.id], need.slot - due_before)
            free[first.id] = start + timedelta(minutes=durations.get(need.service_id, _DEFAULT_MIN))
        elif _may_take(counter, need):
            return need
    return None
