"""`[queue]` keys for what a clerk's Next and Undo do (the rest of `[queue]` is the policy's Rules)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .reader import Reader

NextOnCalled = Literal["ask", "done", "no_show"]
NEXT_ON_CALLED: tuple[NextOnCalled, ...] = ("ask", "done", "no_show")
FIELDS = frozenset({"next_on_called", "undo_s"})


@dataclass(frozen=True)
class ClerkSettings:
    """What Next does with a visitor called but never started, and how long Undo is offered."""

    # "ask": Next refuses until the clerk says whether the visitor came (done) or not
    # (no_show); "done" or "no_show": Next closes them that way without asking.
    next_on_called: NextOnCalled = "ask"
    # seconds after closing a visit in which the clerk may take it back
    undo_s: int = 10


def parse_clerk(queue: Reader) -> ClerkSettings:
    rule = queue.get("next_on_called", str, "ask")
    if rule not in NEXT_ON_CALLED:
        raise queue.fail("next_on_called", f"{rule!r} must be one of {', '.join(NEXT_ON_CALLED)}")
    undo_s = queue.get("undo_s", int, 10)
    if not 0 <= undo_s <= 120:
        raise queue.fail("undo_s", "must be between 0 and 120 seconds")
    return ClerkSettings(next_on_called=rule, undo_s=undo_s)


def policy_table(queue: Mapping[str, Any]) -> dict[str, Any]:
    """`[queue]` without the clerk's keys: what the core policy reads."""
    return {key: value for key, value in queue.items() if key not in FIELDS}
