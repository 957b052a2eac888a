"""Print jobs and printer health, kept by the server until a printer acknowledges them.

A kiosk check-in creates one job for the network printer assigned to that kiosk,
in the same transaction as the ticket, so a ticket never exists without its job.
A print agent fetches the pending jobs, prints, and acknowledges each one as
printed, or as dropped when it was too old to hand to a visitor. Nothing here
renders ESC/POS: the job carries the ticket's words, the agent lays them out.

office.toml:

    [[printers]]
    id = "eingang"              # slug, used in URLs
    name = "Drucker Eingang"    # shown to staff
    paper_mm = 80               # 58 or 80
    kiosks = ["kiosk-1"]        # kiosk device names whose tickets it prints; "*" = every kiosk
    agent = "drucker-eingang"   # name of the printer device (agent) that serves it; default: id
    max_job_age_min = 10        # older jobs are dropped, not printed late
    mode = "agent"              # "agent": network printer fed by jobs; "kiosk": USB in the kiosk
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from .auth import Device
from .config import ConfigError, OfficeConfig
from .core.errors import Conflict, NotFound
from .store import Tx

STATUSES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "unknown")
JOB_STATES = ("pending", "printed", "dropped")
OUTCOMES = ("printed", "dropped")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_FIELDS = {"id", "name", "paper_mm", "kiosks", "agent", "max_job_age_min", "mode"}


class UnknownPrinter(NotFound):
    """No printer with that id in office.toml."""

    code = "unknown_printer"


class UnknownPrintJob(NotFound):
    """No print job with that id for this printer."""

    code = "unknown_print_job"


class PrintJobAlreadyDone(Conflict):
    """The job was already acknowledged with another outcome."""

    code = "print_job_already_done"


class NotThisPrinter(Conflict):
    """The device is not the one configured to serve this printer."""

    code = "not_this_printer"
    status = 403


@dataclass(frozen=True)
class PrinterConfig:
    """One `[[printers]]` entry of office.toml."""

    id: str
    name: str
    paper_mm: int
    kiosks: tuple[str, ...]
    agent: str
    max_job_age_min: int
    mode: str

    def serves_kiosk(self, kiosk_name: str) -> bool:
        return "*" in self.kiosks or kiosk_name in self.kiosks


def _printer(config: OfficeConfig, index: int, table: Any) -> PrinterConfig:
    where = f"printers[{index}]"

    def fail(key: str, reason: str) -> ConfigError:
        return ConfigError(config.path, f"{where}.{key}", reason)

    if not isinstance(table, Mapping):
        raise ConfigError(config.path, where, "must be a table")
    for key in table:
        if key not in _FIELDS:
            raise fail(key, f"unknown setting (allowed: {', '.join(sorted(_FIELDS))})")
    printer_id = table.get("id")
    if not isinstance(printer_id, str) or not _SLUG.match(printer_id):
        raise fail("id", "must be a short slug (a-z, 0-9, - and _)")
    paper_mm = table.get("paper_mm", 80)
    if paper_mm not in (58, 80) or isinstance(paper_mm, bool):
        raise fail("paper_mm", f"must be 58 or 80, not {paper_mm!r}")
    kiosks = table.get("kiosks", [])
    if not isinstance(kiosks, list) or not all(isinstance(k, str) and k for k in kiosks):
        raise fail("kiosks", 'must be a list of kiosk device names, or ["*"]')
    age = table.get("max_job_age_min", 10)
    if not isinstance(age, int) or isinstance(age, bool) or not 1 <= age <= 240:
        raise fail("max_job_age_min", "must be 1-240 minutes")
    mode = table.get("mode", "agent")
    if mode not in ("agent", "kiosk"):
        raise fail("mode", f'must be "agent" or "kiosk", not {mode!r}')
    name, agent = table.get("name", printer_id), table.get("agent", printer_id)
    if not isinstance(name, str) or not isinstance(agent, str) or not agent:
        raise fail("name", "name and agent must be texts")
    return PrinterConfig(
        id=printer_id,
        name=name,
        paper_mm=paper_mm,
        kiosks=tuple(kiosks),
        agent=agent,
        max_job_age_min=age,
        mode=mode,
    )


def printers_of(config: OfficeConfig) -> tuple[PrinterConfig, ...]:
    """The configured printers, or a ConfigError naming file, field and reason."""
    tables = config.sections.get("printers", [])
    if not isinstance(tables, list):
        raise ConfigError(config.path, "printers", "must be a list of [[printers]] tables")
    printers = tuple(_printer(config, i, t) for i, t in enumerate(tables))
    seen: set[str] = set()
    for index, printer in enumerate(printers):
        if printer.id in seen:
            raise ConfigError(config.path, f"printers[{index}].id", f"{printer.id!r} is used twice")
        seen.add(printer.id)
    return printers


def printer_by_id(config: OfficeConfig, printer_id: str) -> PrinterConfig:
    for printer in printers_of(config):
        if printer.id == printer_id:
            return printer
    raise UnknownPrinter(f"no printer {printer_id!r} in office.toml", printer_id=printer_id)


def check_device_may_serve(device: Device, printer: PrinterConfig) -> None:
    """A printer agent serves its own printer; a kiosk reports on the printer assigned to it."""
    if device.role == "admin":
        return
    if device.role == "printer" and device.name == printer.agent:
        return
    if device.role == "kiosk" and printer.serves_kiosk(device.name):
        return
    raise NotThisPrinter(
        f"device {device.name!r} does not serve printer {printer.id!r}", printer_id=printer.id
    )


# --- jobs --------------------------------------------------------------------------------


def _job_content(
    config: OfficeConfig, ticket: Mapping[str, Any], answer: Mapping[str, Any]
) -> dict[str, Any]:
    """The words on the ticket, in the shape printers.ticket.TicketContent reads."""
    service = next(s for s in config.office.services if s.id == ticket["service_id"])
    lang = str(ticket.get("lang") or "de")
    created = datetime.fromisoformat(str(ticket["created_at"]))
    position = answer.get("position")
    return {
        "office_name": config.office.name,
        "number": ticket["number"],
        "errand": service.names.get(lang, service.names["de"]),
        "errand_de": service.names["de"],
        "lang": lang,
        "issued_at": created.astimezone(ZoneInfo(config.office.timezone)).isoformat(),
        # `position` counts from 1 for the next one called.
        "people_ahead": None if position is None else max(int(position) - 1, 0),
        "eta_min": answer.get("eta_min"),
        "status_url": answer.get("status_url", ""),
    }


def _job_json(row: Mapping[str, Any]) -> dict[str, Any]:
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


def enqueue_for_checkin(
    tx: Tx, *, config: OfficeConfig, device: Device, answer: tuple[int, Any]
) -> tuple[int, Any]:
    """Add a print job for the kiosk's printer to a check-in answer; the answer says which."""
    status, body = answer
    printer = next(
        (p for p in printers_of(config) if p.mode == "agent" and p.serves_kiosk(device.name)),
        None,
    )
    if device.role != "kiosk" or printer is None or not isinstance(body, dict):
        return answer
    ticket = body["ticket"]
    row = {
        "id": str(uuid.uuid4()),
        "printer_id": printer.id,
        "ticket_id": ticket["id"],
        "number": ticket["number"],
        "state": "pending",
        "paper_mm": printer.paper_mm,
        "content": json.dumps(_job_content(config, ticket, body), ensure_ascii=False),
        "created_at": tx.now.isoformat(),
        "expires_at": (tx.now + timedelta(minutes=printer.max_job_age_min)).isoformat(),
        "done_at": None,
        "reason": None,
    }
    tx.db.table("print_jobs").insert(row)
    tx.emit(
        "print.job",
        {
            "job_id": row["id"],
            "printer_id": printer.id,
            "ticket_id": ticket["id"],
            "number": ticket["number"],
        },
    )
    return status, {**body, "print_job": {"id": row["id"], "printer_id": printer.id}}


