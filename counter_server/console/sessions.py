"""Console sessions: an admin (or office head) logs in once with a device token or a staff
account and gets an expiring cookie (HttpOnly, SameSite=Strict); every form carries the
session's CSRF token.

Only a hash of the cookie's value is stored, as with device tokens.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlite_utils
from starlette.requests import HTTPConnection
from starlette.responses import Response

from ..auth import Device, hash_token
from .audit import Actor

if TYPE_CHECKING:
    from ..context import Context

COOKIE = "thq_console"
IDLE = timedelta(minutes=30)  # a session unused this long is over
RENEW_AFTER = timedelta(minutes=1)  # its end moves on at most once a minute


@dataclass(frozen=True)
class Session:
    actor: Actor
    csrf: str
    expires_at: datetime


def create(db: sqlite_utils.Database, now: datetime, actor: Actor) -> tuple[str, Session]:
    token = secrets.token_urlsafe(32)
    session = Session(actor=actor, csrf=secrets.token_urlsafe(24), expires_at=now + IDLE)
    db.table("console_sessions").insert({
        "token_hash": hash_token(token), "principal_id": actor.id, "kind": actor.kind, "name": actor.name,
        "role": actor.role, "csrf": session.csrf, "created_at": now.isoformat(),
        "expires_at": session.expires_at.isoformat(),
    })
    db.execute("DELETE FROM console_sessions WHERE expires_at < ?", [now.isoformat()])
    return token, session


def find(db: sqlite_utils.Database, token: str, now: datetime) -> Session | None:
    """The live session of this cookie value; a revoked device or disabled account has none."""
    rows = db.execute(
        "SELECT s.principal_id, s.kind, s.name, s.role, s.csrf, s.expires_at FROM console_sessions s"
        " LEFT JOIN devices d ON s.kind = 'device' AND d.id = s.principal_id"
        " LEFT JOIN staff a ON s.kind = 'staff' AND a.id = s.principal_id"
        " WHERE s.token_hash = ? AND s.expires_at > ?"
        " AND ((s.kind = 'device' AND d.revoked_at IS NULL AND d.id IS NOT NULL)"
        "  OR (s.kind = 'staff' AND a.disabled_at IS NULL AND a.id IS NOT NULL))",
        [hash_token(token), now.isoformat()],
    ).fetchall()
    if not rows:
        return None
    principal_id, kind, name, role, csrf, expires_at = rows[0]
    actor = Actor(id=principal_id, name=name, role=role, kind=kind)
    return Session(actor=actor, csrf=csrf, expires_at=datetime.fromisoformat(expires_at))


def renew(db: sqlite_utils.Database, token: str, now: datetime) -> None:
    db.execute("UPDATE console_sessions SET expires_at = ? WHERE token_hash = ?",
               [(now + IDLE).isoformat(), hash_token(token)])


def end(db: sqlite_utils.Database, token: str) -> None:
    db.execute("DELETE FROM console_sessions WHERE token_hash = ?", [hash_token(token)])


def set_cookie(response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=int(IDLE.total_seconds()), httponly=True, samesite="strict",
                        path="/")


def csrf_ok(session: Session, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(session.csrf, given or "")


async def current(ctx: Context, connection: HTTPConnection) -> Session | None:
    """The session of this request's cookie, renewed when it is more than a minute old."""
    token = connection.cookies.get(COOKIE)
    if not token:
        return None
    now = ctx.clock.now()
    session = await ctx.read(lambda db: find(db, token, now))
    if session is not None and session.expires_at - now < IDLE - RENEW_AFTER:
        await ctx.store.write(lambda tx: renew(tx.db, token, now), now=now)
    return session


async def session_device(ctx: Context, connection: HTTPConnection) -> Device | None:
    """A console page's websocket: its session stands for the device (or account) behind it."""
    session = await current(ctx, connection)
    if session is None:
        return None
    actor = session.actor
    return Device(id=actor.id, name=actor.name, role=actor.role, counter_id=None)
