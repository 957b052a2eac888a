"""`choose_with` for a long run of decisions over one queue, each in O(log n).

The estimate's forward run asks the counters again and again whom they would
call next, while the clock only moves forward and tickets only join or leave.
Scanning the whole queue for each of those decisions makes the run quadratic.

Within a tier, a ticket's rank at a counter does not depend on the time (the
bonuses are folded into fixed keys), and a ticket only ever moves towards the
front tiers as time passes: not due -> due -> overdue. So the tickets wait in
one heap per tier, filled once, and a decision looks at the heads only:

- tier 1 holds every non-urgent ticket keyed by its deadline; its head is
  overdue exactly when the deadline has passed;
- booked visitors wait in a "not due" heap keyed by their due time and move to
  tier 2 once it has passed;
- a called ticket stays in its other heaps and is skipped when it surfaces
  (lazy deletion).

Most tickets rank alike at every counter that does their errand: the counter's
bonus for the errand is the same for all of them. They wait in a pool per
errand that those counters share, keyed without the bonus, and a counter
subtracts its bonus when it compares the heads of its pools. Only visitors with
a bonus of their own (assist, language, sent to a counter) are queued in a pool
per counter. So a ticket is queued once, not at each of its counters.

Times are whole microseconds from the run's origin, as datetimes are, so
comparing them is comparing the datetimes, only with ints. (All datetimes of a
run have fixed UTC offsets or share the origin's time zone, as in the server
and the simulator.) Ties are broken by the order in which tickets joined, as
`choose_with`'s single pass does, so both give the very same answers
(tests/core/test_call_order.py, tests/core/test_estimate_same.py).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from .model import Priority, Ticket, TicketKind, TicketState
from .policy import CounterTerms, Rules, personal_bonus

# Enum members as plain names: in Python 3.11 `Priority.URGENT` is a descriptor
# lookup that costs more than the rest of a ticket's test.
_WAITING, _APPOINTMENT = TicketState.WAITING, TicketKind.APPOINTMENT
_URGENT, _ASSIST = Priority.URGENT, Priority.ASSIST

# (key in microseconds, join order, ticket): the join order makes keys unique, so
# tickets are never compared
_Entry = tuple[int, int, Ticket]



def wake_min(due: datetime, origin: datetime) -> float:
    """Minutes from `origin` by which `due` has surely passed.

    A microsecond on top: the run's clock is origin + timedelta(minutes=...),
    which rounds to microseconds and could otherwise land just before `due`.
    """
    return (due - origin).total_seconds() / 60 + 1e-6 / 60


def _micros(delta: timedelta) -> int:
    """`delta // timedelta(microseconds=1)`, four times faster."""
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def clock_us(at: float) -> int:
    """The run's clock at minute `at` in microseconds: origin + timedelta(minutes=at), rounded as that rounds."""
    return _micros(timedelta(minutes=at))


def reached(at: float, key: int) -> bool:
    """Whether the run's clock at minute `at` has reached `key` (microseconds): `clock_us(at) >= key`.

    Building the timedelta costs microseconds, and a run asks this for every call;
    the float product is within half a microsecond of it (for any run shorter than
    a year), so only a product within two microseconds of `key` needs the exact clock.
    """
    approx = at * 60_000_000.0
    if approx >= key + 2:
        return True
    if approx <= key - 2:
        return False
    return clock_us(at) >= key


class _Pool:
    """Tickets that rank alike at the counters drawing on it: a heap per tier."""

    __slots__ = ("urgent", "deadline", "ranked", "not_due", "early", "due_key", "wakes")

    def __init__(self) -> None:
        self.urgent: list[_Entry] = []
        self.deadline: list[_Entry] = []
        self.ranked: list[_Entry] = []
        self.not_due: list[_Entry] = []  # by due time
        self.early: list[_Entry] = []  # by slot
        # a not-due booked visitor's key in `ranked`, by join order
        self.due_key: dict[int, int] = {}
        # booked visitors by the forward run's minutes at which they become due
        self.wakes: list[tuple[float, int]] = []

    def heaps(self) -> tuple[list[_Entry], ...]:
        return self.urgent, self.deadline, self.ranked, self.not_due, self.early

    def copy(self) -> _Pool:
        twin = _Pool()
        for mine, theirs in zip(self.heaps(), twin.heaps(), strict=True):
            theirs[:] = mine
        twin.due_key = dict(self.due_key)
        twin.wakes = self.wakes[:]
        return twin


class _View:
    """One counter's heaps of each tier, over the pools it draws on."""

    __slots__ = ("urgent", "deadline", "ranked", "early", "wakes")

    def __init__(self, sources: list[tuple[_Pool, int]]) -> None:
        self.urgent = [p.urgent for p, _ in sources]
        self.deadline = [p.deadline for p, _ in sources]
        # with the counter's bonus, which the keys of a shared pool do not carry
        self.ranked = sources
        self.early = [p.early for p, _ in sources]
        self.wakes = [p.wakes for p, _ in sources]


