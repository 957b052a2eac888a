"""Number leases: blocks of ticket numbers a kiosk keeps for the time the server is away.

A kiosk asks for a block while it can reach the server. When a check-in later gets
no connection, the kiosk issues the next leased number itself, prints it and keeps
the ticket in its outbox. Once the server is back, the kiosk redeems each leased
number: the server creates the ticket with that number, the status-page id printed
on it, and the moment the kiosk issued it as the arrival, so the visitor keeps their
place in the queue. A leased number is never handed out by the server itself.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlite_utils

from ..core import hours, leasing
from ..core.errors import Conflict, DomainError, NotFound, NumbersExhausted
from ..core.model import Priority, Service, Ticket, TicketKind
from ..core.numbering import LEASED, next_leased_number, office_day
from ..core.tokens import read_appointment_token
from ..queue import rows as tickets
from ..queue.commands import Preassigned, issue_ticket
from ..queue.shapes import ticket_json
from ..uow import Work
from . import orphans
from .appointment import check_in_booked

MAX_PER_SERVICE = 20


class LeaseUnknown(NotFound):
    """No leased number with that id belongs to this kiosk."""

    code = "lease_unknown"


class LeaseExpired(Conflict):
    """The number was leased for another office day; its ticket is void."""

    code = "lease_expired"


class LeaseRedeemed(Conflict):
    """The leased number already became a ticket (details carry it)."""

    code = "lease_redeemed"


class LeaseWrongService(Conflict):
    """An appointment was checked in with a number leased for another service."""

    code = "lease_wrong_service"


@dataclass(frozen=True)
class Redemption:
    """What the kiosk reports of a ticket it issued from a leased number."""

    lease_id: str
    issued_at: datetime
    lang: str
    priority: Priority
    appointment_token: str | None = None
    # the Idempotency-Key of the check-in that got no answer before the kiosk issued this number
    checkin_key: str | None = None


def top_up(
    work: Work, *, device_id: str, per_service: int | None, release: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The kiosk's unused numbers of today, topped up to its share for every service.

    The share follows the office's day and the number of kiosks (`core.leasing`);
    `per_service`, when given, caps it. Numbers in `release` the kiosk gives back
    unspent (it has struck them off its own file first), so other kiosks may get them.
    Nothing is leased on a day the office is closed: those numbers could never be
    redeemed.
    """
    office = work.office
    day = office_day(work.now, office.timezone)
    _release(work, device_id, release)
    held = _unused(work, device_id, day)
    targets: dict[str, int] = {}
    if hours.closing_time(office.hours, work.now, office.timezone) is not None:
        kiosks = _kiosk_count(work)
        for service in office.services:
            target = _share(work, service, day, kiosks)
            targets[service.id] = target if per_service is None else min(per_service, target)
            have = sum(1 for row in held if row["service_id"] == service.id)
            try:
                for _ in range(max(0, targets[service.id] - have)):
                    held.append(_lease_one(work, service=service, device_id=device_id, day=day))
            except NumbersExhausted:
                continue  # the block is used up today: this kiosk keeps what it has
    return {**_lease_answer(work, day, held), "per_service": targets}


def _release(work: Work, device_id: str, release: tuple[str, ...]) -> None:
    for lease_id in release:
        work.db.execute(
            "DELETE FROM number_leases WHERE id = ? AND device_id = ? AND ticket_id IS NULL"
            " AND refusal IS NULL",
            [lease_id, device_id],
        )


def _kiosk_count(work: Work) -> int:
    row = work.db.execute(
        "SELECT COUNT(*) FROM devices WHERE role = 'kiosk' AND revoked_at IS NULL"
    ).fetchone()
    return max(1, int(row[0]))


def _share(work: Work, service: Service, day: date, kiosks: int) -> int:
    spent = work.db.execute(
        "SELECT COUNT(*) FROM number_leases WHERE office_day = ? AND service_id = ?"
        " AND (ticket_id IS NOT NULL OR refusal IS NOT NULL)",
        [day.isoformat(), service.id],
    ).fetchone()[0]
    settings = work.config.offline
    return leasing.lease_size(
        expected=leasing.expected_walk_ins(work.office, service, day), kiosks=kiosks,
        share=settings.lease_share, minimum=settings.min_lease, spent_in_block=int(spent),
    )


def _unused(work: Work, device_id: str, day: date) -> list[dict[str, Any]]:
    return list(
        work.db.query(
            "SELECT * FROM number_leases WHERE device_id = ? AND office_day = ?"
            " AND ticket_id IS NULL ORDER BY number",
            [device_id, day.isoformat()],
        )
    )


