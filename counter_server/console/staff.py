"""Named staff accounts (optional): login and password, hashed with scrypt; roles clerk,
head (office head), admin. Device tokens keep working for offices without accounts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

import sqlite_utils

from .audit import Actor

STAFF_ROLES = ("clerk", "head", "admin")
# scrypt at n=2**14, r=8, p=1: about 16 MiB and 50 ms per check
N, R, P = 2**14, 8, 1


class StaffError(ValueError):
    """An account cannot be made as asked."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    encoded = f"{base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    return f"scrypt${N}${R}${P}${encoded}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                               dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, base64.b64decode(digest))


def add_staff(db: sqlite_utils.Database, now: datetime, *, login: str, name: str, role: str, password: str) -> str:
    if role not in STAFF_ROLES:
        raise StaffError(f"unknown role {role!r} (roles: {', '.join(STAFF_ROLES)})")
    if not login.strip() or len(password) < 10:
        raise StaffError("a login and a password of at least 10 characters are needed")
    if list(db.query("SELECT 1 FROM staff WHERE login = ?", [login])):
        raise StaffError(f"the login {login!r} is taken")
    staff_id = str(uuid.uuid4())
    db.table("staff").insert({"id": staff_id, "login": login, "name": name or login, "role": role,
                              "password_hash": hash_password(password), "created_at": now.isoformat()})
    return staff_id


def authenticate(db: sqlite_utils.Database, login: str, password: str) -> Actor | None:
    rows = list(db.query("SELECT id, name, role, password_hash FROM staff WHERE login = ? AND disabled_at IS NULL",
                         [login]))
    if not rows:
        hash_password(password)  # the same time spent whether or not the login exists
        return None
    row = rows[0]
    if not check_password(password, row["password_hash"]):
        return None
    return Actor(id=row["id"], name=row["name"], role=row["role"], kind="staff")
