"""Answers kept for the very objects they were worked out from.

The estimate and the simulator ask again and again about the same frozen objects (counters,
rules, the terms made of them), and working the answer out anew is most of a decision's cost.
An answer is kept by the objects' identity and checked again on use (an id may be reused once
its object is gone), together with plain values compared by equality. A server builds its
objects anew per request, so a keeper empties itself when full instead of growing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """At most `most` answers, each for a sequence of objects and a value compared by `==`."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._found: dict[tuple[int, ...], tuple[tuple[object, ...], object, V]] = {}

    def get(self, objects: Sequence[object], same: object = None) -> V | None:
        known = self._found.get(tuple(map(id, objects)))
        if known is None or known[1] != same:
            return None
        for kept, given in zip(known[0], objects, strict=True):  # a loop: on every decision's path
            if kept is not given:
                return None
        return known[2]

    def put(self, objects: Sequence[object], answer: V, same: object = None) -> V:
        if len(self._found) >= self._most:
            self._found.clear()
        self._found[tuple(map(id, objects))] = (tuple(objects), same, answer)
        return answer