def _lease_one(work: Work, *, service: Service, device_id: str, day: date) -> dict[str, Any]:
    used = tickets.numbers_between(work.db, day, service.prefix, *LEASED)
    number = next_leased_number(service, day, used)
    row = {
        "id": str(uuid.uuid4()),
        "device_id": device_id,
        "office_day": day.isoformat(),
        "service_id": service.id,
        "number": number,
        "public_id": secrets.token_urlsafe(16),
        "leased_at": work.now.isoformat(),
    }
    work.db.table("number_leases").insert(row)
    return row


def _lease_answer(work: Work, day: date, rows: list[dict[str, Any]]) -> dict[str, Any]:
    office = work.office
    until = hours.walk_in_until(office.hours, work.now, office.timezone)
    window = work.config.appointments.window
    return {
        "office_id": office.id,
        "office_day": day.isoformat(),
        "timezone": office.timezone,
        "walk_in_until": until.isoformat() if until else None,
        "arrival_window": {"early_min": window.early_min, "late_min": window.late_min},
        "numbers": [
            {
                "id": row["id"],
                "service_id": row["service_id"],
                "number": row["number"],
                "public_id": row["public_id"],
            }
            for row in sorted(rows, key=lambda r: (r["service_id"], r["number"]))
        ],
    }


def redeem(work: Work, *, device_id: str, redemption: Redemption) -> tuple[Ticket, str | None]:
    """The ticket for a number the kiosk issued offline, and why its appointment was refused.

    A booked visitor whose appointment cannot be honoured any more (cancelled in the
    meantime, say) still holds a printed number: they get a walk-in ticket with it.
    """
    row = _lease_row(work, device_id, redemption.lease_id)
    day = office_day(work.now, work.office.timezone)
    if row["office_day"] != day.isoformat():
        raise LeaseExpired(
            f"number {row['number']} was leased for {row['office_day']}", number=row["number"]
        )
    if row["ticket_id"]:
        first = tickets.get_ticket(work.db, row["ticket_id"])
        raise LeaseRedeemed(
            f"number {row['number']} is already a ticket",
            ticket=ticket_json(first) if first else None,
        )
    orphan = None
    if redemption.checkin_key:
        orphan = orphans.supersede(
            work, device_id=device_id, key=redemption.checkin_key, number=row["number"]
        )
    arrival = orphans.earliest_arrival(_arrival(work, row, redemption), orphan)
    preassigned = Preassigned(number=row["number"], public_id=row["public_id"], at=arrival)
    ticket, refused = _issue(work, device_id, row, redemption, preassigned)
    work.db.table("number_leases").update(
        row["id"],
        {
            "ticket_id": ticket.id, "redeemed_at": work.now.isoformat(),
            "issued_at": redemption.issued_at.isoformat(), "refusal": None, "refused_at": None,
            "supersedes": orphan.id if orphan else None,
        },
    )
    return ticket, refused


def unredeemed_by_public_id(db: sqlite_utils.Database, public_id: str) -> dict[str, Any] | None:
    """A leased number whose status-page id is `public_id`, while no ticket has it yet."""
    rows = list(
        db.query(
            "SELECT * FROM number_leases WHERE public_id = ? AND ticket_id IS NULL", [public_id]
        )
    )
    return rows[0] if rows else None


def _lease_row(work: Work, device_id: str, lease_id: str) -> dict[str, Any]:
    rows = list(
        work.db.query(
            "SELECT * FROM number_leases WHERE id = ? AND device_id = ?", [lease_id, device_id]
        )
    )
    if not rows:
        raise LeaseUnknown("this kiosk holds no leased number with that id", lease_id=lease_id)
    return rows[0]


def _arrival(work: Work, row: dict[str, Any], redemption: Redemption) -> datetime:
    """When the kiosk issued the number, kept between the lease and now.

    A kiosk clock running ahead must not put a visitor into the future, nor one
    running behind put them before the number existed.
    """
    leased_at = datetime.fromisoformat(row["leased_at"])
    return min(max(redemption.issued_at, leased_at), work.now).astimezone(work.now.tzinfo)


def _issue(
    work: Work,
    device_id: str,
    row: dict[str, Any],
    redemption: Redemption,
    preassigned: Preassigned,
) -> tuple[Ticket, str | None]:
    refused: str | None = None
    if redemption.appointment_token:
        try:
            claim = read_appointment_token(
                redemption.appointment_token, public_keys=work.keyring.public()
            )
            if claim.service_id != row["service_id"]:
                raise LeaseWrongService(
                    "the number was leased for another service", service_id=claim.service_id
                )
            ticket = check_in_booked(
                work, token=redemption.appointment_token, code=None,
                lang=redemption.lang, device_id=device_id, preassigned=preassigned,
            )
            return ticket, None
        except DomainError as error:
            refused = error.code
    ticket = issue_ticket(
        work, service_id=row["service_id"], kind=TicketKind.WALK_IN,
        lang=redemption.lang, priority=redemption.priority, device_id=device_id,
        preassigned=preassigned,
    )
    return ticket, refused
