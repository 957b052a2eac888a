"""The slot guard inside the estimate's forward run: the live rule on the run's clock.

A counter of the run that is about to call a walk-in looks at the booked visitors
of the horizon as a live counter would (slot_guard.guard_choice, the same code):
those queued in the run, and those still to come who have not checked in by the
run's clock; the other counters are expected free when the live counter would
expect them free: after the expected rest of their case, given how long it has
run by the run's clock (expected times, not the times the run draws: the live
counter does not know them either).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from .call_order import CallOrder
from .forward import Joiner
from .model import Counter, CounterState, Priority, Ticket, TicketKind, TicketState
from .policy import CounterTerms, Rules, choose_with
from .slot_guard import (
    DEADLINE,
    Decision,
    Need,
    booking_needs,
    ends_at,
    first_deadline,
    guard_choice,
    kept_desks_of,
    need_here,
    need_to_come,
    promise_min,
)

_APPOINTMENT, _URGENT, _WAITING = TicketKind.APPOINTMENT, Priority.URGENT, TicketState.WAITING
# minutes a service takes when office.toml does not say (as slot_guard.py)
_DEFAULT_MIN = 10.0


# the booked visitors queued in a run, each with the minutes of their slot and check-in
_Here = list[tuple[Ticket, float, float]]


def _to_come(joiner: Joiner, plan: GuardPlan) -> tuple[str, float, datetime]:
    """A booked visitor not checked in yet, as `booking_needs` takes them."""
    return joiner.service_id, joiner.slot_min, joiner.slot_at or plan.origin + timedelta(minutes=joiner.slot_min)


def _place(needs: list[Need], deadline: float) -> int:
    """Where the need of a booked visitor who just checked in goes among `needs` (booking_needs' order).

    After every earlier deadline and after those here with the same deadline (they joined
    before), before those to come with the same deadline.
    """
    for position, need in enumerate(needs):
        if need.deadline > deadline or (need.deadline == deadline and need.ticket is None):
            return position
    return len(needs)


# (service id, the minute it began) of the case a counter is on; see GuardPlan
Case = tuple[str, float]


class GuardPlan:
    """What the runs of one estimate share. Minutes count from `origin`, the start of the runs.

    `expected_free`: minutes until each counter is expected free (busy_for);
    `expected`: mean minutes a counter is taken per service; `durations`: office.toml's.
    `cases`: per counter, the case it is on at the origin (its minute negative), if known;
    `rest`: the expected minutes still left of a case of a service that has run so many.
    With both, a counter's expected free time is worked out at each decision from its
    case, as the live outlook does (busy_for); without, `expected_free` and the mean.
    """

    def __init__(
        self, *, counters: Sequence[Counter], terms: Sequence[CounterTerms], rules: Rules, origin: datetime,
        durations: dict[str, float], expected_free: Sequence[float], expected: Callable[[str], float],
        joiners: Sequence[Joiner], cases: Sequence[Case | None] = (),
        rest: Callable[[str, float], float] | None = None,
    ) -> None:
        self.desks = kept_desks_of(counters)  # the same counters at every check-in: kept
        self.terms, self.rules, self.origin = terms, rules, origin
        self.durations, self.expected = durations, expected
        self.expected_free = [max(0.0, f) for f in expected_free]
        self.rest = rest
        self.cases: list[Case | None] = list(cases) if rest is not None and cases else [None] * len(counters)
        self.joiners = joiners
        self.slots = [j.slot_min for j in joiners]
        # the services each counter may take a booked visitor of (the guard asks only then)
        self.serves = [frozenset(c.skills) if c.state is CounterState.OPEN else frozenset() for c in counters]
        self._slot_of: dict[int, tuple[float, float]] = {}  # id(ticket) -> (slot, check-in) minutes
        # What a run's guard works out while nobody has joined and no booked visitor has been
        # called yet, the same in every run over the same queue: (id of each booked visitor
        # queued) -> (their (ticket, slot, check-in), their slots sorted, the needs by
        # (lo, hi, inside) of RunGuard._needs_at)
        self.untouched: dict[tuple[int, ...], tuple[_Here, list[float], dict[tuple[int, int, int], list[Need]]]] = {}

    def times(self, ticket: Ticket) -> tuple[float, float]:
        """(slot, check-in) of a queued booked visitor, in minutes from the origin."""
        found = self._slot_of.get(id(ticket))
        if found is None:
            assert ticket.appointment_at is not None
            found = self._slot_of[id(ticket)] = (self.minutes(ticket.appointment_at), self.minutes(ticket.arrived_at))
        return found

    def minutes(self, at: datetime) -> float:
        return (at - self.origin).total_seconds() / 60

    def begin(self, order: CallOrder, free_at: Sequence[float]) -> RunGuard:
        """The guard of one run over `order`, whose counters are free after `free_at` minutes."""
        return RunGuard(self, order, free_at)

    def may_act(self, order: CallOrder) -> bool:
        """Whether a run over `order` has a booked visitor to guard: queued, or to come.

        Without one a run's guard keeps every choice (it is quiet from its first decision),
        so the run may do without it.
        """
        return bool(self.joiners) or bool(order.booked())


class RunGuard:
    """The guard's view in one forward run: expected free times, who has checked in when.

    The booked visitors' `Need`s are kept between decisions and brought up to date as the
    clock passes slots, the horizon takes in slots to come, booked visitors check in or are
    called (`_moved`, `_drop`); they are made anew only when the horizon takes in the slot of
    someone here, or after a check-in the order does not keep as booked.
    """

    def __init__(self, plan: GuardPlan, order: CallOrder, free_at: Sequence[float]) -> None:
        self.plan, self.order = plan, order
        self.free = plan.expected_free[:]
        self.cases = plan.cases[:]  # what each counter is on, while the plan has `rest`
        # when each counter's case ends in this run: past it the counter is free, as a live
        # counter sees a clerk who has finished (not when it would end: that stays unknown)
        self.ends = list(free_at)
        self.came: dict[int, float] = {}  # id(joiner's ticket) -> minute of the check-in
        self.joined: set[int] = set()  # id(joiner)
        # the booked visitors queued in the run, with (slot, check-in), and their slots
        # sorted; made anew after somebody joins (`_stale`), kept up to date when one is called
        self._stale = True
        # no booked visitor queued and no slot ahead: the guard has nothing to do until somebody joins
        self._quiet = False
        self._here: list[tuple[Ticket, float, float]] = []
        self._here_slots: list[float] = []
        # what `_needs` is made of: (joins so far, the visitors to come inside the horizon as a
        # slice of plan.joiners, how many of `_here_slots` are inside), and that horizon
        self._joins = 0
        self._key: tuple[int, int, int, int] | None = None
        self._horizon = 0.0
        self._built_at = 0.0  # the minute `_needs` were made for (booking_needs' `now`)
        # booked visitors who checked in since `_needs` were made, with their ticket (None: called since)
        self._arrived: list[tuple[Joiner, Ticket | None]] = []
        self._needs: list[Need] = []
        self._earliest: dict[int, float] = {}  # counter index -> first_deadline of `_needs`
        # the key stays while the clock is at most `_until_at` and the horizon before `_until_horizon`
        self._until_at, self._until_horizon = -math.inf, -math.inf
        # nobody has joined and no booked visitor has been called: the needs are the plan's
        # (GuardPlan.untouched), kept in `_memo`
        self._untouched = True
        self._memo: dict[tuple[int, int, int], list[Need]] | None = None

    def joins(self, joiner: Joiner, ticket: Ticket, at: float) -> None:
        """The booked visitor of `joiner` checks in at `at` as `ticket`, which then joins the order."""
        self.joined.add(id(joiner))
        self.came[id(ticket)] = at
        self._joins += 1
        self._quiet, self._untouched = False, False
        if self._stale:
            return
        if ticket.kind is not _APPOINTMENT or ticket.appointment_at is None or ticket.state is not _WAITING:
            self._stale = True  # the order does not keep them as booked: leave it to _booked_here
            return
        # the order queues them after everyone so far: last in `_here`, as _booked_here puts them
        slot, came = self._times(ticket)
        self._here.append((ticket, slot, came))
        bisect.insort(self._here_slots, slot)
        self._arrived.append((joiner, ticket))
        self._until_at = -math.inf  # the needs are brought up to date at the next decision

    def called(self, index: int, at: float, ticket: Ticket, share: float, ends: float) -> None:
        """Counter `index` called `ticket` at `at`, a case that ends at `ends` in this run: expected
        free after its mean time, or after the expected rest of that case at each decision
        (a whole visitor, and the plan has `rest`)."""
        self.free[index] = at + self.plan.expected(ticket.service_id) * share
        self.ends[index] = ends
        if self.plan.rest is not None:
            self.cases[index] = (ticket.service_id, at) if share == 1.0 else None
        if ticket.kind is _APPOINTMENT:
            self._untouched = False
            if not self._stale:
                self._drop(ticket)

    def _drop(self, ticket: Ticket) -> None:
        """The booked visitor `ticket` is called: out of `_here` and `_needs`, as if made without them."""
        for position, (joiner, arrived) in enumerate(self._arrived):
            if arrived is ticket:  # checked in since the needs were made: not among them yet
                self._arrived[position] = (joiner, None)
                del self._here[next(i for i, (t, _, _) in enumerate(self._here) if t is ticket)]
                self._here_slots.remove(self.plan.times(ticket)[0])
                return
        here = self._here
        for position, (t, slot, _) in enumerate(here):
            if t is ticket:
                del here[position]
                self._here_slots.remove(slot)
                if self._key is not None and slot <= self._horizon:
                    joins, lo, hi, inside = self._key
                    self._key = (joins, lo, hi, inside - 1)
                    self._needs = [n for n in self._needs if n.ticket is not ticket]
                    self._earliest = {}
                self._until_at = -math.inf  # the next slot may have gone: the key is looked at anew
                return

    def decide(self, index: int, at: float, first: int) -> tuple[int | None, float | None]:
        """Whom counter `index` calls at `at`, the policy having ranked join order `first` first.

        (join order to call, None) or, when it stays free for a booked visitor, (None, minute to look again).
        """
        if self._quiet:
            return first, None
        order, plan = self.order, self.plan
        chosen = order.ticket(first)
        if chosen.kind is _APPOINTMENT or chosen.priority is _URGENT:
            return first, None
        rules = plan.rules
        needs = self._needs_at(at)
        earliest = self._earliest.get(index)
        if earliest is None:
            earliest = self._earliest[index] = first_deadline(index, plan.serves[index], needs, plan.desks)
        if ends_at(chosen, at, plan.durations) <= earliest:
            # the choice ends before every booked visitor this counter could take is due
            return first, None
        booked = order.booked()
        picked: dict[int, int] = {}

        def in_time(deadline: float) -> Ticket | None:
            # whether an errand ends in time depends on its service only: most often none does
            ends = plan.durations
            short = {s for s, d in ends.items() if at + d <= deadline}
            other = at + _DEFAULT_MIN <= deadline  # services office.toml gives no time
            if not short and not other:
                return None
            fits = [(o, t) for o, t in order.queued()
                    if t.service_id in short or (other and t.service_id not in ends)]
            for o, t in fits:
                picked[id(t)] = o
            now = plan.origin + timedelta(minutes=at)
            return choose_with(plan.terms[index], [t for _, t in fits], now, rules) if fits else None

        decision = guard_choice(
            chosen, index, at, rules=rules, needs=needs, desks=plan.desks,
            free=lambda: self.free_at(index, at), durations=plan.durations, in_time=in_time,
            walk_ins=order.walk_ins,
            waited=lambda t: at - plan.minutes(t.arrived_at),
        )
        return self._outcome(decision, chosen, first, booked, picked)

    def free_at(self, index: int, at: float) -> list[float]:
        """The minute each counter is expected free, as counter `index` (free now) sees it at `at`.

        With the plan's `rest`, as the live outlook: a counter whose case has ended is free
        now, one still on its case is free after the expected rest of it (busy_for). Without,
        after the mean time from its call, or now if that has passed.
        """
        rest = self.plan.rest
        if rest is None:
            return [free if free > at else at for free in self.free]
        found = []
        for other, (free, case, ends) in enumerate(zip(self.free, self.cases, self.ends, strict=True)):
            if other == index or ends <= at:
                found.append(at)
            elif case is None:
                found.append(free if free > at else at)
            else:
                found.append(at + rest(case[0], at - case[1]))
        return found

    def _needs_at(self, at: float) -> list[Need]:
        """`booking_needs` at minute `at`: made anew only when what it is made of has changed."""
        plan = self.plan
        if self._stale:
            self._here, self._here_slots = self._booked_here()
            self._stale = False
            self._key, self._until_at, self._arrived = None, -math.inf, []
        horizon = at + plan.rules.slot_guard_horizon_min
        if at <= self._until_at and horizon < self._until_horizon:
            return self._needs
        slots, here_slots = plan.slots, self._here_slots
        lo = bisect.bisect_left(slots, at)
        if not self._here and lo == len(plan.slots):  # the run's clock does not go back
            self._quiet = True
        hi = bisect.bisect_right(slots, horizon, lo)
        inside = bisect.bisect_right(here_slots, horizon)
        # the needs of those here depend on `at` only through which slots are inside the horizon,
        # those of the visitors to come through which are inside and who has joined
        key = (self._joins, lo, hi, inside)
        # the clock only goes forward: the key changes once it passes the next slot to come,
        # or the horizon reaches the next slot to come or of someone here
        self._until_at = slots[lo] if lo < len(slots) else math.inf
        self._until_horizon = min(slots[hi] if hi < len(slots) else math.inf,
                                  here_slots[inside] if inside < len(here_slots) else math.inf)
        if key != self._key:
            memo = self._memo if self._untouched else None
            needs = memo.get((lo, hi, inside)) if memo is not None else None
            if needs is None:
                needs = self._moved(lo, hi, inside, at, horizon)
            if needs is None:
                to_come = [_to_come(j, plan) for j in plan.joiners[lo:hi] if id(j) not in self.joined]
                needs = booking_needs(self._here, to_come, at, plan.rules)
            if memo is not None:
                memo[(lo, hi, inside)] = needs
            self._needs = needs  # never changed in place: _drop and _moved make a new list
            self._key, self._horizon, self._built_at, self._arrived = key, horizon, at, []
            self._earliest = {}
        return self._needs

    def _moved(self, lo: int, hi: int, inside: int, at: float, horizon: float) -> list[Need] | None:
        """`booking_needs` at `at` (key lo, hi, inside) from the needs made earlier; None: make them anew.

        Since then the clock may have passed slots to come (`lo`), the horizon taken in slots
        to come (`hi`), and booked visitors checked in (`_arrived`). The horizon taking in the
        slot of someone here already is left to booking_needs. The list keeps booking_needs'
        order: by deadline, and with the same deadline those here (in the order they joined)
        before those to come (by slot).
        """
        if self._key is None:
            return None
        plan, joined = self.plan, self.joined
        _, was_lo, was_hi, was_inside = self._key
        arrived = [(joiner, ticket, *self._times(ticket)) for joiner, ticket in self._arrived if ticket is not None]
        if lo < was_lo or hi < was_hi or inside != was_inside + sum(slot <= horizon for *_, slot, _ in arrived):
            return None
        promise = promise_min(plan.rules)
        needs = self._needs[:]
        for joiner, _ in self._arrived:  # no longer to come: out, if the horizon had them
            if self._built_at <= joiner.slot_min <= self._horizon:
                gone = need_to_come(*_to_come(joiner, plan), promise)
                if gone not in needs:
                    return None  # not as booking_needs made them: make them anew
                needs.remove(gone)
        if lo > was_lo:  # the clock passed their slot before they checked in
            needs = [n for n in needs if n.ticket is not None or n.slot >= at]
        for joiner in plan.joiners[max(was_hi, lo):hi]:  # the horizon reaches their slot
            if id(joiner) not in joined:
                bisect.insort_right(needs, need_to_come(*_to_come(joiner, plan), promise), key=DEADLINE)
        for _, ticket, slot, came in arrived:
            need = need_here(ticket, slot, came, horizon, promise)
            if need is not None:
                needs.insert(_place(needs, need.deadline), need)
        return needs

    def _booked_here(self) -> tuple[_Here, list[float]]:
        """The booked visitors queued in the run, with (slot, check-in), and their slots sorted.

        While the run is untouched these are the plan's (copies: `_drop` changes them).
        """
        booked = self.order.booked().values()
        if not self._untouched:
            self._memo = None
            here = [(t, *self._times(t)) for t in booked]
            return here, sorted(slot for _, slot, _ in here)
        key = tuple(map(id, booked))
        known = self.plan.untouched.get(key)
        if known is None:
            here = [(t, *self._times(t)) for t in booked]
            known = self.plan.untouched[key] = (here, sorted(slot for _, slot, _ in here), {})
        self._memo = known[2]
        return known[0][:], known[1][:]

    def _times(self, ticket: Ticket) -> tuple[float, float]:
        slot, came = self.plan.times(ticket)
        return slot, self.came.get(id(ticket), came)

    def _outcome(
        self, decision: Decision, chosen: Ticket, first: int, booked: dict[int, Ticket], picked: dict[int, int],
    ) -> tuple[int | None, float | None]:
        ticket = decision.ticket
        if ticket is chosen:
            return first, None
        if ticket is None:
            assert decision.held_for is not None
            # a microsecond past the slot, as the simulator wakes a held counter
            return None, self.plan.minutes(decision.held_for.appointment_at) + 1e-6
        found = picked.get(id(ticket))
        if found is None:
            found = next(o for o, t in booked.items() if t is ticket)
        return found, None
