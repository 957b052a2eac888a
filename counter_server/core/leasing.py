"""How many reserved numbers each kiosk holds per errand for the time the server is away.

A kiosk needs enough numbers to bridge an outage, but the reserved block (900-999
per prefix and day) is shared by every kiosk: one kiosk holding too many leaves the
kiosks that come back last with none. So each kiosk's part follows the office's day
(the errand's expected walk-ins), is divided by the number of kiosks, and never
exceeds its fair part of what is left of the block.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from .model import Office, Service
from .numbering import LEASED_FIRST, MAX_NUMBER

BLOCK_SIZE = MAX_NUMBER - LEASED_FIRST + 1


def open_minutes(office: Office, day: date) -> float:
    """Minutes the office is open on `day` (0 on a closed day)."""
    spans = () if day in office.hours.closed_dates else office.hours.weekly.get(day.weekday(), ())
    return sum(
        (datetime.combine(day, s.end) - datetime.combine(day, s.start)).total_seconds() / 60
        for s in spans
    )


def expected_walk_ins(office: Office, service: Service, day: date) -> float:
    """Walk-ins the errand can take on `day`: its daily cap, else what its counters can serve."""
    if not service.walk_in:
        return 0.0
    if service.daily_walk_in_cap is not None:
        return float(service.daily_walk_in_cap)
    counters = sum(1 for c in office.counters if service.id in c.skills)
    return open_minutes(office, day) * counters / max(service.duration_min, 1.0)


def lease_size(
    *, expected: float, kiosks: int, share: float, minimum: int, spent_in_block: int
) -> int:
    """Numbers one kiosk may hold for one errand.

    `share` of the expected walk-ins divided among `kiosks`, at least `minimum`, and at
    most an equal part of the block numbers not yet spent (issued or refused) today.
    """
    kiosks = max(kiosks, 1)
    wanted = max(minimum, math.ceil(share * expected / kiosks))
    fair = (BLOCK_SIZE - spent_in_block) // kiosks
    return max(0, min(wanted, fair))
