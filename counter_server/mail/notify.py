"""The seam between the booking site and e-mail: what happened, inside the same unit of work.

The booking site calls these functions inside the transaction that made the change,
so an outbox written here later commits (or rolls back) with the booking itself.
No mail is configured in this version: each function is a documented no-op that
records nothing, and the site shows everything on the page instead
(`MAIL_CONFIGURED` tells it so).
"""

from __future__ import annotations

from datetime import datetime

from ..uow import Work

# True once an outbox sends what these functions record; the pages then say "we sent you an e-mail"
MAIL_CONFIGURED = False


def booking_confirmed(work: Work, appointment_id: str, manage_url: str) -> None:
    """A booking was made; its confirmation (with .ics and QR) would go to the booker's e-mail."""


def booking_moved(work: Work, appointment_id: str, manage_url: str) -> None:
    """A booking moved to a new time; the booker would get the new confirmation."""


def booking_cancelled(work: Work, appointment_id: str) -> None:
    """A booking was cancelled; the booker would be told so."""


def waitlist_offer(
    work: Work,
    email: str,
    lang: str,
    service_id: str,
    start: datetime,
    offer_url: str,
    expires_at: datetime,
) -> None:
    """An earlier time is held for someone on the waiting list until `expires_at`."""
