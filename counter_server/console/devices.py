"""Devices as the console manages them: list, add, rename, revoke, rotate a token.

Each change runs in one write transaction with its audit row. The caller then makes the
change take effect at once in this process (`Context.forget_device`): the token cache
forgets the device and its websockets are closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from ..auth import Device, DeviceError, add_device, hash_token, new_token
from ..core.errors import NotFound
from .audit import Actor, record

NAME_MAX = 80


class UnknownDevice(NotFound):
    code = "unknown_device"


def list_devices(db: sqlite_utils.Database, seen: dict[str, tuple[str, str]],
                 online: set[str]) -> list[dict[str, Any]]:
    """Every device, newest first; `seen` (this run's sightings) wins over the stored ones."""
    rows = db.execute(
        "SELECT id, name, role, counter_id, created_at, revoked_at, last_seen_at, last_address"
        " FROM devices ORDER BY revoked_at IS NOT NULL, role, name"
    ).fetchall()
    devices = []
    for id_, name, role, counter_id, created_at, revoked_at, last_seen, address in rows:
        live_seen, live_address = seen.get(id_, (last_seen, address))
        devices.append({
            "id": id_, "name": name, "role": role, "counter_id": counter_id, "created_at": created_at,
            "revoked_at": revoked_at, "last_seen_at": live_seen, "last_address": live_address,
            "connected": id_ in online,
        })
    return devices


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise DeviceError(f"a device name needs 1-{NAME_MAX} characters")
    return name


def _device(db: sqlite_utils.Database, device_id: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM devices WHERE id = ?", [device_id]))
    if not rows:
        raise UnknownDevice(f"no device {device_id!r}", device_id=device_id)
    return rows[0]


def create(db: sqlite_utils.Database, now: datetime, actor: Actor, *, role: str, name: str,
           counter_id: str | None, counter_ids: set[str]) -> tuple[Device, str]:
    device, token = add_device(db, role=role, name=_name(name), now=now, counter_id=counter_id or None,
                               counter_ids=counter_ids)
    record(db, now, actor, "device.add", device.id, name=device.name, role=role, counter_id=counter_id)
    return device, token


def rename(db: sqlite_utils.Database, now: datetime, actor: Actor, device_id: str, name: str) -> None:
    old = _device(db, device_id)
    new = _name(name)
    db.execute("UPDATE devices SET name = ? WHERE id = ?", [new, device_id])
    record(db, now, actor, "device.rename", device_id, old=old["name"], new=new)


def revoke(db: sqlite_utils.Database, now: datetime, actor: Actor, device_id: str) -> None:
    row = _device(db, device_id)
    if row["revoked_at"] is None:
        db.execute("UPDATE devices SET revoked_at = ? WHERE id = ?", [now.isoformat(), device_id])
    db.execute("DELETE FROM console_sessions WHERE principal_id = ? AND kind = 'device'", [device_id])
    record(db, now, actor, "device.revoke", device_id, name=row["name"], role=row["role"])


def rotate(db: sqlite_utils.Database, now: datetime, actor: Actor, device_id: str) -> str:
    """A new token for the device; the old one stops working at once."""
    row = _device(db, device_id)
    if row["revoked_at"] is not None:
        raise DeviceError("a revoked device gets no new token")
    token = new_token()
    db.execute("UPDATE devices SET token_hash = ? WHERE id = ?", [hash_token(token), device_id])
    db.execute("DELETE FROM console_sessions WHERE principal_id = ? AND kind = 'device'", [device_id])
    record(db, now, actor, "device.rotate", device_id, name=row["name"], role=row["role"])
    return token


def save_sightings(db: sqlite_utils.Database, seen: dict[str, tuple[str, str]]) -> None:
    for device_id, (at, address) in seen.items():
        db.execute("UPDATE devices SET last_seen_at = ?, last_address = ? WHERE id = ?", [at, address, device_id])
