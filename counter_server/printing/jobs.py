"""Print jobs, kept by the server until a printer acknowledges them.

A kiosk check-in creates one job for the network printer assigned to that kiosk,
in the same transaction as the ticket (see checkin/), so a ticket never exists
without its job. A print agent fetches the pending jobs, prints, and acknowledges
each one as printed, or as dropped when it was too old to hand to a visitor.
Nothing here renders ESC/POS: the job carries the ticket's words, the agent lays
them out.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from printers.words import TicketContent, ticket_words

from ..config import PrinterConfig
from ..core.model import Office, Ticket
from ..uow import Work
from .errors import PrintJobAlreadyDone, UnknownPrintJob

JOB_STATES = ("pending", "printed", "dropped")
PREPARING = "preparing"  # written with its ticket, not yet handed to the printer
OUTCOMES = ("printed", "dropped")


@dataclass(frozen=True)
class PrintJob:
    id: str
    printer_id: str


def words_of(office: Office, ticket: Ticket, *, status: Mapping[str, Any], status_url: str) -> TicketContent:
    """What the ticket says, by the same rule the kiosk prints with (printers.words);
    `status` is the visitor's answer (people ahead, wait or its reason)."""
    service = office.service(ticket.service_id)
    opens_at = status.get("opens_at")
    return ticket_words(
        office_name=office.name, number=ticket.number,
        errand_names=service.names if service else {"de": ticket.service_id}, lang=ticket.lang,
        issued_at=ticket.created_at, timezone=office.timezone, people_ahead=status.get("ahead"),
        eta_min=status.get("eta_min"), status_url=status_url, eta_reason=status.get("eta_reason"),
        opens_at=datetime.fromisoformat(opens_at) if opens_at else None,
    )


def enqueue(work: Work, *, printer: PrinterConfig, ticket: Ticket, content: TicketContent) -> PrintJob:
    """A pending job for `printer`, announced to its agent by a `print.job` event."""
    job = prepare(work, printer=printer, ticket=ticket, content=content)
    release(work, job=job, ticket=ticket, content=content)
    return job


def prepare(work: Work, *, printer: PrinterConfig, ticket: Ticket, content: TicketContent) -> PrintJob:
    """A job held back from its printer ('preparing') until `release` gives it its final words.

    A kiosk check-in writes it with the ticket, so a ticket never exists without its job,
    and completes it once the visitor's estimate is known (see checkin/kiosk.py)."""
    job = PrintJob(id=str(uuid.uuid4()), printer_id=printer.id)
    work.db.table("print_jobs").insert({
        "id": job.id,
        "printer_id": printer.id,
        "ticket_id": ticket.id,
        "number": ticket.number,
        "state": PREPARING,
        "paper_mm": printer.paper_mm,
        "content": json.dumps(content.to_json(), ensure_ascii=False),
        "created_at": work.now.isoformat(),
        "expires_at": (work.now + timedelta(minutes=printer.max_job_age_min)).isoformat(),
        "done_at": None,
        "reason": None,
    })
    return job


def release(work: Work, *, job: PrintJob, ticket: Ticket, content: TicketContent) -> None:
    """Hand a prepared job to its printer with `content`, announced by a `print.job` event."""
    work.db.execute(
        "UPDATE print_jobs SET state = 'pending', content = ? WHERE id = ? AND state = ?",
        [json.dumps(content.to_json(), ensure_ascii=False), job.id, PREPARING],
    )
    work.emit("print.job", {
        "job_id": job.id, "printer_id": job.printer_id, "ticket_id": ticket.id, "number": ticket.number,
    })


def release_unfinished(db: sqlite_utils.Database) -> int:
    """At start: jobs a stopped server left prepared go out with the words they have (the
    ticket's number and errand, without the estimate) rather than never."""
    return db.execute(
        "UPDATE print_jobs SET state = 'pending' WHERE state = ?", [PREPARING]
    ).rowcount


def job_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "printer_id": row["printer_id"],
        "ticket_id": row["ticket_id"],
        "number": row["number"],
        "state": row["state"],
        "paper_mm": row["paper_mm"],
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "done_at": row["done_at"],
        "reason": row["reason"],
        "content": json.loads(row["content"]),
    }


def jobs(db: sqlite_utils.Database, *, printer_id: str, state: str, limit: int = 100) -> list[dict[str, Any]]:
    """A printer's jobs in one state, oldest first (the order they must be printed in)."""
    rows = db.execute(
        "SELECT * FROM print_jobs WHERE printer_id = ? AND state = ? ORDER BY created_at, rowid"
        " LIMIT ?",
        [printer_id, state, limit],
    )
    names = [d[0] for d in rows.description]
    return [job_json(dict(zip(names, values, strict=True))) for values in rows.fetchall()]


def acknowledge(work: Work, *, printer_id: str, job_id: str, outcome: str, reason: str | None) -> dict[str, Any]:
    """Mark a job printed or dropped; the same acknowledgement again changes nothing."""
    rows = list(work.db.query(
        "SELECT * FROM print_jobs WHERE id = ? AND printer_id = ?", [job_id, printer_id]
    ))
    if not rows:
        raise UnknownPrintJob(f"no print job {job_id!r} for printer {printer_id!r}", job_id=job_id)
    row = rows[0]
    if row["state"] == outcome:
        return job_json(row)
    if row["state"] != "pending":
        raise PrintJobAlreadyDone(
            f"print job {job_id} is already {row['state']}", job_id=job_id, state=row["state"]
        )
    changes = {"state": outcome, "done_at": work.now.isoformat(), "reason": reason}
    work.db.table("print_jobs").update(job_id, changes)
    if outcome == "dropped":
        work.emit("print.dropped", {
            "job_id": job_id, "printer_id": printer_id, "ticket_id": row["ticket_id"],
            "number": row["number"], "reason": reason,
        })
    return job_json({**row, **changes})