# a shared pool: its index, how long before the slot its booked visitors are due, the counters drawing on it
_Group = tuple[int, timedelta, tuple[int, ...]]
# a counter doing an errand: its index and id, its bonus for the errand, how long before the slot it is due
_Serving = tuple[int, str, int, timedelta]


class CallOrder:
    """The waiting tickets of a forward run, ranked per counter.

    `origin` is the moment the forward run starts; `take` and `next_wake` count minutes from it.
    """

    def __init__(self, *, terms: Sequence[CounterTerms], rules: Rules, origin: datetime) -> None:
        self._terms = list(terms)
        self._rules = rules
        self._origin = origin
        self._cap = _micros(timedelta(minutes=rules.walk_in_max_wait_min))
        self._late = _micros(timedelta(minutes=rules.appointment_max_late_min))
        self._weight = _micros(timedelta(minutes=rules.appointment_weight_min))
        # (counter index, priority, language, target counter) -> personal bonus; see _personal_bonus()
        self._personal: dict[tuple[int, Priority, str, str | None], int] = {}
        self._serving: dict[str, list[_Serving]] = {}
        for index, t in enumerate(self._terms):
            for service_id, bonus in t.bonus.items():
                self._serving.setdefault(service_id, []).append(
                    (index, t.counter.id, _micros(bonus), t.due_before[service_id]))
        # pool i < len(terms) is counter i's own; the others are shared, one per errand and due time
        self._groups: dict[str, list[_Group]] = {}
        # counter index -> (pool index, the counter's bonus to subtract from the pool's ranked keys)
        self._sources: list[list[tuple[int, int]]] = [[(i, 0)] for i in range(len(self._terms))]
        pools = len(self._terms)
        for service_id, serving in self._serving.items():
            by_due: dict[timedelta, list[_Serving]] = {}
            for counter in serving:
                by_due.setdefault(counter[3], []).append(counter)
            for due_before, counters in by_due.items():
                self._groups.setdefault(service_id, []).append((pools, due_before, tuple(c[0] for c in counters)))
                for counter in counters:
                    self._sources[counter[0]].append((pools, counter[2]))
                pools += 1
        self._reset([_Pool() for _ in range(pools)])

    def _reset(self, pools: list[_Pool], gone: set[int] | None = None, joined: int = 0, urgent: int = 0) -> None:
        self._pools = pools
        self._views = [_View([(pools[p], bonus) for p, bonus in sources]) for sources in self._sources]
        self._gone = gone if gone is not None else set()
        self._joined = joined
        # urgent tickets queued and not called yet: while none, nobody looks at tier 0
        self._urgent = urgent

    def emptied(self) -> CallOrder:
        """A queue with nobody in it yet, for the same counters and moment."""
        twin = CallOrder.__new__(CallOrder)
        twin.__dict__.update(self.__dict__)
        twin._reset([_Pool() for _ in self._pools])
        return twin

    def copy(self) -> CallOrder:
        """An independent copy (a fresh forward run over the same queue)."""
        twin = CallOrder.__new__(CallOrder)
        twin.__dict__.update(self.__dict__)
        twin._reset([p.copy() for p in self._pools], set(self._gone), self._joined, self._urgent)
        return twin

    def fill(self, tickets: Iterable[Ticket]) -> None:
        """`add` each ticket, in order; faster, as the heaps are built once at the end."""
        for ticket in tickets:
            self._queue(ticket, list.append)
        for pool in self._pools:
            for heap in pool.heaps():
                heapq.heapify(heap)
            heapq.heapify(pool.wakes)

    def add(self, ticket: Ticket) -> tuple[int, ...]:
        """Queue a waiting ticket at every counter that may call it, behind those queued before.

        Returns the indexes of those counters.
        """
        return self._queue(ticket, heapq.heappush)

    def _queue(self, ticket: Ticket, put: Callable[[list[Any], Any], None]) -> tuple[int, ...]:
        """Queue `ticket` with `put` (append or push); the counters that may call it."""
        order = self._joined
        self._joined += 1
        if ticket.state is not _WAITING:
            return ()
        origin = self._origin
        arrived = _micros(ticket.arrived_at - origin)
        slot = None
        if ticket.kind is _APPOINTMENT and ticket.appointment_at is not None:
            slot = _micros(ticket.appointment_at - origin)
        if (ticket.priority is _ASSIST or ticket.target_counter_id is not None
                or ticket.lang != self._rules.office_language):
            counters = self._queue_personal(ticket, order, arrived, slot, put)
        else:
            counters = ()
            for pool, due_before, drawing in self._groups.get(ticket.service_id, ()):
                self._put(ticket, order, arrived, slot, self._pools[pool], due_before, 0, put)
                counters += drawing
        if counters and ticket.priority is _URGENT:
            self._urgent += 1
        return counters

    def _queue_personal(
        self, ticket: Ticket, order: int, arrived: int, slot: int | None, put: Callable[[list[Any], Any], None]
    ) -> tuple[int, ...]:
        """A visitor with a bonus of their own: queued in the own pool of each counter that may call them."""
        counters = []
        target = ticket.target_counter_id
        for index, counter_id, bonus, due_before in self._serving.get(ticket.service_id, ()):
            if target is None or target == counter_id:
                bonus += self._personal_bonus(index, ticket)
                self._put(ticket, order, arrived, slot, self._pools[index], due_before, bonus, put)
                counters.append(index)
        return tuple(counters)

    def _personal_bonus(self, index: int, ticket: Ticket) -> int:
        """`personal_bonus` at counter `index` in microseconds, worked out once per kind of visitor.

        It depends on the visitor's priority, language and target counter only.
        """
        kind = (index, ticket.priority, ticket.lang, ticket.target_counter_id)
        found = self._personal.get(kind)
        if found is None:
            extra = personal_bonus(ticket, self._terms[index].counter, self._rules)
            found = self._personal[kind] = _micros(timedelta(minutes=extra)) if extra else 0
        return found

    def _put(
        self, ticket: Ticket, order: int, arrived: int, slot: int | None, pool: _Pool, due_before: timedelta,
        bonus: int, put: Callable[[list[Any], Any], None],
    ) -> None:
        """`ticket`'s entries in `pool`; `bonus`: what its ranked keys carry already (own pools)."""
        if ticket.appointment_at is not None:
            put(pool.wakes, (wake_min(ticket.appointment_at - due_before, self._origin), order))
        if ticket.priority is _URGENT:
            put(pool.urgent, (arrived, order, ticket))
        elif slot is None:
            put(pool.deadline, (arrived + self._cap, order, ticket))
            put(pool.ranked, (arrived - bonus, order, ticket))
        else:
            put(pool.deadline, (slot + self._late, order, ticket))
            put(pool.not_due, (slot - _micros(due_before), order, ticket))
            pool.due_key[order] = slot - self._weight - bonus
            if self._rules.call_early_appointments:
                put(pool.early, (slot, order, ticket))

    def take(self, index: int, at: float) -> Ticket | None:
        """Whom counter `index` calls at minute `at`, as `choose_with` would; that ticket leaves the queue.

        `at` must not go back between calls (of any counter).
        """
        view = self._views[index]
        chosen = self._least(view.urgent) if self._urgent else None
        if chosen is None:
            chosen = self._least(view.deadline)
            if chosen is not None and not reached(at, chosen[0]):
                chosen = None
        if chosen is None:
            # Nobody is overdue here, so every live ticket in `ranked` is in tier 2, and
            # once the due ones have moved over, every live one in `early` is in tier 3.
            chosen = self._least_ranked(view.ranked, at) or self._least(view.early)
        if chosen is None:
            return None
        self._gone.add(chosen[1])
        if chosen[2].priority is _URGENT:
            self._urgent -= 1
        return chosen[2]

    def _least(self, heaps: list[list[_Entry]]) -> _Entry | None:
        """The least live entry over `heaps`, dropping the called ones on the way."""
        best = None
        gone, pop = self._gone, heapq.heappop
        for heap in heaps:
            while heap and heap[0][1] in gone:
                pop(heap)
            if heap and (best is None or heap[0] < best):
                best = heap[0]
        return best

    def _least_ranked(self, sources: list[tuple[_Pool, int]], at: float) -> _Entry | None:
        """The best of tier 2 at minute `at`, each pool's keys less the counter's bonus for it."""
        best: _Entry | None = None
        gone, pop, push = self._gone, heapq.heappop, heapq.heappush
        for pool, bonus in sources:
            heap, not_due = pool.ranked, pool.not_due
            # The clock only moves on, so a booked visitor due for one counter of a shared
            # pool is due for every later decision too.
            while not_due and reached(at, not_due[0][0]):
                _, order, ticket = pop(not_due)
                push(heap, (pool.due_key.pop(order), order, ticket))
            while heap and heap[0][1] in gone:
                pop(heap)
            if heap:
                key, order, ticket = heap[0]
                if best is None or (key - bonus, order) < best[:2]:
                    best = (key - bonus, order, ticket)
        return best

    def next_wake(self, index: int, at: float) -> float | None:
        """The first minute after `at` at which a booked visitor counter `index` may call becomes due.

        `at` must not go back between calls (of any counter).
        """
        found = None
        for wakes in self._views[index].wakes:
            while wakes and (wakes[0][0] <= at or wakes[0][1] in self._gone):
                heapq.heappop(wakes)
            if wakes and (found is None or wakes[0][0] < found):
                found = wakes[0][0]
        return found
