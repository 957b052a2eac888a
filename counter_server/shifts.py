"""A clerk's shift: a staff account bound to one counter until logout.

The shift's token (shown once, a hash stored) acts as a counter workstation of that counter
and carries the staff id, so events and the audit log say which clerk served. Only the id
goes into events: names stay in the `staff` table.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlite_utils

from .auth import Device, hash_token, new_token
from .console.audit import Actor, record


def start(db: sqlite_utils.Database, now: datetime, actor: Actor, *, counter_id: str,
          device_id: str | None) -> tuple[str, str]:
    """Bind the staff member to `counter_id`; ends their earlier shift. Returns (shift id, token)."""
    for (old,) in db.execute("SELECT id FROM shifts WHERE staff_id = ? AND ended_at IS NULL", [actor.id]).fetchall():
        db.execute("UPDATE shifts SET ended_at = ? WHERE id = ?", [now.isoformat(), old])
    token, shift_id = new_token(), str(uuid.uuid4())
    db.table("shifts").insert({"id": shift_id, "token_hash": hash_token(token), "staff_id": actor.id,
                               "counter_id": counter_id, "device_id": device_id, "started_at": now.isoformat()})
    workstation = {"workstation": device_id} if device_id else {}
    record(db, now, actor, "shift.start", counter_id, staff_id=actor.id, **workstation)
    return shift_id, token


def find(db: sqlite_utils.Database, token: str) -> Device | None:
    """The running shift of this token, as the counter device it acts as."""
    row = db.execute(
        "SELECT s.id, a.name, s.counter_id, s.staff_id FROM shifts s JOIN staff a ON a.id = s.staff_id"
        " WHERE s.token_hash = ? AND s.ended_at IS NULL AND a.disabled_at IS NULL",
        [hash_token(token)],
    ).fetchone()
    if row is None:
        return None
    shift_id, name, counter_id, staff_id = row
    return Device(id=shift_id, name=name, role="counter", counter_id=counter_id, staff_id=staff_id)


def end(db: sqlite_utils.Database, now: datetime, device: Device) -> None:
    """Logout: the binding ends, the token is refused from now on."""
    db.execute("UPDATE shifts SET ended_at = ? WHERE id = ? AND ended_at IS NULL", [now.isoformat(), device.id])
    role = db.execute("SELECT role FROM staff WHERE id = ?", [device.staff_id]).fetchone()
    actor = Actor(id=device.staff_id or "", name=device.name, role=role[0] if role else "clerk", kind="staff")
    record(db, now, actor, "shift.end", device.counter_id or "", staff_id=device.staff_id)


def running(db: sqlite_utils.Database) -> list[dict[str, str]]:
    """Who serves at which counter now (for the console)."""
    rows = db.execute(
        "SELECT s.counter_id, a.name, a.id, s.started_at FROM shifts s JOIN staff a ON a.id = s.staff_id"
        " WHERE s.ended_at IS NULL AND a.disabled_at IS NULL ORDER BY s.counter_id").fetchall()
    return [{"counter_id": c, "name": n, "staff_id": i, "started_at": t} for c, n, i, t in rows]
