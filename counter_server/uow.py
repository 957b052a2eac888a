"""The unit of work: what every command needs, in one object.

A command runs inside one write transaction on the writer thread. It gets the
transaction (rows and the events it will publish after the commit), the office
clock's `now`, the validated configuration and the signing keys, and returns
domain objects, never response dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from . import event_types
from .config import OfficeConfig
from .core.model import Office
from .keys import KeyRing
from .store import Event, Tx


@dataclass
class Work:
    """One write transaction with the office it writes for."""

    tx: Tx
    config: OfficeConfig
    keyring: KeyRing
    # the staff member whose shift runs this command: ticket and counter events name their id
    staff_id: str | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        return self.tx.db

    @property
    def now(self) -> datetime:
        return self.tx.now

    @property
    def office(self) -> Office:
        return self.config.office

    @property
    def events(self) -> list[Event]:
        return self.tx.events

    def emit(self, type_: str, data: dict[str, Any]) -> Event:
        """Record an event; it reaches the screens only after the commit."""
        event_types.check(type_)
        if self.staff_id and event_types.carries_staff(type_):
            data = {**data, "staff_id": self.staff_id}
        return self.tx.emit(type_, data)
