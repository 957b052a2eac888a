"""The heaps of the call order (call_order.py): pools of tickets, and each counter's view of them.

An entry is one int, key << SHIFT | join order (run_clock.py); a called ticket's
entries stay where they are and are dropped when they surface (`gone` holds the
join orders of the called).
"""

from __future__ import annotations

import heapq

from .run_clock import ORDER, SHIFT, reached


class Pool:
    """Tickets that rank alike at the counters drawing on it: a heap per tier."""

    __slots__ = ("urgent", "deadline", "ranked", "not_due", "early", "due_key", "wakes")

    def __init__(self) -> None:
        self.urgent: list[int] = []
        self.deadline: list[int] = []
        self.ranked: list[int] = []
        self.not_due: list[int] = []  # booked visitors by due time
        self.early: list[int] = []  # booked visitors by slot
        # a not-due booked visitor's entry in `ranked`, by join order
        self.due_key: dict[int, int] = {}
        # (the forward run's minute at which a booked visitor becomes due, join order)
        self.wakes: list[tuple[float, int]] = []

    def heaps(self) -> tuple[list[int], ...]:
        return self.urgent, self.deadline, self.ranked, self.not_due, self.early

    def wake(self, minute: float, order: int, filling: bool) -> None:
        if filling:
            self.wakes.append((minute, order))
        else:
            heapq.heappush(self.wakes, (minute, order))

    def heapify(self) -> None:
        for heap in self.heaps():
            heapq.heapify(heap)
        heapq.heapify(self.wakes)

    def copy(self) -> Pool:
        twin = Pool.__new__(Pool)
        twin.urgent, twin.deadline, twin.ranked = self.urgent[:], self.deadline[:], self.ranked[:]
        twin.not_due, twin.early = self.not_due[:], self.early[:]
        twin.due_key = dict(self.due_key)
        twin.wakes = self.wakes[:]
        return twin


class View:
    """One counter's heaps of each tier, over the pools it draws on.

    `sources`: each pool with the counter's bonus for its errand (shifted as the
    entries are), which the ranked keys of a shared pool do not carry.

    Only the deadline heaps, which every decision looks at, are listed when the view is
    made: each sampled run of the estimate makes its views anew for a few decisions, and
    the other tiers are looked at seldom (urgent tickets, early booked visitors, idle counters).
    """

    __slots__ = ("deadline", "sources")

    def __init__(self, sources: list[tuple[Pool, int]]) -> None:
        self.deadline = [p.deadline for p, _ in sources]
        self.sources = sources

    def urgent(self) -> list[list[int]]:
        return [p.urgent for p, _ in self.sources]

    def early(self) -> list[list[int]]:
        return [p.early for p, _ in self.sources]

    @staticmethod
    def least(heaps: list[list[int]], gone: set[int]) -> int | None:
        """The least live entry over `heaps`, dropping the called ones on the way."""
        best = None
        pop = heapq.heappop
        for heap in heaps:
            while heap and heap[0] & ORDER in gone:
                pop(heap)
            if heap and (best is None or heap[0] < best):
                best = heap[0]
        return best

    def least_ranked(self, at: float, gone: set[int], shift: int) -> int | None:
        """The best of tier 2 at minute `at`, each pool's entries less the counter's bonus for it.

        `shift`: the run's origin less the keys' frame, in microseconds (call_order.py)."""
        best = None
        pop, push = heapq.heappop, heapq.heappush
        for pool, bonus in self.sources:
            heap, not_due = pool.ranked, pool.not_due
            # The clock only moves on, so a booked visitor due for one counter of a shared
            # pool is due for every later decision too.
            while not_due and reached(at, (not_due[0] >> SHIFT) - shift):
                push(heap, pool.due_key.pop(pop(not_due) & ORDER))
            while heap and heap[0] & ORDER in gone:
                pop(heap)
            if heap and (best is None or heap[0] - bonus < best):
                best = heap[0] - bonus
        return best

    def next_wake(self, at: float, gone: set[int]) -> float | None:
        """The first minute after `at` at which a booked visitor this counter may call becomes due."""
        found = None
        for pool, _ in self.sources:
            wakes = pool.wakes
            while wakes and (wakes[0][0] <= at or wakes[0][1] in gone):
                heapq.heappop(wakes)
            if wakes and (found is None or wakes[0][0] < found):
                found = wakes[0][0]
        return found
