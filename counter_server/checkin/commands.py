"""Where a check-in becomes a ticket, its answer and its printed ticket, in one transaction.

Three ways in, one way out:
- a kiosk: a walk-in's errand, or a booked visitor's QR token or booking code;
- a clerk's workstation: a booked visitor's booking code (`check_in_at_counter`);
- a kiosk handing in a number it issued offline (`leases.redeem`).
Each gives a `CheckedIn`: the ticket, the visitor's place and estimate, the status-page
URL and, for a kiosk served by a network printer, the print job made in the same
transaction ("a ticket never exists without its print job"). The kiosk route runs the
same steps with the estimate after the commit (checkin/kiosk.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..auth import Device
from ..core import admission
from ..core.errors import DomainError, UnknownService
from ..core.model import Priority, Ticket, TicketKind
from ..core.numbering import office_day
from ..printing.jobs import PrintJob, enqueue, words_of
from ..queue import rows as tickets
from ..queue.commands import call_refusal, issue_ticket
from ..queue.shapes import ticket_json
from ..queue.stops import stopped_services
from ..queue.views import ticket_status
from ..uow import Work
from .appointment import check_in_booked


class CheckinIncomplete(DomainError):
    """A kiosk check-in names neither an errand nor a booking."""

    code = "invalid_request"


@dataclass(frozen=True)
class KioskCheckin:
    """What a kiosk sends: a walk-in's errand, or a booked visitor's token or code."""

    service_id: str | None = None
    lang: str = "de"
    priority: Priority = Priority.NORMAL
    appointment_token: str | None = None
    appointment_code: str | None = None


@dataclass(frozen=True)
class CheckedIn:
    """A new ticket as its visitor is told of it."""

    ticket: Ticket
    status: dict[str, Any]
    status_url: str
    print_job: PrintJob | None = None

    def to_json(self) -> dict[str, Any]:
        answer = {"ticket": ticket_json(self.ticket), **self.status, "status_url": self.status_url}
        if self.print_job is not None:
            answer["print_job"] = {"id": self.print_job.id, "printer_id": self.print_job.printer_id}
        return answer


def check_in_walk_in(work: Work, *, service_id: str, lang: str, priority: Priority, device_id: str) -> Ticket:
    """A walk-in ticket, when the errand takes walk-ins now and its daily cap is not reached."""
    office = work.office
    service = office.service(service_id)
    if service is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    day = office_day(work.now, office.timezone)
    issued = tickets.walk_ins_of(work.db, day, service.id)
    admission.check_walk_in(office=office, service=service, now=work.now, issued_today=issued,
                            stopped=service.id in stopped_services(work.db, day))
    return issue_ticket(work, service_id=service.id, kind=TicketKind.WALK_IN, lang=lang,
                        priority=priority, device_id=device_id)


def note_refused_walk_in(work: Work, *, service_id: str, reason: str) -> None:
    """Record a refused walk-in (cap, closing time) for the statistics: the refusal itself
    changed nothing, so this is its own transaction."""
    work.emit("checkin.refused", {"service_id": service_id, "reason": reason, "offline": False})


def _note_estimate(work: Work, ticket: Ticket, eta_min: Any) -> None:
    """Keep the estimate the visitor was told with the ticket's `ticket.created` event, so the
    statistics can compare it with the wait (nothing else reads it)."""
    if not isinstance(eta_min, int | float):
        return
    for event in work.events:
        if event.type == "ticket.created" and event.data.get("ticket", {}).get("id") == ticket.id:
            work.tx.amend(event, {"eta_min": eta_min})


def answer_for(work: Work, ticket: Ticket, *, status_base: str, printer_for: Device | None = None) -> CheckedIn:
    """The visitor's answer; with `printer_for` (a kiosk), its network printer's job too."""
    status = ticket_status(work.db, work.config, ticket, work.now, open_now=tickets.open_tickets_in(work.tx))
    status_url = f"{status_base}{ticket.public_id}"
    _note_estimate(work, ticket, status.get("eta_min"))
    printer = work.config.agent_printer_for(printer_for.name) if printer_for is not None else None
    if printer is None:
        return CheckedIn(ticket, status, status_url)
    words = words_of(work.office, ticket, status=status, status_url=status_url)
    job = enqueue(work, printer=printer, ticket=ticket, content=words)
    return CheckedIn(ticket, status, status_url, job)


def issue_for_kiosk(work: Work, *, device: Device, request: KioskCheckin) -> Ticket:
    """The ticket a kiosk check-in asks for: a booked visitor's, or a walk-in's."""
    if request.appointment_token or request.appointment_code:
        return check_in_booked(work, token=request.appointment_token, code=request.appointment_code,
                               lang=request.lang, device_id=device.id)
    if request.service_id:
        return check_in_walk_in(work, service_id=request.service_id, lang=request.lang,
                                priority=request.priority, device_id=device.id)
    raise CheckinIncomplete("service_id, appointment_token or appointment_code is required")


def check_in_at_kiosk(work: Work, *, device: Device, request: KioskCheckin, status_base: str) -> CheckedIn:
    """The whole check-in in one transaction, the estimate inside it. The kiosk route
    estimates after the commit instead (checkin/kiosk.py), with the same figures."""
    ticket = issue_for_kiosk(work, device=device, request=request)
    kiosk = device if device.role == "kiosk" else None
    return answer_for(work, ticket, status_base=status_base, printer_for=kiosk)


def check_in_at_counter(
    work: Work, *, device: Device, counter_id: str, code: str, lang: str, status_base: str
) -> tuple[CheckedIn, bool]:
    """A clerk checks in a booked visitor by code; True when this counter may call them at once."""
    ticket = check_in_booked(work, token=None, code=code, lang=lang, device_id=device.id)
    refusal = call_refusal(work, counter_id=counter_id, ticket=ticket)
    return answer_for(work, ticket, status_base=status_base), refusal is None