def jobs(
    db: sqlite_utils.Database, *, printer_id: str, state: str, limit: int = 100
) -> list[dict[str, Any]]:
    """A printer's jobs in one state, oldest first (the order they must be printed in)."""
    rows = db.execute(
        "SELECT * FROM print_jobs WHERE printer_id = ? AND state = ? ORDER BY created_at, rowid"
        " LIMIT ?",
        [printer_id, state, limit],
    )
    names = [d[0] for d in rows.description]
    return [_job_json(dict(zip(names, values, strict=True))) for values in rows.fetchall()]


def acknowledge(
    tx: Tx, *, printer_id: str, job_id: str, outcome: str, reason: str | None
) -> dict[str, Any]:
    """Mark a job printed or dropped; the same acknowledgement again changes nothing."""
    rows = list(
        tx.db.query(
            "SELECT * FROM print_jobs WHERE id = ? AND printer_id = ?", [job_id, printer_id]
        )
    )
    if not rows:
        raise UnknownPrintJob(f"no print job {job_id!r} for printer {printer_id!r}", job_id=job_id)
    row = rows[0]
    if row["state"] == outcome:
        return _job_json(row)
    if row["state"] != "pending":
        raise PrintJobAlreadyDone(
            f"print job {job_id} is already {row['state']}", job_id=job_id, state=row["state"]
        )
    changes = {"state": outcome, "done_at": tx.now.isoformat(), "reason": reason}
    tx.db.table("print_jobs").update(job_id, changes)
    if outcome == "dropped":
        tx.emit(
            "print.dropped",
            {
                "job_id": job_id,
                "printer_id": printer_id,
                "ticket_id": row["ticket_id"],
                "number": row["number"],
                "reason": reason,
            },
        )
    return _job_json({**row, **changes})


