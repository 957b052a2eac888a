"""Printers: their health for staff, and the print-job queue for print agents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator, Field

from ..auth import Device
from ..context import CtxDep, IdempotencyKey, PrinterDevice, role
from ..errors import bad_request
from ..printing import jobs
from ..printing.status import (
    STATUSES,
    check_device_may_serve,
    printer_by_id,
    printer_list,
    report_status,
)
from ..text import plain
from ..uow import Work
from .answer import JsonAnswer
from .fields import Body, Note, Word, one_of
from .models import errors

router = APIRouter(prefix="/api/v1/printers")
StatusReporter = Annotated[Device, Depends(role("printer", "kiosk"))]
# staff screens warn of printers; an agent looks up the printer it serves
PrinterReader = Annotated[Device, Depends(role("counter", "display", "printer"))]


class AckBody(Body):
    outcome: Word = Field("printed", json_schema_extra=one_of(*jobs.OUTCOMES))
    reason: Note | None = None


class StatusBody(Body):
    status: Word = Field(json_schema_extra=one_of(*STATUSES))
    detail: Annotated[str, AfterValidator(plain)] | None = None


@router.get("", responses=errors(401, 403))
async def list_printers(ctx: CtxDep, device: PrinterReader) -> dict[str, Any]:
    """Every configured printer with its last status and pending jobs."""
    return {"printers": await ctx.read(lambda db: printer_list(db, ctx.config))}


@router.get("/{printer_id}/jobs", responses=errors(401, 403, 404, 422))
async def list_jobs(
    printer_id: str,
    ctx: CtxDep,
    device: PrinterDevice,
    state: str = Query("pending"),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """This printer's jobs in one state, oldest first."""
    check_device_may_serve(device, printer_by_id(ctx.config, printer_id))
    if state not in jobs.JOB_STATES:
        raise bad_request(f"state must be one of {', '.join(jobs.JOB_STATES)}, not {state!r}")
    found = await ctx.read(lambda db: jobs.jobs(db, printer_id=printer_id, state=state, limit=limit))
    # The office clock may be shifted (--clock); agents judge a job's age by this.
    return {"now": ctx.clock.now().isoformat(), "jobs": found}


@router.post("/{printer_id}/jobs/{job_id}/ack", responses=errors(401, 403, 404, 409, 422))
async def acknowledge_job(
    printer_id: str, job_id: str, body: AckBody, ctx: CtxDep, device: PrinterDevice,
    idempotency_key: IdempotencyKey = None,
) -> JsonAnswer:
    """A job printed, or dropped (too old to hand to a visitor)."""
    check_device_may_serve(device, printer_by_id(ctx.config, printer_id))
    if body.outcome not in jobs.OUTCOMES:
        raise bad_request(f"outcome must be printed or dropped, not {body.outcome!r}")

    def act(work: Work) -> tuple[int, Any]:
        job = jobs.acknowledge(work, printer_id=printer_id, job_id=job_id, outcome=body.outcome, reason=body.reason)
        return 200, {"job": job}

    request = f"ack:{printer_id}:{job_id}:{body.model_dump_json()}"
    status, answer = await ctx.write_once(device, idempotency_key, request, act)
    return JsonAnswer(answer, status_code=status)


@router.post("/{printer_id}/status", responses=errors(401, 403, 404, 422))
async def report_printer_status(printer_id: str, body: StatusBody, ctx: CtxDep, device: StatusReporter) -> dict[str, Any]:
    """What the printer says of itself (paper, cover, online); an event only when it changed."""
    check_device_may_serve(device, printer_by_id(ctx.config, printer_id))
    if body.status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(STATUSES)}")
    detail = (body.detail or "")[:200] or None
    state, changed = await ctx.write(
        lambda work: report_status(work, printer_id=printer_id, status=body.status, detail=detail)
    )
    return {"printer": state, "changed": changed}
