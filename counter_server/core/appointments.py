"""Booked visitors: an appointment's states and when it may be checked in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import Conflict, NotFound


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


@dataclass(frozen=True)
class Appointment:
    """A booked slot. Contact data is kept elsewhere and never here."""

    id: str
    code: str
    service_id: str
    counter_id: str
    start: datetime
    duration_min: int
    status: AppointmentStatus = AppointmentStatus.BOOKED
    ticket_id: str | None = None
    external_id: str | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_min)


@dataclass(frozen=True)
class ArrivalWindow:
    """How long before and after the slot start a check-in is accepted."""

    early_min: int = 15
    late_min: int = 15

    def __post_init__(self) -> None:
        if not 0 <= self.early_min <= 240 or not 0 <= self.late_min <= 240:
            raise ValueError("early_min and late_min must be between 0 and 240")

    def opens(self, start: datetime) -> datetime:
        return start - timedelta(minutes=self.early_min)

    def closes(self, start: datetime) -> datetime:
        return start + timedelta(minutes=self.late_min)


class AppointmentUnknown(NotFound):
    """No appointment with that token or code in this office."""

    code = "appointment_unknown"


class AppointmentRefused(Conflict):
    """The appointment exists but cannot be checked in now."""

    code = "appointment_refused"


class AppointmentCancelled(AppointmentRefused):
    """The appointment was cancelled."""

    code = "appointment_cancelled"


class AppointmentAlreadyCheckedIn(AppointmentRefused):
    """The visitor has checked in already; details carry the first ticket."""

    code = "appointment_already_checked_in"


class AppointmentTooEarly(AppointmentRefused):
    """Check-in opens a fixed time before the slot; details say when."""

    code = "appointment_too_early"


class AppointmentTooLate(AppointmentRefused):
    """The late window after the slot start has passed."""

    code = "appointment_too_late"


def check_arrival(*, appointment: Appointment, window: ArrivalWindow, now: datetime) -> None:
    """Raise the named reason `appointment` cannot be checked in at `now`.

    An already checked-in appointment is reported before any time check, so a
    second scan always leads back to the first ticket.
    """
    status = appointment.status
    if status is AppointmentStatus.CHECKED_IN:
        raise AppointmentAlreadyCheckedIn(
            "this appointment is checked in already", ticket_id=appointment.ticket_id
        )
    if status is AppointmentStatus.CANCELLED:
        raise AppointmentCancelled("this appointment was cancelled")
    start = appointment.start
    if now < window.opens(start):
        raise AppointmentTooEarly(
            "check-in for this appointment has not opened yet",
            start=start.isoformat(),
            checkin_from=window.opens(start).isoformat(),
        )
    if status is AppointmentStatus.NO_SHOW or now > window.closes(start):
        raise AppointmentTooLate(
            "the time to check in for this appointment is over", start=start.isoformat()
        )


def is_no_show(*, appointment: Appointment, window: ArrivalWindow, now: datetime) -> bool:
    """Whether a still booked appointment's late window has passed."""
    return appointment.status is AppointmentStatus.BOOKED and now > window.closes(appointment.start)
