"""/admin/staff: named staff accounts (admin only): add (local, or a directory account when
`[ldap]` is set), set the role, reset the password, disable and enable. Every change is in
the audit log; no password is ever logged or shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from .. import shifts
from ..context import context
from ..stats import clerks
from ..store import Tx
from . import staff
from .audit import recent, record
from .web import ADMIN, Caller, form_of, guard, render

router = APIRouter(include_in_schema=False)
ROLE_NAMES = {"clerk": "Sachbearbeitung (Schalter)", "head": "Amtsleitung", "admin": "Verwaltung"}
DONE = {"role": "Rolle geändert", "passwd": "Passwort neu gesetzt", "disable": "Konto gesperrt",
        "enable": "Konto wieder freigegeben"}


async def _page(request: Request, caller: Caller, *, error: str = "", done: str = "", status: int = 200) -> Response:
    ctx = context(request)

    local = ctx.clock.now().astimezone(ZoneInfo(ctx.config.office.timezone))
    # events are stamped in UTC: the office day's start, in UTC
    today = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC).isoformat()

    def view(db: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[dict[str, Any]], dict[str, dict[str, int]]]:
        return staff.list_staff(db), shifts.running(db), recent(db, 20), clerks.per_clerk(db, today)

    accounts, running, audit, figures = await ctx.read(view)
    return render("staff.html", status=status, session=caller.session, csrf=caller.csrf, error=error, done=done,
                  accounts=accounts, shifts={s["staff_id"]: s["counter_id"] for s in running},
                  roles=staff.STAFF_ROLES, role_names=ROLE_NAMES, audit=audit, figures=figures,
                  directory=ctx.config.ldap is not None)


@router.get("/admin/staff")
async def staff_page(request: Request, done: str = "") -> Response:
    caller = await guard(request, ADMIN)
    return await _page(request, caller, done=DONE.get(done, ""))


@router.post("/admin/staff/add")
async def add_account(request: Request) -> Response:
    form = await form_of(request)
    caller = await guard(request, ADMIN, form=form)
    login, role = str(form.get("login", "")).strip(), str(form.get("role", ""))
    # a directory account (LDAP): no local password, the directory checks it
    password = None if form.get("directory") else str(form.get("password", ""))

    def add(tx: Tx) -> None:
        if password is None and context(request).config.ldap is None:
            raise staff.StaffError("a directory account needs [ldap] in office.toml")
        staff_id = staff.add_staff(tx.db, tx.now, login=login, name=str(form.get("name", "")).strip(), role=role,
                                   password=password)
        record(tx.db, tx.now, caller.actor, "staff.add", staff_id, login=login, role=role,
               **({"password": "LDAP"} if password is None else {}))

    try:
        await context(request).store.write(add, now=context(request).clock.now())
    except staff.StaffError as error:
        return await _page(request, caller, error=str(error), status=422)
    return RedirectResponse("/admin/staff?done=add", status_code=303)


def _change(action: str, staff_id: str, form: dict[str, Any]) -> Callable[[Tx], None]:
    def change(tx: Tx) -> None:
        if not tx.db.execute("SELECT 1 FROM staff WHERE id = ?", [staff_id]).fetchone():
            raise staff.StaffError(f"no staff account {staff_id!r}")
        if action == "role":
            staff.set_role(tx.db, staff_id, str(form.get("role", "")))
        elif action == "passwd":
            staff.set_password(tx.db, staff_id, str(form.get("password", "")))
        elif action == "disable":
            staff.disable(tx.db, tx.now, staff_id)
        elif action == "enable":
            staff.enable(tx.db, staff_id)
        else:
            raise staff.StaffError(f"unknown action {action!r}")

    return change


@router.post("/admin/staff/{staff_id}/{action}")
async def account_action(staff_id: str, action: str, request: Request) -> Response:
    form = await form_of(request)
    caller = await guard(request, ADMIN, form=form)
    ctx = context(request)
    change = _change(action, staff_id, form)

    def audited(tx: Tx) -> None:
        change(tx)
        detail = {"role": str(form.get("role", ""))} if action == "role" else {}
        record(tx.db, tx.now, caller.actor, f"staff.{action}", staff_id, **detail)

    try:
        await ctx.store.write(audited, now=ctx.clock.now())
    except staff.StaffError as error:
        return await _page(request, caller, error=str(error), status=422)
    if action == "disable":
        for shift_id in await ctx.read(lambda db: [r[0] for r in db.execute(
                "SELECT id FROM shifts WHERE staff_id = ?", [staff_id]).fetchall()]):
            ctx.forget_device(shift_id)
    return RedirectResponse(f"/admin/staff?done={action}", status_code=303)
