"""`[alerts]`: when the supervisor view raises an alert (issue 17)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .reader import Reader

# key -> (type, default)
FIELDS: dict[str, tuple[type, Any]] = {
    "walk_in_wait_min": (int, 30),
    "booked_late_min": (int, 10),
    "printer_out_of_paper": (bool, True),
    "kiosk_offline_min": (int, 5),
}


@dataclass(frozen=True)
class AlertSettings:
    """A walk-in waiting longer than `walk_in_wait_min`, a booked visitor not checked in
    `booked_late_min` after their slot, a printer out of paper (when `printer_out_of_paper`),
    a kiosk not heard from for `kiosk_offline_min`."""

    walk_in_wait_min: int = 30
    booked_late_min: int = 10
    printer_out_of_paper: bool = True
    kiosk_offline_min: int = 5


def parse_alerts(r: Reader) -> AlertSettings:
    r.reject_unknown(frozenset(FIELDS))
    values: dict[str, Any] = {}
    for key, (kind, default) in FIELDS.items():
        value = r.get(key, kind, default)
        if kind is int and not 1 <= value <= 600:
            raise r.fail(key, "must be between 1 and 600 minutes")
        values[key] = value
    return AlertSettings(**values)
