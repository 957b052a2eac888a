"""Printer health: what each printer last said, for staff warnings on the display and clerk page."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from ..auth import Device
from ..config import OfficeConfig, PrinterConfig
from ..uow import Work
from .errors import NotThisPrinter, UnknownPrinter

STATUSES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "unknown")


def printer_by_id(config: OfficeConfig, printer_id: str) -> PrinterConfig:
    printer = config.printer(printer_id)
    if printer is None:
        raise UnknownPrinter(f"no printer {printer_id!r} in office.toml", printer_id=printer_id)
    return printer


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


def report_status(work: Work, *, printer_id: str, status: str, detail: str | None) -> tuple[dict[str, Any], bool]:
    """Store what the printer said; emit `printer.status` only when it changed."""
    current = printer_states(work.db).get(printer_id)
    changed = current is None or current["status"] != status
    since = work.now.isoformat() if current is None or changed else current["since"]
    state = {
        "printer_id": printer_id,
        "status": status,
        "detail": detail,
        "since": since,
        "reported_at": work.now.isoformat(),
    }
    work.db.table("printer_states").upsert(state, pk="printer_id")
    if changed:
        work.emit("printer.status", {"printer_id": printer_id, "status": status, "detail": detail})
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
        for p in config.printers
    ]


def printer_health(db: sqlite_utils.Database, config: OfficeConfig) -> list[dict[str, Any]]:
    """Each printer's state, short, for the display and the clerk page."""
    return [
        {"id": p["id"], "name": p["name"], "status": p["status"], "pending_jobs": p["pending_jobs"]}
        for p in printer_list(db, config)
    ]
