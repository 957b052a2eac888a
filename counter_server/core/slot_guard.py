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
     `adaptive_call_min` of the slot (within `adaptive_call_early_min` if the walk-in
     passed over is below the cap), the booked visitor if they are here, else
     the policy's choice stands. With `adaptive_spare_overdue` it leaves the
     policy's choice alone when that is a walk-in past `walk_in_max_wait_min` and
     no other walk-in waits that long. With `adaptive_booked_first_min` (off by default), a
     booked visitor here that close to the slot goes before a walk-in whose errand would not end
     by their deadline, even when another counter is expected free in time. It never stays
     idle, and with nobody at risk it changes nothing: how much it protects follows from
     the state it sees (who is booked when, how late they already are, which counters are
     expected free before their deadline).
   - with `guard_slots` (the full guard, promise `slot_promise_min`): the
     booked visitor now if here (however early), else an errand that ends in
     time, else, within `slot_hold_min` of the slot, the counter stays free for
     them (`Decision.held_for`).

Urgent tickets and booked visitors the policy picks are never changed.

The rule itself (`guard_choice`) works on minutes on one clock, so that the
estimate's forward run (forward.py, run_guard.py) applies the very same rule on
its simulated clock, with its simulated counters and queue.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import NamedTuple

from .kept import Kept
from .model import Counter, CounterState, Priority, Ticket, TicketKind, TicketState
from .policy import Rules, choose_with, counter_terms

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
    (the clerk page says so). `ranked`: the policy's own choice before the guard looked at
    it, when known (the clerk's reason compares the two).
    """

    ticket: Ticket | None
    held_for: Hold | None = None
    for_slot: datetime | None = None
    ranked: Ticket | None = field(default=None, compare=False)  # bookkeeping, not part of the decision


class Need(NamedTuple):
    """A booked visitor of the horizon; minutes on the decision's clock."""

    deadline: float
    slot: float
    service_id: str
    ticket: Ticket | None  # None: not checked in yet
    slot_at: datetime  # the slot itself, for the clerk's reason


@dataclass(frozen=True)
class Desks:
    """The open counters as the guard sees them: indexes into `ids`.

    `takers`: service id -> the open counters doing it, in counter order.
    """

    ids: Sequence[str]
    takers: Mapping[str, Sequence[int]]


def desks_of(counters: Sequence[Counter]) -> Desks:
    """`Desks` of the open counters among `counters` (indexes into `counters`)."""
    takers: dict[str, list[int]] = {}
    for index, counter in enumerate(counters):
        if counter.state is CounterState.OPEN:
            for service_id in counter.skills:
                takers.setdefault(service_id, []).append(index)
    return Desks([c.id for c in counters], takers)


# the last desks of each roster (frozen counters: the same objects give the same desks)
_DESKS: Kept[Desks] = Kept(64)


def kept_desks_of(counters: Sequence[Counter]) -> Desks:
    """`desks_of`, kept for the same counters."""
    known = _DESKS.get(counters)
    return known if known is not None else _DESKS.put(counters, desks_of(counters))


def promise_min(rules: Rules) -> float:
    return rules.slot_promise_min if rules.guard_slots else rules.adaptive_promise_min


def booking_needs(
    here: Iterable[tuple[Ticket, float, float]], to_come: Iterable[tuple[str, float, datetime]], now: float,
    rules: Rules,
) -> list[Need]:
    """The booked visitors of the horizon, by deadline.

    `here`: booked visitors waiting, each with the minutes of their slot and of their
    check-in; `to_come`: (service, slot minute, slot) of those not checked in yet.
    Someone not here by their slot is not waited for: they may not come at all.
    """
    promise = promise_min(rules)
    horizon = now + rules.slot_guard_horizon_min
    found = [need for t, slot, came in here if (need := need_here(t, slot, came, horizon, promise)) is not None]
    found += [need_to_come(service_id, slot, at, promise) for service_id, slot, at in to_come
              if now <= slot <= horizon]
    found.sort(key=DEADLINE)
    return found


def need_here(ticket: Ticket, slot: float, came: float, horizon: float, promise: float) -> Need | None:
    """The need of a booked visitor waiting (`booking_needs`); None: not one of the horizon (or urgent)."""
    if ticket.appointment_at is None or slot > horizon or ticket.priority is Priority.URGENT:
        return None
    return Need(max(slot, came) + promise, slot, ticket.service_id, ticket, ticket.appointment_at)


def need_to_come(service_id: str, slot: float, at: datetime, promise: float) -> Need:
    """The need of a booked visitor not checked in yet whose slot is inside the horizon (`booking_needs`)."""
    return Need(slot + promise, slot, service_id, None, at)


DEADLINE = itemgetter(0)  # a Need's deadline, without a Python call per need


def guard_choice(
    chosen: Ticket,
    me: int,
    now: float,
    *,
    rules: Rules,
    needs: Sequence[Need],
    desks: Desks,
    free: Callable[[], list[float]],
    durations: Mapping[str, float],
    in_time: Callable[[float], Ticket | None],
    walk_ins: Callable[[], Iterable[Ticket]],
    waited: Callable[[Ticket], float],
) -> Decision:
    """The rule (module docstring, step 3) for counter `me` whose policy picked `chosen`.

    Minutes on one clock: `now`, the needs' slots and deadlines, `free()` (when each
    counter of `desks` is expected free; asked only when needed). `in_time(deadline)`: the policy's
    choice among the errands that end by then. `walk_ins()`: the walk-ins waiting, longest waiting
    first; `waited(t)`: minutes `t` has waited at `now` (both asked only before changing the
    choice). The live
    decision and the estimate's forward run both come here.
    """
    if chosen.kind is TicketKind.APPOINTMENT or chosen.priority is Priority.URGENT or not needs:
        return Decision(chosen)
    ends = ends_at(chosen, now, durations)
    if ends <= needs[0].deadline:  # ends before every deadline: nobody needs this counter
        return Decision(chosen)
    first = _booked_first(me, needs, desks, now, ends, rules)
    if first is not None and not (rules.adaptive_spare_overdue and _only_overdue(chosen, rules, walk_ins, waited)):
        return Decision(first.ticket, for_slot=first.slot_at)
    need = _needed_for(me, needs, desks, free(), durations, rules, ends)
    if need is None:
        return Decision(chosen)
    if rules.guard_slots:
        return _full_guard(need, chosen, now, rules, in_time)
    if rules.adaptive_spare_overdue and _only_overdue(chosen, rules, walk_ins, waited):
        return Decision(chosen)
    instead = in_time(need.deadline)
    if instead is not None:
        return Decision(instead, for_slot=need.slot_at)
    if need.ticket is not None and _calls_booked(need.slot - now, chosen, rules, waited):
        return Decision(need.ticket, for_slot=need.slot_at)
    return Decision(chosen)


def _booked_first(me: int, needs: Sequence[Need], desks: Desks, now: float, ends: float, rules: Rules) -> Need | None:
    """`adaptive_booked_first_min`: the first booked visitor here (by deadline) whose slot is that
    close, whom counter `me` may take, and whose deadline a call ending at `ends` would miss."""
    early = rules.adaptive_booked_first_min
    if early <= 0 or rules.guard_slots or not rules.adaptive_slots:
        return None
    for need in needs:
        if need.deadline >= ends:
            return None
        if need.ticket is not None and need.slot - now <= early and _takes(me, desks, need):
            return need
    return None


def _calls_booked(ahead: float, chosen: Ticket, rules: Rules, waited: Callable[[Ticket], float]) -> bool:
    """Whether the adaptive step calls the booked visitor, here, `ahead` minutes before the slot."""
    if ahead <= rules.adaptive_call_min:
        return True
    return ahead <= rules.adaptive_call_early_min and waited(chosen) < rules.walk_in_max_wait_min


def ends_at(ticket: Ticket, now: float, durations: Mapping[str, float]) -> float:
    """The minute an errand called at `now` is expected to end, as the guard reckons it."""
    return now + durations.get(ticket.service_id, _DEFAULT_MIN)


def first_deadline(me: int, services: Collection[str], needs: Sequence[Need], desks: Desks) -> float:
    """The earliest deadline among `needs` (by deadline) that counter `me`, open and doing
    `services`, may take; inf: none.

    A call of `me` that ends by then keeps the policy's choice: the guard changes a call
    only for a booked visitor the counter may take (`_needed_for`) whose deadline the call
    would miss.
    """
    for need in needs:  # a loop, not next() over a generator: asked once per counter and change of needs
        if need.service_id in services and _may_take(me, desks, need):
            return need.deadline
    return math.inf


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
    Minutes count from `now`.
    """
    if counter.state is not CounterState.OPEN:
        return Decision(None)
    terms = counter_terms(counter, counters, rules, durations)
    chosen = choose_with(terms, waiting, now, rules)
    if chosen is None or outlook is None or not (rules.guard_slots or rules.adaptive_slots):
        return Decision(chosen, ranked=chosen)

    def minutes(at: datetime) -> float:
        return (at - now).total_seconds() / 60

    here = [(t, minutes(t.appointment_at), minutes(t.arrived_at)) for t in waiting
            if t.kind is TicketKind.APPOINTMENT and t.appointment_at is not None]
    needs = booking_needs(here, [(s, minutes(at), at) for s, at in outlook.booked], 0.0, rules)
    roster = list(counters) if any(c.id == counter.id for c in counters) else [*counters, counter]
    me = next(i for i, c in enumerate(roster) if c.id == counter.id)

    def free() -> list[float]:  # asked only when the choice may miss a deadline: the busy minutes cost
        return [max(0.0, outlook.busy_for_min.get(c.id, 0.0)) for c in roster]

    def in_time(deadline: float) -> Ticket | None:
        fits = [t for t in waiting if durations.get(t.service_id, _DEFAULT_MIN) <= deadline]
        return choose_with(terms, fits, now, rules) if fits else None

    decision = guard_choice(chosen, me, 0.0, rules=rules, needs=needs, desks=kept_desks_of(roster),
                            free=free, durations=durations, in_time=in_time,
                            walk_ins=lambda: _by_arrival(t for t in waiting
                                                         if t.kind is TicketKind.WALK_IN and t.state is TicketState.WAITING),
                            waited=lambda t: -minutes(t.arrived_at))
    return replace(decision, ranked=chosen)


def _full_guard(
    need: Need, chosen: Ticket, now: float, rules: Rules, in_time: Callable[[float], Ticket | None]
) -> Decision:
    """`guard_slots`: the booked visitor now if here, else an errand in time, else hold close to the slot."""
    if need.ticket is not None:
        return Decision(need.ticket, for_slot=need.slot_at)
    instead = in_time(need.deadline)
    if instead is not None:
        return Decision(instead, for_slot=need.slot_at)
    if need.slot - now <= rules.slot_hold_min:
        return Decision(None, Hold(need.service_id, need.slot_at))
    return Decision(chosen)


def _only_overdue(
    chosen: Ticket, rules: Rules, walk_ins: Callable[[], Iterable[Ticket]], waited: Callable[[Ticket], float]
) -> bool:
    """Whether `chosen` waits past the walk-in cap and no other walk-in does.

    `walk_ins()` gives the longest waiting first, so the first other one decides.
    """
    cap = rules.walk_in_max_wait_min
    if waited(chosen) < cap:
        return False
    for other in walk_ins():
        if other is not chosen:
            return waited(other) < cap
    return True


def _by_arrival(tickets: Iterable[Ticket]) -> list[Ticket]:
    """`tickets`, earliest arrival (longest waiting) first."""
    return sorted(tickets, key=attrgetter("arrived_at"))


def _may_take(index: int, desks: Desks, need: Need) -> bool:
    """Whether counter `index`, open and doing the errand, may call the booked visitor."""
    return need.ticket is None or need.ticket.target_counter_id in (None, desks.ids[index])


def _takes(index: int, desks: Desks, need: Need) -> bool:
    """Whether counter `index` does the booked visitor's errand and may call them."""
    return index in desks.takers.get(need.service_id, ()) and _may_take(index, desks, need)


def _needed_for(
    me: int, needs: Sequence[Need], desks: Desks, free: list[float], durations: Mapping[str, float], rules: Rules,
    ends: float,
) -> Need | None:
    """The first booked visitor (by deadline) no other open counter is expected free for in time,
    if their deadline comes before `ends` (when the counter's call would end).

    In that order, each booked visitor is given the other counter free first, which
    is then taken for their service time (`free` is used up). The needs from `ends` on
    are not looked at: a call ending by their deadline keeps them anyway, and that
    saves most of the loop (the horizon reaches far beyond most calls).
    """
    due_before = rules.appointment_due_before_min
    for need in needs:
        if need.deadline >= ends:
            return None
        first, first_free = -1, 0.0
        takers = desks.takers.get(need.service_id, ())
        for index in takers:
            if index != me and (first < 0 or free[index] < first_free) and _may_take(index, desks, need):
                first, first_free = index, free[index]
        if first >= 0 and first_free <= need.deadline:
            free[first] = max(first_free, need.slot - due_before) + durations.get(need.service_id, _DEFAULT_MIN)
        elif _takes(me, desks, need):
            return need
    return None
