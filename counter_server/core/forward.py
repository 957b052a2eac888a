"""The queue policy run forward on a simulated clock, for the waiting-time estimate.

One run plays the counters' next calls from now on: a counter that is free
calls whom `CallOrder` (the policy) picks and is taken for as long as `Draws`
says; booked visitors still to come join the queue at their time. With a
`GuardPlan` (run_guard.py) the pick is checked against the booked slots ahead
by the live slot guard's rule, as a live counter's is. The
estimate makes one run with expected durations and several with sampled ones
(see estimate.py).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from .call_order import CallOrder
from .model import Ticket

if TYPE_CHECKING:
    from .run_guard import GuardPlan


class Joiner:
    """A booked visitor still to come: the slot is at `slot_min`, they come with `chance`.

    They have not checked in by the start of the run (minute 0). The ticket
    standing in for them is made on first use: most runs end before most
    bookings of the next hours.
    """

    # an estimate makes one for every booking of the next hours: slots make them cheaper
    __slots__ = ("slot_min", "chance", "service_id", "slot_at", "_make", "_ticket")

    def __init__(
        self, slot_min: float, chance: float, stand_in: Callable[[], Ticket], service_id: str = "",
        slot_at: datetime | None = None,
    ) -> None:
        self.slot_min = slot_min
        self.chance = chance
        # what the slot guard sees of a booking before the check-in
        self.service_id = service_id
        self.slot_at = slot_at
        self._make = stand_in
        self._ticket: Ticket | None = None

    def ticket(self) -> Ticket:
        if self._ticket is None:
            self._ticket = self._make()
        return self._ticket


class Draws(Protocol):
    """How long things take in one run, and who comes when."""

    # no booked visitor checks in earlier than this many minutes before the slot
    lead_min: float

    def taken(self, service_id: str) -> float:
        """Minutes a counter is taken by a ticket of `service_id` it calls."""

    def comes(self, joiner: Joiner) -> tuple[float, float] | None:
        """The minute the joiner checks in and how much of them counts; None: not at all."""


def forward_run(
    *,
    order: CallOrder,
    free_at: Sequence[float],
    joiners: Sequence[Joiner],
    draws: Draws,
    scope: Collection[str],
    guard: GuardPlan | None = None,
    least: int = 0,
) -> dict[str, float]:
    """Minutes from the origin of `order` until each ticket is called, in calling order.

    `free_at`: minutes until each counter of `order` is free; `joiners` by slot,
    earliest first. The run ends once every ticket in `scope` is called and at
    least `least` tickets of the queue are, or when no counter will call anybody
    again. `order` is used up. `guard`: the slot guard's plan for these counters
    and joiners, when the policy has it on.
    """
    # (minute, counter index, generation): a counter is free at that minute, unless a
    # newer entry of the same counter has replaced it
    events = [(at, index, 0) for index, at in enumerate(free_at)]
    heapq.heapify(events)
    generation = [0] * len(free_at)
    idle: set[int] = set()  # free counters that wait for somebody to check in
    # Check-ins are not events of the heap: the next one is compared with the heap's head
    # (at the same minute, the check-in comes first), which spares a push and a pop per batch.
    arrivals = _Arrivals(joiners, draws)
    next_in = arrivals.next_min
    weight: dict[str, float] = {}
    calls: dict[str, float] = {}
    left = len(scope)
    pop, push, first, remove, taken = heapq.heappop, heapq.heappush, order.first, order.remove, draws.taken
    run_guard = guard.begin(order, free_at) if guard is not None and guard.may_act(order) else None
    while left or len(calls) < least:
        if not events or next_in <= events[0][0]:
            if next_in == math.inf:
                break
            at = next_in
            for joiner, share in arrivals.until(at):
                ticket = joiner.ticket()
                weight[ticket.id] = share
                if run_guard is not None:
                    run_guard.joins(joiner, ticket, at)
                for woken in idle.intersection(order.add(ticket)):
                    idle.discard(woken)
                    generation[woken] += 1
                    push(events, (at, woken, generation[woken]))
            next_in = arrivals.next_min
            continue
        at, index, stamp = pop(events)
        if stamp != generation[index]:
            continue
        if idle:
            idle.discard(index)
        call, hold = first(index, at), None
        if call is not None and run_guard is not None:
            call, hold = run_guard.decide(index, at, call)
        if call is None:
            idle.add(index)
            wake = order.next_wake(index, at) if hold is None else hold
            if wake is not None:
                push(events, (wake, index, stamp))
            continue
        chosen = remove(call)
        ticket_id = chosen.id
        part = weight.get(ticket_id)
        if part is None:  # one in the queue now; the booked visitors still to come are not counted
            calls[ticket_id] = at
            left -= ticket_id in scope
            part = 1.0
            busy = taken(chosen.service_id)
        else:
            busy = taken(chosen.service_id) * part
        if run_guard is not None:
            run_guard.called(index, at, chosen, part, at + busy)
        push(events, (at + busy, index, stamp))
    return calls


class _Arrivals:
    """The booked visitors of one run, drawn only once the run's clock nears their slot."""

    # drawn in batches: this many minutes ahead of the clock at once
    batch_min = 5.0

    def __init__(self, joiners: Sequence[Joiner], draws: Draws) -> None:
        self._comes = draws.comes
        self._lead = draws.lead_min
        self._joiners = joiners
        self._drawn = 0  # joiners[:_drawn] are drawn
        self._heap: list[tuple[float, int, Joiner, float]] = []
        # the next minute at which somebody may check in (inf: nobody)
        self.next_min = joiners[0].slot_min - self._lead if joiners else math.inf

    def until(self, at: float) -> list[tuple[Joiner, float]]:
        """Who has checked in by minute `at` and not joined yet, with their share, first come first."""
        joiners, heap, drawn, lead = self._joiners, self._heap, self._drawn, self._lead
        count = len(joiners)
        reach = at + self.batch_min + lead
        while drawn < count and joiners[drawn].slot_min <= reach:
            joiner = joiners[drawn]
            drawn += 1
            when = self._comes(joiner)
            if when is not None:
                heapq.heappush(heap, (when[0], drawn, joiner, when[1]))
        self._drawn = drawn
        joined = []
        while heap and heap[0][0] <= at:
            _, _, joiner, share = heapq.heappop(heap)
            joined.append((joiner, share))
        # the first still to check in, or the next to draw
        self.next_min = min(heap[0][0] if heap else math.inf,
                            joiners[drawn].slot_min - lead if drawn < count else math.inf)
        return joined


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """(mu, sigma) of the log-normal distribution with that mean and coefficient of variation."""
    sigma = math.sqrt(math.log1p(cv * cv))
    return math.log(mean) - sigma * sigma / 2, sigma
