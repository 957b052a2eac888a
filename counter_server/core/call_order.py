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
errand (call_pools.py) that those counters share, keyed without the bonus, and a
counter subtracts its bonus when it compares the heads of its pools. Visitors
with a bonus of their own (assist, language, sent to a counter) have their
ranked keys in a pool per counter. So most tickets are queued once, not at each
of their counters. Keys and the clock are microseconds (run_clock.py).

Ties are broken by the order in which tickets joined, as `choose_with`'s single
pass does, so both give the very same answers (tests/core/test_call_order.py,
tests/core/test_estimate_same.py).

Filling the heaps is the one step of an estimate that grows with the whole queue before
any call: `fill_kept` lends a copy of the queue filled for the previous estimate instead,
brought up to date, while tickets have only left it or joined it behind everyone.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from .call_pools import Pool, View
from .kept import Kept
from .model import Priority, Ticket, TicketKind, TicketState
from .policy import CounterTerms, Rules, personal_bonus
from .run_clock import ORDER, SHIFT, micros, reached, wake_min

# Enum members as plain names: in Python 3.11 `Priority.URGENT` is a descriptor
# lookup that costs more than the rest of a ticket's test.
_WAITING, _APPOINTMENT = TicketState.WAITING, TicketKind.APPOINTMENT
_NORMAL, _URGENT, _ASSIST = Priority.NORMAL, Priority.URGENT, Priority.ASSIST

# a shared pool: its index, how long before the slot its booked visitors are due, the counters drawing on it
_Group = tuple[int, timedelta, tuple[int, ...]]
# a counter doing an errand: its index and id, its bonus for the errand, how long before the slot it is due
_Serving = tuple[int, str, int, timedelta]
# list.append while filling, heapq.heappush once the heaps are built
_Put = Callable[[list[int], int], None]


# What `CallOrder._lay_out` makes, kept per terms and rules: the estimate makes a call order for
# the same counters at every check-in. Nothing in it changes once made but the memo of
# personal bonuses, which depends on the terms and rules only.
_LAYOUT = ("_personal", "_serving", "_groups", "_sources", "_drawing")
_LAYOUTS: Kept[dict[str, object]] = Kept(64)  # by (rules, *terms)


