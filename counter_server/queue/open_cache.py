"""The open tickets in memory, so a check-in does not read and parse the whole queue.

The one writer loads them once and then changes its copy with every save, inside the
transaction; the copy becomes the committed one only after the commit (a rollback
throws it away with the transaction). Readers take the committed copy when their
snapshot is that very state (the same last event of the queue: a printer's events change
no ticket), else they read the rows. The last few committed states are kept, not only the
newest: in a burst of check-ins a reader's snapshot is often a commit or two behind by the
time it asks, and reading and parsing 800 rows costs more than the estimate it is for.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from operator import attrgetter

import sqlite_utils

from ..core.model import OPEN_TICKET_STATES, Ticket
from ..events import queue_seq
from ..store import Tx

KEY = "open_tickets"
_ARRIVED = attrgetter("arrived_at")  # a sort key made in C: 800 open tickets are sorted per write
KEPT_STATES = 16  # committed states kept: a burst of 20 kiosks commits about as many


class OpenTickets:
    """One database's open tickets, for the last `KEPT_STATES` committed states."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # last event of the queue -> its open tickets by arrival (ties in row order), and
        # by id (never changed once published: the next writer's copy starts from it)
        self._states: OrderedDict[int, tuple[tuple[Ticket, ...], dict[str, Ticket]]] = OrderedDict()

    def committed(self, seq: int) -> tuple[Ticket, ...] | None:
        found = self._state(seq)
        return found[0] if found is not None else None

    def _state(self, seq: int) -> tuple[tuple[Ticket, ...], dict[str, Ticket]] | None:
        with self._lock:
            return self._states.get(seq)

    def working(self, tx: Tx, load: Callable[[sqlite_utils.Database], list[Ticket]]) -> dict[str, Ticket]:
        """The writer's copy for this transaction, published when it commits."""
        copy: dict[str, Ticket] | None = tx.memo.get(KEY)
        if copy is None:
            # the state this transaction began from: before its first event, if it wrote one
            began = queue_seq(tx.db, before=tx.events[0].seq) if tx.events else queue_seq(tx.db)
            base = self._state(began)
            # a dict's copy is made in C: 800 open tickets are copied per write
            copy = base[1].copy() if base is not None else {t.id: t for t in load(tx.db)}
            tx.memo[KEY] = copy
            tx.committed.append(lambda: self._publish(tx, copy))
        return copy

    def _publish(self, tx: Tx, copy: dict[str, Ticket]) -> None:
        ordered = tuple(sorted(copy.values(), key=_ARRIVED))
        seq = queue_seq(tx.db)  # every saved ticket is announced by an event: the last names this state
        with self._lock:
            self._states[seq] = (ordered, copy)
            self._states.move_to_end(seq)
            while len(self._states) > KEPT_STATES:
                self._states.popitem(last=False)

    @staticmethod
    def save(copy: dict[str, Ticket], ticket: Ticket) -> None:
        # assigning to a present key keeps its place: ties by arrival stay in row order
        if ticket.state in OPEN_TICKET_STATES:
            copy[ticket.id] = ticket
        else:
            copy.pop(ticket.id, None)


_CACHES: dict[str, OpenTickets] = {}
_PATHS: weakref.WeakKeyDictionary[sqlite_utils.Database, str] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def database_path(db: sqlite_utils.Database) -> str:
    """Which database file: caches of two offices in one process (tests) never mix. Asked by
    every estimate and open-ticket lookup, so each connection's answer is kept (a connection's
    main file never changes); under load the query had been 4 % of the server's samples."""
    path = _PATHS.get(db)
    if path is None:
        path = _PATHS[db] = str(db.execute("PRAGMA database_list").fetchone()[2])
    return path


def cache_of(db: sqlite_utils.Database) -> OpenTickets:
    path = database_path(db)
    with _LOCK:
        return _CACHES.setdefault(path, OpenTickets())
