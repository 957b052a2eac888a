"""A check-in whose answer was lost, then issued again by the kiosk from a leased number.

The kiosk sent a check-in; the server made a ticket (say H003), but the answer never
reached the kiosk, so nobody holds H003. The server then went away and the kiosk
issued a leased number (H985) and printed it: the visitor holds H985. When the kiosk
hands H985 in, it names the check-in's Idempotency-Key; the ticket made under that
key is the orphan. The visitor keeps H985 with the orphan's place in the queue, and
the orphan is cancelled, so no number is called that nobody holds.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime

from ..core import lifecycle
from ..core.model import Ticket, TicketState
from ..queue import rows as tickets
from ..queue.commands import save_and_emit
from ..uow import Work

log = logging.getLogger(__name__)

# an orphan still in these states has not been served: cancelling it takes nothing from anyone
_CANCELLABLE = (TicketState.WAITING, TicketState.CALLED, TicketState.PARKED)


def checkin_ticket(work: Work, *, device_id: str, key: str) -> Ticket | None:
    """The ticket this device's check-in under `key` created, if the server made one."""
    row = work.db.execute(
        "SELECT status, body FROM idempotency WHERE device_id = ? AND key = ?", [device_id, key]
    ).fetchone()
    if row is None or row[0] != 201 or not row[1]:
        return None
    try:
        ticket_id = json.loads(row[1])["ticket"]["id"]
    except (ValueError, KeyError, TypeError):
        return None
    return tickets.get_ticket(work.db, str(ticket_id))


def supersede(work: Work, *, device_id: str, key: str, number: str) -> Ticket | None:
    """Cancel the orphan of the check-in under `key` in favour of leased `number`.

    Returns the orphan (cancelled, or left alone when it was already being served),
    or None when that check-in never became a ticket.
    """
    orphan = checkin_ticket(work, device_id=device_id, key=key)
    if orphan is None or orphan.number == number:
        return None
    if orphan.state in _CANCELLABLE:
        cancelled = lifecycle.cancel(orphan, now=work.now)
        save_and_emit(work, "ticket.cancelled", replace(cancelled, reason="superseded_offline"))
        log.warning(
            "ticket %s cancelled: its answer was lost and the visitor holds %s", orphan.number, number
        )
    return orphan


def earliest_arrival(at: datetime, orphan: Ticket | None) -> datetime:
    """The visitor came when the lost check-in was made, not when the kiosk gave up on it."""
    if orphan is None:
        return at
    return min(at, orphan.arrived_at)