class CallOrder:
    """The waiting tickets of a forward run, ranked per counter.

    `origin` is the moment the forward run starts; `take` and `next_wake` count minutes from it.
    """

    def __init__(self, *, terms: Sequence[CounterTerms], rules: Rules, origin: datetime) -> None:
        self._terms = list(terms)
        self._rules = rules
        self._origin = origin
        # Keys are microseconds since `_frame`, which is `origin` unless the queue was lent
        # from one filled earlier (`fill_kept`); `_shift` is origin - frame, in microseconds.
        self._frame = origin
        self._shift = 0
        # (pool, due time, join order) of each booked visitor's wake, while `fill_kept` fills
        self._dues: list[tuple[int, datetime, int]] | None = None
        self._cap = micros(timedelta(minutes=rules.walk_in_max_wait_min))
        self._late = micros(timedelta(minutes=rules.appointment_max_late_min))
        self._weight = micros(timedelta(minutes=rules.appointment_weight_min))
        known = _LAYOUTS.get((rules, *self._terms))
        if known is not None:
            self.__dict__.update(known)
        else:
            self._lay_out()
            _LAYOUTS.put((rules, *self._terms), {name: getattr(self, name) for name in _LAYOUT})
        self._reset([None] * len(self._drawing), [])

    def _lay_out(self) -> None:
        """The pools and who draws on them: they depend on the terms and rules only."""
        # (counter index, priority, language, target counter) -> personal bonus; see _personal_bonus()
        self._personal: dict[tuple[int, Priority, str, str | None], int] = {}
        self._serving: dict[str, list[_Serving]] = {}
        for index, t in enumerate(self._terms):
            for service_id, bonus in t.bonus.items():
                self._serving.setdefault(service_id, []).append(
                    (index, t.counter.id, micros(bonus), t.due_before[service_id]))
        # pool i < len(terms) is counter i's own; the others are shared, one per errand and due time
        self._groups: dict[str, list[_Group]] = {}
        # counter index -> (pool index, the counter's bonus for the pool's errand, shifted as the entries)
        self._sources: list[list[tuple[int, int]]] = [[(i, 0)] for i in range(len(self._terms))]
        pools = len(self._terms)
        for service_id, serving in self._serving.items():
            by_due: dict[timedelta, list[_Serving]] = {}
            for counter in serving:
                by_due.setdefault(counter[3], []).append(counter)
            for due_before, counters in by_due.items():
                self._groups.setdefault(service_id, []).append((pools, due_before, tuple(c[0] for c in counters)))
                for counter in counters:
                    self._sources[counter[0]].append((pools, counter[2] << SHIFT))
                pools += 1
        # pool index -> the counters drawing on it
        self._drawing: list[list[int]] = [[] for _ in range(pools)]
        for index, sources in enumerate(self._sources):
            for pool, _ in sources:
                self._drawing[pool].append(index)

    def _reset(self, pools: list[Pool | None], tickets: list[Ticket | None], gone: set[int] | None = None,
               urgent: int = 0, booked: dict[int, Ticket] | None = None) -> None:
        # A pool is made when the first ticket joins it, and a counter's view when it first
        # calls: most counters have no pool of their own, and the sampled runs copy the
        # queue eight times for a few dozen calls.
        self._pools = pools
        self._views: list[View | None] = [None] * len(self._sources)
        # join order -> ticket (None: not queued)
        self._tickets = tickets
        self._gone = gone if gone is not None else set()
        # urgent tickets queued and not called yet: while none, nobody looks at tier 0
        self._urgent = urgent
        # join order -> a booked visitor queued and not called yet (for the slot guard, run_guard.py)
        self._booked = booked if booked is not None else {}
        # (arrival, join order) of the walk-ins queued, earliest first: made when `walk_ins` is first
        # asked, never changed (a copy shares it); those before `_arrival_front` are called
        self._by_arrival: list[tuple[datetime, int]] | None = None
        self._arrival_front = 0

    def _pool(self, index: int) -> Pool:
        """Pool `index`, made on first use (the views of the counters drawing on it then change)."""
        pool = self._pools[index]
        if pool is None:
            pool = self._pools[index] = Pool()
            for counter in self._drawing[index]:
                self._views[counter] = None
        return pool

    def _view(self, index: int) -> View:
        view = self._views[index]
        if view is None:
            pools = self._pools
            view = self._views[index] = View(
                [(pool, bonus) for p, bonus in self._sources[index] if (pool := pools[p]) is not None])
        return view

    def emptied(self) -> CallOrder:
        """A queue with nobody in it yet, for the same counters and moment."""
        twin = CallOrder.__new__(CallOrder)
        twin.__dict__.update(self.__dict__)
        twin._reset([None] * len(self._pools), [])
        return twin

    def copy(self) -> CallOrder:
        """An independent copy (a fresh forward run over the same queue)."""
        twin = CallOrder.__new__(CallOrder)
        twin.__dict__.update(self.__dict__)
        pools = [p and p.copy() for p in self._pools]
        twin._reset(pools, self._tickets[:], set(self._gone), self._urgent, dict(self._booked))
        twin._by_arrival, twin._arrival_front = self._by_arrival, self._arrival_front
        return twin

    def fill(self, tickets: Iterable[Ticket]) -> set[str]:
        """`add` each ticket, in order; faster, as the heaps are built once at the end.

        Returns the ids of those queued at some counter: a forward run calls each of them
        sooner or later (no counter is closed in a run, and a held counter looks again).
        """
        queued = set()
        for ticket in tickets:
            if self._queue(ticket, list.append):
                queued.add(ticket.id)
        for pool in self._pools:
            if pool is not None:
                pool.heapify()
        self._by_arrival = None
        return queued

    def fill_kept(self, tickets: Sequence[Ticket]) -> set[str]:
        """`fill`, from the queue filled for an earlier estimate at the same counters when
        that only lost tickets and gained new ones behind: copying its heaps costs a fiftieth
        of filling them (800 waiting: 0.03 against 1.7 ms).

        The kept heaps are keyed from the moment they were filled (`_frame`); every key
        moves by the same amount, so they order alike, and the clock is compared with them
        less `_shift`. Join orders keep their order too, and so ties break alike: the
        answers are `fill`'s (tests/core/test_call_order_kept.py).
        """
        key = (self._rules, *self._terms)
        with _FILLED_LOCK:  # a server's readers estimate on threads of their own
            kept = _FILLED.get(key)
            if kept is None or not kept.update(tickets):
                kept = _FILLED.put(key, _Filled(self, tickets))
            return kept.lend(self)

    def add(self, ticket: Ticket) -> tuple[int, ...]:
        """Queue a waiting ticket at every counter that may call it, behind those queued before.

        Returns the indexes of those counters.
        """
        if ticket.kind is not _APPOINTMENT:
            self._by_arrival = None
        return self._queue(ticket, heapq.heappush)

    def _queue(self, ticket: Ticket, put: _Put) -> tuple[int, ...]:
        """Queue `ticket` with `put`; the counters that may call it."""
        order = len(self._tickets)
        if ticket.state is not _WAITING:
            self._tickets.append(None)
            return ()
        self._tickets.append(ticket)
        since = ticket.arrived_at - self._frame
        arrived = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds  # micros(), inlined
        if (ticket.priority is _NORMAL and ticket.appointment_at is None and ticket.target_counter_id is None
                and ticket.lang == self._rules.office_language):
            # most of the queue: a walk-in with no bonus of their own, once in the pools of the errand
            deadline, ranked = (arrived + self._cap) << SHIFT | order, arrived << SHIFT | order
            counters: tuple[int, ...] = ()
            for pool, _, drawing in self._groups.get(ticket.service_id, ()):
                found = self._pools[pool] or self._pool(pool)
                put(found.deadline, deadline)
                put(found.ranked, ranked)
                counters += drawing
            return counters
        return self._queue_other(ticket, order, arrived, put)

    def _queue_other(self, ticket: Ticket, order: int, arrived: int, put: _Put) -> tuple[int, ...]:
        """`_queue` for the urgent, the booked and those with a bonus of their own."""
        slot = None
        if ticket.kind is _APPOINTMENT and ticket.appointment_at is not None:
            slot = micros(ticket.appointment_at - self._frame)
        urgent = ticket.priority is _URGENT
        if slot is not None:
            self._booked[order] = ticket
        counters: tuple[int, ...] = ()
        if ticket.target_counter_id is None and (urgent or (
                ticket.priority is not _ASSIST and ticket.lang == self._rules.office_language)):
            for pool, due_before, drawing in self._groups.get(ticket.service_id, ()):
                self._put(ticket, order, arrived, slot, pool, due_before, 0, put)
                counters += drawing
        elif ticket.target_counter_id is None and ticket.appointment_at is None:
            counters = self._queue_personal_walk_in(ticket, order, arrived, put)
        else:
            counters = self._queue_personal(ticket, order, arrived, slot, put)
        if counters and urgent:
            self._urgent += 1
        return counters

    def _queue_personal_walk_in(self, ticket: Ticket, order: int, arrived: int, put: _Put) -> tuple[int, ...]:
        """A walk-in with a bonus of their own: the deadline is everyone's, the ranked key each counter's."""
        deadline = (arrived + self._cap) << SHIFT | order
        for pool, _, _ in self._groups.get(ticket.service_id, ()):
            put(self._pool(pool).deadline, deadline)
        counters = []
        for index, _, bonus, _ in self._serving.get(ticket.service_id, ()):
            bonus += self._personal_bonus(index, ticket)
            put(self._pool(index).ranked, (arrived - bonus) << SHIFT | order)
            counters.append(index)
        return tuple(counters)

    def _queue_personal(
        self, ticket: Ticket, order: int, arrived: int, slot: int | None, put: _Put
    ) -> tuple[int, ...]:
        """Queued in the own pool of each counter that may call them: sent to a counter, or booked."""
        counters = []
        target = ticket.target_counter_id
        for index, counter_id, bonus, due_before in self._serving.get(ticket.service_id, ()):
            if target is None or target == counter_id:
                bonus += self._personal_bonus(index, ticket)
                self._put(ticket, order, arrived, slot, index, due_before, bonus, put)
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
            found = self._personal[kind] = micros(timedelta(minutes=extra)) if extra else 0
        return found

    def _put(
        self, ticket: Ticket, order: int, arrived: int, slot: int | None, index: int, due_before: timedelta,
        bonus: int, put: _Put,
    ) -> None:
        """`ticket`'s entries in pool `index`; `bonus`: what its ranked keys carry already (own pools)."""
        pool = self._pool(index)
        if ticket.appointment_at is not None:
            due = ticket.appointment_at - due_before
            pool.wake(wake_min(due, self._origin), order, put is list.append)
            if self._dues is not None:
                self._dues.append((index, due, order))
        if ticket.priority is _URGENT:
            put(pool.urgent, arrived << SHIFT | order)
        elif slot is None:
            put(pool.deadline, (arrived + self._cap) << SHIFT | order)
            put(pool.ranked, (arrived - bonus) << SHIFT | order)
        else:
            put(pool.deadline, (slot + self._late) << SHIFT | order)
            put(pool.not_due, (slot - micros(due_before)) << SHIFT | order)
            pool.due_key[order] = (slot - self._weight - bonus) << SHIFT | order
            if self._rules.call_early_appointments:
                put(pool.early, slot << SHIFT | order)

    def take(self, index: int, at: float) -> Ticket | None:
        """Whom counter `index` calls at minute `at`, as `choose_with` would; that ticket leaves the queue.

        `at` must not go back between calls (of any counter).
        """
        chosen = self.first(index, at)
        return None if chosen is None else self.remove(chosen)

    def first(self, index: int, at: float) -> int | None:
        """The join order of whom counter `index` would call at minute `at` (`take` without the call)."""
        view = self._views[index] or self._view(index)
        chosen = view.least(view.urgent(), self._gone) if self._urgent else None
        if chosen is None:
            chosen = view.least(view.deadline, self._gone)
            if chosen is not None and not reached(at, (chosen >> SHIFT) - self._shift):
                chosen = None
        if chosen is None:
            # Nobody is overdue here, so every live ticket in `ranked` is in tier 2, and
            # once the due ones have moved over, every live one in `early` is in tier 3.
            chosen = view.least_ranked(at, self._gone, self._shift)
            if chosen is None:
                chosen = view.least(view.early(), self._gone)
        return None if chosen is None else chosen & ORDER

    def ticket(self, order: int) -> Ticket:
        """The ticket that joined `order`-th."""
        ticket = self._tickets[order]
        assert ticket is not None
        return ticket

    def remove(self, order: int) -> Ticket:
        """The ticket that joined `order`-th leaves the queue (it is called); not called before."""
        self._gone.add(order)
        ticket = self._tickets[order]
        assert ticket is not None
        if ticket.priority is _URGENT:
            self._urgent -= 1
        if self._booked:
            self._booked.pop(order, None)
        return ticket

    def booked(self) -> dict[int, Ticket]:
        """Join order -> booked visitor, of those queued and not called yet (read only)."""
        return self._booked

    def queued(self) -> list[tuple[int, Ticket]]:
        """Everyone queued and not called yet, with their join order, first joined first."""
        gone = self._gone
        return [(order, t) for order, t in enumerate(self._tickets) if t is not None and order not in gone]

    def walk_ins(self) -> Iterator[Ticket]:
        """The walk-ins queued and not called yet, longest waiting (earliest arrival) first.

        For the slot guard, which asks only for the first one or two: the arrivals are sorted
        once per queue, and those called from the front are passed over for good.
        """
        if self._by_arrival is None:
            self._by_arrival = sorted(
                (t.arrived_at, order) for order, t in enumerate(self._tickets)
                if t is not None and t.kind is not _APPOINTMENT)
            self._arrival_front = 0
        by_arrival, gone = self._by_arrival, self._gone
        front = self._arrival_front
        while front < len(by_arrival) and by_arrival[front][1] in gone:
            front += 1
        self._arrival_front = front
        for position in range(front, len(by_arrival)):
            order = by_arrival[position][1]
            if order not in gone:
                ticket = self._tickets[order]
                assert ticket is not None
                yield ticket

    def next_wake(self, index: int, at: float) -> float | None:
        """The first minute after `at` at which a booked visitor counter `index` may call becomes due.

        `at` must not go back between calls (of any counter).
        """
        return self._view(index).next_wake(at, self._gone)


