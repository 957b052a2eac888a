"""What a visitor is told about the wait: one definition for every screen and the printed ticket.

People ahead of a visitor are those waiting for the same errand who arrived
before them. The errand list and the display say how many wait for an errand:
that is how many are ahead of the next visitor who takes a ticket for it, so
the count on the errand button is the count on the ticket that follows.

The minutes come from the estimate (estimate.py); without an open counter there
is no honest figure (the forward run then pretends every counter is open), so
the wait says why instead: `no_counter_open`, with the office's next opening
when it is closed now.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from .estimate import Estimate
from .model import Counter, CounterState, Ticket, TicketState

NO_COUNTER_OPEN = "no_counter_open"


def people_ahead(waiting: Iterable[Ticket], *, service_id: str, ticket: Ticket | None = None) -> int:
    """Visitors waiting for `service_id` who came before `ticket` (all of them for a new visitor)."""
    count = 0
    for other in waiting:
        if other.state is not TicketState.WAITING or other.service_id != service_id:
            continue
        if ticket is None or _came_before(other, ticket):
            count += 1
    return count


def _came_before(other: Ticket, ticket: Ticket) -> bool:
    if other.id == ticket.id:
        return False
    return (other.arrived_at, other.created_at, other.number) < (
        ticket.arrived_at,
        ticket.created_at,
        ticket.number,
    )


class Wait(NamedTuple):
    """The wait as a visitor is told it: minutes, or the reason there are none."""

    eta_min: int | None
    eta_low_min: int | None
    eta_high_min: int | None
    # None: the minutes are the estimate's; NO_COUNTER_OPEN: no counter is open yet
    eta_reason: str | None
    # with NO_COUNTER_OPEN while the office is closed: when it opens
    opens_at: datetime | None


NO_WAIT = Wait(None, None, None, None, None)


def any_counter_open(counters: Iterable[Counter]) -> bool:
    return any(c.state is CounterState.OPEN for c in counters)


def wait_of(
    estimate: Estimate | None,
    *,
    counters_open: bool,
    opens_at: datetime | None = None,
) -> Wait:
    """The visitor's wait from the estimate; with no counter open, the reason instead of minutes."""
    if not counters_open:
        return Wait(None, None, None, NO_COUNTER_OPEN, opens_at)
    if estimate is None:
        return NO_WAIT
    return Wait(round(estimate.minutes), round(estimate.low), round(estimate.high), None, None)


def longest_wait(
    estimates: Iterable[Estimate], *, waiting: int, counters_open: bool, opens_at: datetime | None = None
) -> Wait:
    """The wait of the last in line for an errand (the errand list, the display)."""
    if waiting <= 0:
        return Wait(0, 0, 0, None, None)
    last = max(estimates, key=lambda e: e.minutes, default=None)
    return wait_of(last, counters_open=counters_open, opens_at=opens_at)
