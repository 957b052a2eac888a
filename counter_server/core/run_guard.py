"""The slot guard inside the estimate's forward run: the live rule on the run's clock.

A counter of the run that is about to call a walk-in looks at the booked visitors
of the horizon as a live counter would (slot_guard.guard_choice, the same code):
those queued in the run, and those still to come who have not checked in by the
run's clock; the other counters are expected free when their current case should
end (expected times, not the times the run draws: the live counter does not know
them either).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from .call_order import CallOrder
from .forward import Joiner
from .model import Counter, Priority, Ticket, TicketKind
from .policy import CounterTerms, Rules, choose_with
from .slot_guard import Decision, booking_needs, desks_of, guard_choice

_APPOINTMENT, _URGENT = TicketKind.APPOINTMENT, Priority.URGENT
# minutes a service takes when office.toml does not say (as slot_guard.py)
_DEFAULT_MIN = 10.0


class GuardPlan:
    """What the runs of one estimate share. Minutes count from `origin`, the start of the runs.

    `expected_free`: minutes until each counter is expected free (busy_for);
    `expected`: mean minutes a counter is taken per service; `durations`: office.toml's.
    """

    def __init__(
        self, *, counters: Sequence[Counter], terms: Sequence[CounterTerms], rules: Rules, origin: datetime,
        durations: dict[str, float], expected_free: Sequence[float], expected: Callable[[str], float],
        joiners: Sequence[Joiner],
    ) -> None:
        self.desks = desks_of(counters)
        self.terms, self.rules, self.origin = terms, rules, origin
        self.durations, self.expected = durations, expected
        self.expected_free = [max(0.0, f) for f in expected_free]
        self.joiners = joiners
        self.slots = [j.slot_min for j in joiners]
        self._slot_of: dict[int, tuple[float, float]] = {}  # id(ticket) -> (slot, check-in) minutes

    def times(self, ticket: Ticket) -> tuple[float, float]:
        """(slot, check-in) of a queued booked visitor, in minutes from the origin."""
        found = self._slot_of.get(id(ticket))
        if found is None:
            assert ticket.appointment_at is not None
            found = self._slot_of[id(ticket)] = (self.minutes(ticket.appointment_at), self.minutes(ticket.arrived_at))
        return found

    def minutes(self, at: datetime) -> float:
        return (at - self.origin).total_seconds() / 60

    def begin(self, order: CallOrder) -> RunGuard:
        """The guard of one run over `order`."""
        return RunGuard(self, order)


class RunGuard:
    """The guard's view in one forward run: expected free times, who has checked in when."""

    def __init__(self, plan: GuardPlan, order: CallOrder) -> None:
        self.plan, self.order = plan, order
        self.free = plan.expected_free[:]
        self.came: dict[int, float] = {}  # id(joiner's ticket) -> minute of the check-in
        self.joined: set[int] = set()  # id(joiner)

    def joins(self, joiner: Joiner, ticket: Ticket, at: float) -> None:
        self.joined.add(id(joiner))
        self.came[id(ticket)] = at

    def called(self, index: int, at: float, service_id: str, share: float) -> None:
        """Counter `index` called a ticket of `service_id` at `at`: expected free after its mean time."""
        self.free[index] = at + self.plan.expected(service_id) * share

    def decide(self, index: int, at: float, first: int) -> tuple[int | None, float | None]:
        """Whom counter `index` calls at `at`, the policy having ranked join order `first` first.

        (join order to call, None) or, when it stays free for a booked visitor, (None, minute to look again).
        """
        order, plan = self.order, self.plan
        chosen = order.ticket(first)
        if chosen.kind is _APPOINTMENT or chosen.priority is _URGENT:
            return first, None
        rules = plan.rules
        booked = order.booked()
        here = [(t, *self._times(t)) for t in booked.values()]
        lo = bisect.bisect_left(plan.slots, at)
        hi = bisect.bisect_right(plan.slots, at + rules.slot_guard_horizon_min, lo)
        to_come = [(j.service_id, j.slot_min, j.slot_at or plan.origin + timedelta(minutes=j.slot_min))
                   for j in plan.joiners[lo:hi] if id(j) not in self.joined]
        if not here and not to_come:
            return first, None
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
            chosen, index, at, rules=rules, needs=booking_needs(here, to_come, at, rules), desks=plan.desks,
            free=lambda: [f if f > at else at for f in self.free], durations=plan.durations, in_time=in_time,
        )
        return self._outcome(decision, chosen, first, booked, picked)

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
