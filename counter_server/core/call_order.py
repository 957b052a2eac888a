"""`choose_with` for a long run of decisions over one queue, each in O(log n).

The estimate's forward run asks the counters again and again whom they would
call next, while the clock only moves forward and tickets only join or leave.
Scanning the whole queue for each of those decisions makes the run quadratic.

Within a tier, a ticket's rank at a counter does not depend on the time (the
bonuses are folded into fixed keys), and a ticket only ever moves towards the
front tiers as time passes: not due -> due -> overdue. So each counter keeps
one heap per tier, filled once, and the decision looks at the heads only:

- tier 1 holds every non-urgent ticket keyed by its deadline; its head is
  overdue exactly when the deadline has passed;
- booked visitors wait in a "not due" heap keyed by their due time and move to
  tier 2 once it has passed;
- tickets that were called stay in the other counters' heaps and are skipped
  when they surface (lazy deletion).

Ties are broken by the order in which tickets joined, as `choose_with`'s single
pass does, so both give the very same answers (tests/core/test_call_order.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .model import Priority, Ticket, TicketKind, TicketState
from .policy import CounterTerms, Rules, personal_bonus

# (key, join order, ticket): the join order makes keys unique, so tickets are never compared
_Entry = tuple[datetime, int, Ticket]


@dataclass
class _Heaps:
    """One counter's tickets by tier; see the module docstring."""

    urgent: list[_Entry] = field(default_factory=list)
    deadline: list[_Entry] = field(default_factory=list)
    ranked: list[_Entry] = field(default_factory=list)
    not_due: list[_Entry] = field(default_factory=list)  # keyed by due time
    early: list[_Entry] = field(default_factory=list)  # keyed by slot
    # a not-due booked visitor's key in `ranked`, by join order
    due_key: dict[int, datetime] = field(default_factory=dict)
    # booked visitors by the forward run's minutes at which they become due
    wakes: list[tuple[float, int]] = field(default_factory=list)

    def copy(self) -> _Heaps:
        return _Heaps(self.urgent[:], self.deadline[:], self.ranked[:], self.not_due[:],
                      self.early[:], dict(self.due_key), self.wakes[:])


class CallOrder:
    """The waiting tickets of a forward run, ranked per counter.

    `origin` is the moment the forward run starts; `next_wake` counts minutes from it.
    """

    def __init__(self, *, terms: Sequence[CounterTerms], rules: Rules, origin: datetime) -> None:
        self._terms = list(terms)
        self._rules = rules
        self._origin = origin
        self._cap = timedelta(minutes=rules.walk_in_max_wait_min)
        self._late = timedelta(minutes=rules.appointment_max_late_min)
        self._weight = timedelta(minutes=rules.appointment_weight_min)
        self._heaps = [_Heaps() for _ in self._terms]
        self._gone: set[int] = set()
        self._joined = 0

    def copy(self) -> CallOrder:
        """An independent copy (a fresh forward run over the same queue)."""
        twin = CallOrder.__new__(CallOrder)
        twin.__dict__.update(self.__dict__)
        twin._heaps = [h.copy() for h in self._heaps]
        twin._gone = set(self._gone)
        return twin

    def add(self, ticket: Ticket) -> None:
        """Queue a waiting ticket at every counter that may call it, behind those queued before."""
        order = self._joined
        self._joined += 1
        if ticket.state is not TicketState.WAITING:
            return
        # what does not depend on the counter is worked out once
        slot = ticket.appointment_at if ticket.kind is TicketKind.APPOINTMENT else None
        urgent = ticket.priority is Priority.URGENT
        personal = (ticket.priority is Priority.ASSIST or ticket.target_counter_id is not None
                    or ticket.lang != self._rules.office_language)
        deadline = (ticket.arrived_at + self._cap if slot is None else slot + self._late, order, ticket)
        for terms, heaps in zip(self._terms, self._heaps, strict=True):
            bonus = terms.bonus.get(ticket.service_id)
            if bonus is None or ticket.target_counter_id not in (None, terms.counter.id):
                continue
            if ticket.appointment_at is not None:
                due = ticket.appointment_at - terms.due_before[ticket.service_id]
                heapq.heappush(heaps.wakes, ((due - self._origin).total_seconds() / 60, order))
            if urgent:
                heapq.heappush(heaps.urgent, (ticket.arrived_at, order, ticket))
                continue
            if personal:
                extra = personal_bonus(ticket, terms.counter, self._rules)
                if extra:
                    bonus = bonus + timedelta(minutes=extra)
            heapq.heappush(heaps.deadline, deadline)
            if slot is None:
                heapq.heappush(heaps.ranked, (ticket.arrived_at - bonus, order, ticket))
                continue
            heapq.heappush(heaps.not_due, (slot - terms.due_before[ticket.service_id], order, ticket))
            heaps.due_key[order] = slot - self._weight - bonus
            if self._rules.call_early_appointments:
                heapq.heappush(heaps.early, (slot, order, ticket))

    def take(self, index: int, now: datetime) -> Ticket | None:
        """Whom counter `index` calls at `now`, as `choose_with` would; that ticket leaves the queue.

        `now` must not go back between calls.
        """
        heaps = self._heaps[index]
        chosen = self._head(heaps.urgent)
        if chosen is None:
            chosen = self._head(heaps.deadline)
            if chosen is not None and now < chosen[0]:
                chosen = None
        if chosen is None:
            # Nobody is overdue here, so every live ticket in `ranked` is in tier 2, and
            # once the due ones have moved over, every live one in `early` is in tier 3.
            while heaps.not_due and now >= heaps.not_due[0][0]:
                _, order, ticket = heapq.heappop(heaps.not_due)
                heapq.heappush(heaps.ranked, (heaps.due_key.pop(order), order, ticket))
            chosen = self._head(heaps.ranked) or self._head(heaps.early)
        if chosen is None:
            return None
        self._gone.add(chosen[1])
        return chosen[2]

    def _head(self, heap: list[_Entry]) -> _Entry | None:
        while heap and heap[0][1] in self._gone:
            heapq.heappop(heap)
        return heap[0] if heap else None

    def next_wake(self, index: int, at: float) -> float | None:
        """The first minute after `at` at which a booked visitor counter `index` may call becomes due."""
        wakes = self._heaps[index].wakes
        while wakes and (wakes[0][0] <= at or wakes[0][1] in self._gone):
            heapq.heappop(wakes)
        return wakes[0][0] if wakes else None
