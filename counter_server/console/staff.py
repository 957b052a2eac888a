"""Named staff accounts (optional): login and password, hashed with scrypt, or a directory
account whose password the town's directory (LDAP, `[ldap]`) checks; roles clerk,
head (office head), admin. Device tokens keep working for offices without accounts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from .audit import Actor

STAFF_ROLES = ("clerk", "head", "admin")
# scrypt at n=2**14, r=8, p=1: about 16 MiB and 50 ms per check
N, R, P = 2**14, 8, 1
# the password_hash of a directory account: no local password, the directory checks it
DIRECTORY = "ldap"


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


MIN_PASSWORD = 10
MAX_FAILURES = 5  # wrong passwords in a row before the account waits
LOCKOUT = timedelta(minutes=5)


@dataclass(frozen=True)
class LoginResult:
    """An account's login: the actor, or why not (`locked_until` while it waits)."""

    actor: Actor | None
    locked_until: datetime | None = None


def _check_new(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"a password needs at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise StaffError(f"unknown role {role!r} (roles: {', '.join(STAFF_ROLES)})")


def add_staff(db: sqlite_utils.Database, now: datetime, *, login: str, name: str, role: str,
              password: str | None) -> str:
    """A new account; `password=None` makes a directory account (its password is the directory's)."""
    _check_role(role)
    if not login.strip():
        raise StaffError("a login is needed")
    if password is not None:
        _check_new(password)
    if list(db.query("SELECT 1 FROM staff WHERE login = ?", [login])):
        raise StaffError(f"the login {login!r} is taken")
    staff_id = str(uuid.uuid4())
    db.table("staff").insert({"id": staff_id, "login": login, "name": name or login, "role": role,
                              "password_hash": DIRECTORY if password is None else hash_password(password), "created_at": now.isoformat(),
                              "failed_logins": 0})
    return staff_id


def list_staff(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT id, login, name, role, created_at, disabled_at, locked_until,"
                         " password_hash = ? AS directory FROM staff ORDER BY login", [DIRECTORY]))


def staff_id_of(db: sqlite_utils.Database, login: str) -> str:
    rows = list(db.query("SELECT id FROM staff WHERE login = ? OR id = ?", [login, login]))
    if not rows:
        raise StaffError(f"no staff account {login!r}")
    return str(rows[0]["id"])


def set_password(db: sqlite_utils.Database, staff_id: str, password: str) -> None:
    """A new local password (a directory account becomes a local one)."""
    _check_new(password)
    db.execute("UPDATE staff SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
               [hash_password(password), staff_id])


def set_role(db: sqlite_utils.Database, staff_id: str, role: str) -> None:
    _check_role(role)
    db.execute("UPDATE staff SET role = ? WHERE id = ?", [role, staff_id])
    # a console session keeps the role it began with: it ends, the next login has the new one
    db.execute("DELETE FROM console_sessions WHERE kind = 'staff' AND principal_id = ?", [staff_id])


def disable(db: sqlite_utils.Database, now: datetime, staff_id: str) -> None:
    """The account can log in no more; its console sessions and shifts end at once."""
    db.execute("UPDATE staff SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL", [now.isoformat(), staff_id])
    db.execute("DELETE FROM console_sessions WHERE kind = 'staff' AND principal_id = ?", [staff_id])
    db.execute("UPDATE shifts SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL", [now.isoformat(), staff_id])


def enable(db: sqlite_utils.Database, staff_id: str) -> None:
    db.execute("UPDATE staff SET disabled_at = NULL, failed_logins = 0, locked_until = NULL WHERE id = ?",
               [staff_id])


def _failed(db: sqlite_utils.Database, now: datetime, row: dict[str, Any]) -> LoginResult:
    failures = int(row["failed_logins"] or 0) + 1
    if failures >= MAX_FAILURES:
        until = now + LOCKOUT
        db.execute("UPDATE staff SET failed_logins = 0, locked_until = ? WHERE id = ?", [until.isoformat(), row["id"]])
        return LoginResult(None, until)
    db.execute("UPDATE staff SET failed_logins = ? WHERE id = ?", [failures, row["id"]])
    return LoginResult(None)


def _locked(row: dict[str, Any], now: datetime) -> datetime | None:
    locked = datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None
    return locked if locked is not None and locked > now else None


def needs_directory(db: sqlite_utils.Database, now: datetime, login: str) -> bool:
    """True for an active, unlocked directory account: its password goes to the directory first
    (a locked one is refused without asking, so the lockout also shields the directory)."""
    rows = list(db.query("SELECT password_hash, locked_until FROM staff WHERE login = ? AND disabled_at IS NULL",
                         [login]))
    return bool(rows) and rows[0]["password_hash"] == DIRECTORY and _locked(rows[0], now) is None


def authenticate(db: sqlite_utils.Database, now: datetime, login: str, password: str,
                 directory_said: bool | None = None) -> LoginResult:
    """Check a login (in a write: failures are counted). Five wrong passwords in a row lock the
    account for LOCKOUT; while locked, not even the right password opens it. A directory
    account's password is right only if `directory_said` so (the bind, done before the write)."""
    rows = list(db.query("SELECT id, name, role, password_hash, failed_logins, locked_until FROM staff"
                         " WHERE login = ? AND disabled_at IS NULL", [login]))
    if not rows:
        hash_password(password)  # the same time spent whether or not the login exists
        return LoginResult(None)
    row = rows[0]
    locked = _locked(row, now)
    if locked is not None:
        hash_password(password)
        return LoginResult(None, locked)
    if row["password_hash"] == DIRECTORY:
        right = directory_said is True
    else:
        right = check_password(password, row["password_hash"])
    if not right:
        return _failed(db, now, row)
    db.execute("UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?", [row["id"]])
    return LoginResult(Actor(id=row["id"], name=row["name"], role=row["role"], kind="staff"))
