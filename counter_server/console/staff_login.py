"""A staff login, local or from the town's directory: the one path for the console's login
form and a clerk's shift. The directory is asked outside any database write (it may take up
to `timeout_s`); the failure count and lockout are the same for both kinds of account."""

from __future__ import annotations

import asyncio

from ..context import Context
from .directory import DirectoryUnavailable, check
from .staff import LoginResult, authenticate, needs_directory

__all__ = ["DirectoryUnavailable", "login_staff"]


async def login_staff(ctx: Context, login: str, password: str) -> LoginResult:
    """The account's login; raises DirectoryUnavailable when its directory cannot tell."""
    now = ctx.clock.now()
    verdict: bool | None = None
    if await ctx.store.read(lambda db: needs_directory(db, now, login)):
        settings = ctx.config.ldap
        if settings is None:
            raise DirectoryUnavailable("no [ldap] in office.toml")
        verdict = await asyncio.to_thread(check, settings, login, password)
    return await ctx.store.write(lambda tx: authenticate(tx.db, tx.now, login, password, verdict), now=now)
