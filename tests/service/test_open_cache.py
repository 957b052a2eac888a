"""The open tickets in memory: a reader whose snapshot is a few commits old still finds them."""

from __future__ import annotations

from counter_server.core.model import CounterState, Priority, TicketKind
from counter_server.events import queue_seq
from counter_server.queue import commands, open_cache, rows
from counter_server.queue.counters import set_counter_state

from .conftest import Office


def _walk_in(office: Office) -> None:
    office.write(lambda w: commands.issue_ticket(
        w, service_id="ausweis", kind=TicketKind.WALK_IN, lang="de", priority=Priority.NORMAL, device_id="k"))


def _state(office: Office) -> tuple[int, list[str]]:
    """The last event of the queue and its open tickets, read from the rows."""
    return office.read(lambda db: (queue_seq(db), [t.id for t in rows._load_open(db)]))


def test_the_last_states_are_kept_and_each_equals_its_rows(office: Office) -> None:
    office.write(lambda w: set_counter_state(w, counter_id="1", state=CounterState.OPEN))
    seen = []
    for step in range(open_cache.KEPT_STATES + 5):
        if step % 3 == 2:
            office.write(lambda w: commands.call_next(w, counter_id="1", previous="done"))
        else:
            _walk_in(office)
        seen.append(_state(office))
    cache = office.read(open_cache.cache_of)
    recent, old = seen[-open_cache.KEPT_STATES:], seen[:-open_cache.KEPT_STATES]
    for seq, ids in recent:  # a snapshot a few commits old: from memory, as its rows say
        kept = cache.committed(seq)
        assert kept is not None and [t.id for t in kept] == ids, seq
    assert all(cache.committed(seq) is None for seq, _ in old)  # older ones: read from the rows
