"""Counters: their state rows, and the clerk's open / pause / close."""

from __future__ import annotations

from dataclasses import replace

import sqlite_utils

from ..core.errors import UnknownCounter
from ..core.kept import Kept
from ..core.model import Counter, CounterState, Office
from ..uow import Work
from .rows import counter_states
from .shapes import counter_json


def sync_counters(work: Work) -> None:
    """Give every configured counter a state row (closed until a clerk opens it)."""
    known = counter_states(work.db)
    for counter in work.office.counters:
        if counter.id not in known:
            work.db.table("counters").insert(
                {"id": counter.id, "state": CounterState.CLOSED.value, "updated_at": work.now.isoformat()}
            )


def counters_now(db: sqlite_utils.Database, office: Office) -> list[Counter]:
    """The configured counters in their current states.

    The same objects while a counter's state stays: the estimate keeps what it worked
    out for the very counters it was given (core/kept.py), such as the queue it filled."""
    states = counter_states(db)
    return [_in_state(c, states.get(c.id, CounterState.CLOSED.value)) for c in office.counters]


# a configured counter -> it in its state (the last state asked for)
_IN_STATE: Kept[Counter] = Kept(256)


def _in_state(counter: Counter, state: str) -> Counter:
    known = _IN_STATE.get((counter,), state)
    if known is None:
        known = _IN_STATE.put((counter,), replace(counter, state=CounterState(state)), state)
    return known


def find_counter(counters: list[Counter], counter_id: str) -> Counter:
    """The counter with that id; UnknownCounter when office.toml has none."""
    counter = next((c for c in counters if c.id == counter_id), None)
    if counter is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    return counter


def counter_now(db: sqlite_utils.Database, office: Office, counter_id: str) -> Counter:
    """One counter with its current state."""
    return find_counter(counters_now(db, office), counter_id)


def set_counter_state(work: Work, *, counter_id: str, state: CounterState) -> Counter:
    counter = work.office.counter(counter_id)
    if counter is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    work.db.table("counters").upsert(
        {"id": counter_id, "state": state.value, "updated_at": work.now.isoformat()}, pk="id"
    )
    updated = replace(counter, state=state)
    work.emit("counter.state", {"counter": counter_json(updated)})
    return updated