class _Filled:
    """A queue filled once and brought up to date while tickets only leave it or join it
    behind everyone (see `CallOrder.fill_kept`); never run itself."""

    __slots__ = ("order", "index", "queued", "urgent", "live")

    def __init__(self, like: CallOrder, tickets: Sequence[Ticket]) -> None:
        self.order = like.emptied()
        self.order._dues = []
        self.index: dict[str, int] = {}  # ticket id -> join order
        self.queued: set[int] = set()  # join orders queued at some counter
        self.urgent: list[int] = []  # join orders of urgent tickets queued
        self.live: list[int] = []  # join orders of the queue last asked for, in order
        self._join(tickets, list.append)
        for pool in self.order._pools:
            if pool is not None:
                pool.heapify()

    def _join(self, tickets: Iterable[Ticket], put: _Put) -> None:
        order, index, live = self.order, self.index, self.live
        for ticket in tickets:
            joined = len(order._tickets)
            index[ticket.id] = joined
            live.append(joined)
            if order._queue(ticket, put):
                self.queued.add(joined)
                if ticket.priority is _URGENT:
                    self.urgent.append(joined)

    def update(self, tickets: Sequence[Ticket]) -> bool:
        """Bring the kept queue to `tickets`; False when they did more than leave or join behind."""
        index, known = self.index, self.order._tickets
        live: list[int] = []
        last = -1
        new = len(tickets)
        for position, ticket in enumerate(tickets):
            joined = index.get(ticket.id)
            if joined is None:
                new = position
                break
            if joined <= last or known[joined] is not ticket:  # moved, or changed since
                return False
            live.append(joined)
            last = joined
        behind = tickets[new:]
        if any(t.id in index for t in behind) or len(known) + len(behind) > 2 * len(tickets) + 64:
            return False  # out of order, or more gone than left: fill anew
        self.live = live
        self._join(behind, heapq.heappush)
        return True

    def lend(self, to: CallOrder) -> set[str]:
        """Give `to` (same counters and rules, any origin) a copy of the kept queue; the ids queued."""
        kept = self.order
        live = self.live
        gone = set(range(len(kept._tickets)))
        gone.difference_update(live)
        pools = [p and p.copy() for p in kept._pools]
        for pool in pools:
            if pool is not None and pool.wakes:
                pool.wakes = []
        for index, due, joined in kept._dues or ():
            if joined not in gone:
                pools[index].wakes.append((wake_min(due, to._origin), joined))  # type: ignore[union-attr]
        for pool in pools:
            if pool is not None:
                heapq.heapify(pool.wakes)
        to._frame = kept._frame
        to._shift = micros(to._origin - kept._frame)
        urgent = sum(1 for joined in self.urgent if joined not in gone)
        booked = {joined: t for joined, t in kept._booked.items() if joined not in gone}
        to._reset(pools, kept._tickets[:], gone, urgent, booked)
        tickets, queued = kept._tickets, self.queued
        return {tickets[joined].id for joined in live if joined in queued}  # type: ignore[union-attr]


# the kept queue per counters' terms and rules (see CallOrder.fill_kept)
_FILLED: Kept[_Filled] = Kept(8)
_FILLED_LOCK = threading.Lock()
