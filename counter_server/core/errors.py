"""Named domain errors. Each carries a stable machine-readable `code`.

The HTTP layer maps them to statuses in one place (counter_server/errors.py).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """Something named in the request does not exist."""

    code = "not_found"


class UnknownService(NotFound):
    """The service id is not configured in this office."""

    code = "unknown_service"


class UnknownCounter(NotFound):
    """The counter id is not configured in this office."""

    code = "unknown_counter"


class UnknownTicket(NotFound):
    """No ticket with that id."""

    code = "unknown_ticket"


class Conflict(DomainError):
    """The request does not fit the current state."""

    code = "conflict"


class InvalidTransition(Conflict):
    """The ticket's state does not allow this action."""

    code = "invalid_transition"


class CounterNotOpen(Conflict):
    """A closed or paused counter cannot call tickets."""

    code = "counter_not_open"


class SkillMissing(Conflict):
    """The counter has no skill for that service."""

    code = "skill_missing"


class CounterBusy(Conflict):
    """The counter still has a called or serving ticket."""

    code = "counter_busy"


class WalkInRefused(Conflict):
    """A walk-in ticket cannot be issued right now."""

    code = "walk_in_refused"


class WalkInNotAllowed(WalkInRefused):
    """This service is by appointment only."""

    code = "walk_in_not_allowed"


class OfficeClosed(WalkInRefused):
    """The office is closed now."""

    code = "office_closed"


class WalkInClosed(WalkInRefused):
    """The office is open, but it is past the last walk-in time."""

    code = "walk_in_closed"


class WalkInStopped(WalkInRefused):
    """The office head stopped walk-in tickets for this errand for the rest of the day."""

    code = "walk_in_stopped"


class DailyCapReached(WalkInRefused):
    """The service's daily walk-in cap is used up."""

    code = "daily_cap_reached"


class NumbersExhausted(Conflict):
    """All 999 numbers of a prefix were issued today."""

    code = "numbers_exhausted"