# --- printer status ----------------------------------------------------------------------


def report_status(
    tx: Tx, *, printer_id: str, status: str, detail: str | None
) -> tuple[dict[str, Any], bool]:
    """Store what the printer said; emit `printer.status` only when it changed."""
    current = printer_states(tx.db).get(printer_id)
    changed = current is None or current["status"] != status
    since = tx.now.isoformat() if current is None or changed else current["since"]
    state = {
        "printer_id": printer_id,
        "status": status,
        "detail": detail,
        "since": since,
        "reported_at": tx.now.isoformat(),
    }
    tx.db.table("printer_states").upsert(state, pk="printer_id")
    if changed:
        tx.emit("printer.status", {"printer_id": printer_id, "status": status, "detail": detail})
    return state, changed


def printer_states(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    rows = db.execute("SELECT printer_id, status, detail, since, reported_at FROM printer_states")
    names = [d[0] for d in rows.description]
    return {values[0]: dict(zip(names, values, strict=True)) for values in rows.fetchall()}


def printer_list(db: sqlite_utils.Database, config: OfficeConfig) -> list[dict[str, Any]]:
    """Every configured printer with its last reported status and its pending job count."""
    states = printer_states(db)
    pending = dict(
        db.execute(
            "SELECT printer_id, count(*) FROM print_jobs WHERE state = 'pending' GROUP BY printer_id"
        ).fetchall()
    )
    return [
        {
            "id": p.id,
            "name": p.name,
            "paper_mm": p.paper_mm,
            "mode": p.mode,
            "max_job_age_min": p.max_job_age_min,
            "status": states.get(p.id, {}).get("status", "unknown"),
            "detail": states.get(p.id, {}).get("detail"),
            "since": states.get(p.id, {}).get("since"),
            "pending_jobs": int(pending.get(p.id, 0)),
        }
        for p in printers_of(config)
    ]
