"""Device tokens: one per kiosk, counter, display, printer agent, booking system, admin.

Only a hash of each token is stored; the token itself is shown once, when created.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

ROLES = ("kiosk", "counter", "display", "printer", "booking", "head", "admin")
# the office head (Amtsleitung): the supervisor view and its actions, nothing of the admin console
HEAD = "head"
TOKEN_PREFIX = "thq_"


class DeviceError(ValueError):
    """A device cannot be created as asked."""


@dataclass(frozen=True)
class Device:
    id: str
    name: str
    role: str
    counter_id: str | None
    # a clerk's shift (a staff account bound to a counter) acts as a counter device carrying its staff id
    staff_id: str | None = None


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def add_device(
    db: sqlite_utils.Database,
    *,
    role: str,
    name: str,
    now: datetime,
    counter_id: str | None = None,
    counter_ids: set[str] | None = None,
) -> tuple[Device, str]:
    """Create a device and return it with its new token."""
    if role not in ROLES:
        raise DeviceError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    if role == "counter":
        if not counter_id:
            raise DeviceError("a counter device needs --counter ID")
        if counter_ids is not None and counter_id not in counter_ids:
            raise DeviceError(f"no counter {counter_id!r} in office.toml")
    elif counter_id:
        raise DeviceError("--counter only goes with --role counter")
    token = new_token()
    device = Device(id=str(uuid.uuid4()), name=name or role, role=role, counter_id=counter_id)
    db.table("devices").insert(
        {
            "id": device.id, "name": device.name, "role": role, "counter_id": counter_id,
            "token_hash": hash_token(token), "created_at": now.isoformat(), "revoked_at": None,
        }
    )
    return device, token


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def find_device(db: sqlite_utils.Database, token: str) -> Device | None:
    rows = list(
        db.query(
            "SELECT id, name, role, counter_id FROM devices WHERE token_hash = ? AND revoked_at IS NULL",
            [hash_token(token)],
        )
    )
    if not rows:
        return None
    row = rows[0]
    return Device(id=row["id"], name=row["name"], role=row["role"], counter_id=row["counter_id"])
