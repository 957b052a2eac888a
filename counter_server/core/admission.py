"""Whether a walk-in ticket may be issued for a service right now."""

from __future__ import annotations

from datetime import datetime

from . import hours
from .errors import DailyCapReached, OfficeClosed, WalkInClosed, WalkInNotAllowed, WalkInStopped
from .model import Office, Service


def check_walk_in(*, office: Office, service: Service, now: datetime, issued_today: int,
                  stopped: bool = False) -> None:
    """Raise the named reason a walk-in ticket is refused; return when it is allowed.

    `stopped`: the office head stopped walk-ins for this errand for the rest of the day."""
    if not service.walk_in:
        raise WalkInNotAllowed(f"{service.id} is by appointment only", service_id=service.id)
    if stopped:
        raise WalkInStopped(f"no more walk-in tickets for {service.id} today", service_id=service.id)
    if not hours.is_open(office.hours, now, office.timezone):
        opening = hours.next_opening(office.hours, now, office.timezone)
        raise OfficeClosed(
            "the office is closed",
            next_opening=opening.isoformat() if opening else None,
        )
    until = hours.walk_in_until(office.hours, now, office.timezone)
    if until is not None and now >= until:
        raise WalkInClosed(
            "no more walk-in tickets today", walk_in_until=until.isoformat()
        )
    cap = service.daily_walk_in_cap
    if cap is not None and issued_today >= cap:
        raise DailyCapReached(
            f"the daily walk-in limit for {service.id} is reached",
            service_id=service.id,
            cap=cap,
        )


def refusal_reason(*, office: Office, service: Service, now: datetime, issued_today: int,
                   stopped: bool = False) -> str | None:
    """The refusal's error code, or None when a walk-in ticket would be issued."""
    try:
        check_walk_in(office=office, service=service, now=now, issued_today=issued_today, stopped=stopped)
    except (WalkInNotAllowed, WalkInStopped, OfficeClosed, WalkInClosed, DailyCapReached) as refused:
        return refused.code
    return None
