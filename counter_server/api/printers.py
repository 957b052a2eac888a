"""Printers: their health for staff, and the print-job queue for print agents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .. import printjobs
from ..auth import Device
from ..context import Context, context, role
from ..errors import bad_request
from ..store import Tx

router = APIRouter(prefix="/api/v1/printers")


class AckBody(BaseModel):
    outcome: str = "printed"
    reason: str | None = None


class StatusBody(BaseModel):
    status: str
    detail: str | None = None


@router.get("")
async def list_printers(
    ctx: Context = Depends(context), device: Device = Depends(role())
) -> dict[str, Any]:
    printers = await ctx.store.read(lambda db: printjobs.printer_list(db, ctx.config))
    return {"printers": printers}


@router.get("/{printer_id}/jobs")
async def list_jobs(
    printer_id: str,
    state: str = Query("pending"),
    limit: int = Query(100, ge=1, le=1000),
    ctx: Context = Depends(context),
    device: Device = Depends(role("printer")),
) -> dict[str, Any]:
    printjobs.check_device_may_serve(device, printjobs.printer_by_id(ctx.config, printer_id))
    if state not in printjobs.JOB_STATES:
        raise bad_request(f"state must be one of {', '.join(printjobs.JOB_STATES)}, not {state!r}")
    found = await ctx.store.read(
        lambda db: printjobs.jobs(db, printer_id=printer_id, state=state, limit=limit)
    )
    # The office clock may be shifted (--clock); agents judge a job's age by this.
    return {"now": ctx.clock.now().isoformat(), "jobs": found}


@router.post("/{printer_id}/jobs/{job_id}/ack")
async def acknowledge_job(
    printer_id: str,
    job_id: str,
    body: AckBody,
    ctx: Context = Depends(context),
    device: Device = Depends(role("printer")),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> JSONResponse:
    printjobs.check_device_may_serve(device, printjobs.printer_by_id(ctx.config, printer_id))
    if body.outcome not in printjobs.OUTCOMES:
        raise bad_request(f"outcome must be printed or dropped, not {body.outcome!r}")

    def act(tx: Tx) -> tuple[int, Any]:
        job = printjobs.acknowledge(
            tx, printer_id=printer_id, job_id=job_id, outcome=body.outcome, reason=body.reason
        )
        return 200, {"job": job}

    request = f"ack:{printer_id}:{job_id}:{body.model_dump_json()}"
    status, answer = await ctx.write_once(device, idempotency_key, request, act)
    return JSONResponse(answer, status_code=status)


@router.post("/{printer_id}/status")
async def report_status(
    printer_id: str,
    body: StatusBody,
    ctx: Context = Depends(context),
    device: Device = Depends(role("printer", "kiosk")),
) -> dict[str, Any]:
    printjobs.check_device_may_serve(device, printjobs.printer_by_id(ctx.config, printer_id))
    if body.status not in printjobs.STATUSES:
        raise bad_request(f"status must be one of {', '.join(printjobs.STATUSES)}")
    detail = (body.detail or "")[:200] or None

    def write(tx: Tx) -> tuple[dict[str, Any], bool]:
        return printjobs.report_status(tx, printer_id=printer_id, status=body.status, detail=detail)

    state, changed = await ctx.store.write(write, now=ctx.clock.now())
    return {"printer": state, "changed": changed}
