"""/api/v1/shifts: a clerk logs in with a staff account and serves at one counter until logout.

The answer's token acts as that counter's workstation; every ticket and counter event it
causes carries the clerk's staff id. A counter workstation's own token may come along
(`Authorization: Bearer`): the counter is then the workstation's.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import shifts
from ..auth import Device
from ..console.staff_login import DirectoryUnavailable, login_staff
from ..context import CounterDevice, CtxDep, bearer
from ..errors import ApiError, bad_request, forbidden, unauthorized
from .answer import JsonAnswer
from .fields import Body, Id, Note
from .models import errors

router = APIRouter(prefix="/api/v1/shifts")


class ShiftLogin(Body):
    login: Id
    password: Note
    counter_id: Id | None = None


async def _workstation(request: Request, ctx: CtxDep) -> Device | None:
    token = bearer(request)
    if not token:
        return None
    device = await ctx.device_for(token)
    if device is None:
        raise unauthorized("this device token is unknown or revoked")
    if device.role != "counter" or device.staff_id is not None:
        raise forbidden("only a counter workstation's own token may come along")
    return device


def _counter(ctx: CtxDep, asked: str | None, workstation: Device | None) -> str:
    if workstation is not None:
        if asked and asked != workstation.counter_id:
            raise forbidden(f"this workstation belongs to counter {workstation.counter_id}, not {asked}")
        return str(workstation.counter_id)
    if not asked:
        raise bad_request("counter_id is needed (or a counter workstation's token)", field="counter_id")
    if asked not in {c.id for c in ctx.config.office.counters}:
        raise ApiError(404, "unknown_counter", f"no counter {asked!r}", counter_id=asked)
    return asked


@router.post("", status_code=201, responses=errors(401, 403, 404, 422, 429, 503))
async def start_shift(body: ShiftLogin, ctx: CtxDep, request: Request) -> JsonAnswer:
    """Log a clerk in at a counter: `{token, shift_id, staff: {id, name, role}, counter_id}`.
    401 `login_failed`; 429 `account_locked` after five wrong passwords in a row (a few minutes);
    503 `directory_unavailable` when a directory account's directory (LDAP) cannot be reached."""
    workstation = await _workstation(request, ctx)
    counter_id = _counter(ctx, body.counter_id, workstation)
    now = ctx.clock.now()
    try:
        result = await login_staff(ctx, body.login, body.password)
    except DirectoryUnavailable:
        raise ApiError(503, "directory_unavailable",
                       "the town's directory (LDAP) cannot be reached: try again shortly") from None
    if result.locked_until is not None:
        wait = max(1, int((result.locked_until - now).total_seconds()))
        raise ApiError(429, "account_locked", "too many wrong passwords: this account waits a few minutes",
                       retry_after=wait)
    actor = result.actor
    if actor is None:
        raise ApiError(401, "login_failed", "login or password is wrong, or the account is disabled")
    device_id = workstation.id if workstation else None
    shift_id, token = await ctx.store.write(
        lambda tx: shifts.start(tx.db, tx.now, actor, counter_id=counter_id, device_id=device_id), now=now)
    return JsonAnswer({"token": token, "shift_id": shift_id, "counter_id": counter_id,
                         "staff": {"id": actor.id, "name": actor.name, "role": actor.role}}, status_code=201)


@router.post("/end", status_code=204, responses=errors(401, 403, 409))
async def end_shift(ctx: CtxDep, device: CounterDevice) -> Response:
    """Logout: the clerk's binding to the counter ends and the shift's token is refused.
    409 `no_shift` for a workstation's own token (it has no shift to end)."""
    if device.staff_id is None:
        raise ApiError(409, "no_shift", "this is a workstation's token, not a clerk's shift")
    await ctx.store.write(lambda tx: shifts.end(tx.db, tx.now, device), now=ctx.clock.now())
    ctx.forget_device(device.id)
    return Response(status_code=204)
