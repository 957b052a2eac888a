"""REFERENCE COPY of counter_server/core/call_order.py at commit 093b225 (before issue 14), for tests only.

The figures of the fast core must equal these exactly (tests/core/test_estimate_same.py).
Do not change it to follow the core: it is what "the same figures" means.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from counter_server.core.model import Priority, Ticket, TicketKind, TicketState
from counter_server.core.policy import CounterTerms, Rules, personal_bonus

# (key, join order, ticket): the join order makes keys unique, so tickets are never compared
_Entry = tuple[datetime, int, Ticket]


def wake_min(due: datetime, origin: datetime) -> float:
    """Minutes from `origin` by which `due` has surely passed.

    A microsecond on top: the run's clock is origin + timedelta(minutes=...),
    which rounds to microseconds and could otherwise land just before `due`.
    """
    return (due - origin).total_seconds() / 60 + 1e-6 / 60


# the tiers of a counter's heaps; see the module docstring
_URGENT, _DEADLINE, _RANKED, _NOT_DUE, _EARLY = range(5)

# how one ticket is queued at one counter: (counter index, (tier, key) pairs,
# its ranked key once due (booked visitors), minute it becomes due (booked visitors))
_Placement = tuple[int, tuple[tuple[int, datetime], ...], datetime | None, float | None]


@dataclass
class _Heaps:
    """One counter's tickets: a heap per tier, by key.

    `_NOT_DUE` is keyed by due time, `_EARLY` by slot.
    """

    tiers: list[list[_Entry]] = field(default_factory=lambda: [[] for _ in range(5)])
    # a not-due booked visitor's key in `_RANKED`, by join order
    due_key: dict[int, datetime] = field(default_factory=dict)
    # booked visitors by the forward run's minutes at which they become due
    wakes: list[tuple[float, int]] = field(default_factory=list)

    def copy(self) -> _Heaps:
        return _Heaps([tier[:] for tier in self.tiers], dict(self.due_key), self.wakes[:])


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
        # id(ticket) -> the ticket (so that its id is not reused) and its placement;
        # shared by copies, which see the same tickets
        self._plans: dict[int, tuple[Ticket, list[_Placement]]] = {}

    def emptied(self) -> CallOrder:
        """A queue with nobody in it yet, for the same counters and moment.

        It shares what is worked out per ticket, so tickets added to both are placed once.
        """
        twin = self.copy()
        twin._heaps = [_Heaps() for _ in self._terms]
        twin._gone = set()
        twin._joined = 0
        return twin

    def copy(self) -> CallOrder:
        """An independent copy (a fresh forward run over the same queue)."""
        twin = CallOrder.__new__(CallOrder)
        twin.__dict__.update(self.__dict__)
        twin._heaps = [h.copy() for h in self._heaps]
        twin._gone = set(self._gone)
        return twin

    def fill(self, tickets: Iterable[Ticket]) -> None:
        """`add` each ticket, in order; faster, as the heaps are built once at the end."""
        for ticket in tickets:
            order, plan = self._join(ticket)
            for index, pushes, due_key, wake in plan:
                heaps = self._heaps[index]
                for tier, key in pushes:
                    heaps.tiers[tier].append((key, order, ticket))
                if due_key is not None:
                    heaps.due_key[order] = due_key
                if wake is not None:
                    heaps.wakes.append((wake, order))
        for heaps in self._heaps:
            for heap in heaps.tiers:
                heapq.heapify(heap)
            heapq.heapify(heaps.wakes)

    def add(self, ticket: Ticket) -> list[int]:
        """Queue a waiting ticket at every counter that may call it, behind those queued before.

        Returns the indexes of those counters.
        """
        order, plan = self._join(ticket)
        for index, pushes, due_key, wake in plan:
            heaps = self._heaps[index]
            for tier, key in pushes:
                heapq.heappush(heaps.tiers[tier], (key, order, ticket))
            if due_key is not None:
                heaps.due_key[order] = due_key
            if wake is not None:
                heapq.heappush(heaps.wakes, (wake, order))
        return [placement[0] for placement in plan]

    def _join(self, ticket: Ticket) -> tuple[int, list[_Placement]]:
        """The ticket's join order, and its placement (worked out on first sight)."""
        order = self._joined
        self._joined += 1
        known = self._plans.get(id(ticket))
        if known is None:
            known = self._plans[id(ticket)] = (ticket, self._plan(ticket))
        return order, known[1]

    def _plan(self, ticket: Ticket) -> list[_Placement]:
        """Where `ticket` goes at each counter, with which keys (the same in every run)."""
        plan: list[_Placement] = []
        if ticket.state is not TicketState.WAITING:
            return plan
        slot = ticket.appointment_at if ticket.kind is TicketKind.APPOINTMENT else None
        urgent = ticket.priority is Priority.URGENT
        personal = (ticket.priority is Priority.ASSIST or ticket.target_counter_id is not None
                    or ticket.lang != self._rules.office_language)
        deadline = ticket.arrived_at + self._cap if slot is None else slot + self._late
        for index, terms in enumerate(self._terms):
            bonus = terms.bonus.get(ticket.service_id)
            if bonus is None or ticket.target_counter_id not in (None, terms.counter.id):
                continue
            wake = None
            if ticket.appointment_at is not None:
                wake = wake_min(ticket.appointment_at - terms.due_before[ticket.service_id], self._origin)
            if urgent:
                plan.append((index, ((_URGENT, ticket.arrived_at),), None, wake))
                continue
            extra = personal_bonus(ticket, terms.counter, self._rules) if personal else 0.0
            if extra:
                bonus = bonus + timedelta(minutes=extra)
            if slot is None:
                plan.append((index, ((_DEADLINE, deadline), (_RANKED, ticket.arrived_at - bonus)), None, wake))
                continue
            pushes = [(_DEADLINE, deadline), (_NOT_DUE, slot - terms.due_before[ticket.service_id])]
            if self._rules.call_early_appointments:
                pushes.append((_EARLY, slot))
            plan.append((index, tuple(pushes), slot - self._weight - bonus, wake))
        return plan

    def take(self, index: int, now: datetime) -> Ticket | None:
        """Whom counter `index` calls at `now`, as `choose_with` would; that ticket leaves the queue.

        `now` must not go back between calls.
        """
        heaps = self._heaps[index]
        tiers = heaps.tiers
        chosen = self._head(tiers[_URGENT])
        if chosen is None:
            chosen = self._head(tiers[_DEADLINE])
            if chosen is not None and now < chosen[0]:
                chosen = None
        if chosen is None:
            # Nobody is overdue here, so every live ticket in `_RANKED` is in tier 2, and
            # once the due ones have moved over, every live one in `_EARLY` is in tier 3.
            not_due = tiers[_NOT_DUE]
            while not_due and now >= not_due[0][0]:
                _, order, ticket = heapq.heappop(not_due)
                heapq.heappush(tiers[_RANKED], (heaps.due_key.pop(order), order, ticket))
            chosen = self._head(tiers[_RANKED]) or self._head(tiers[_EARLY])
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
