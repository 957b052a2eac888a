"""The public answers' shapes, one definition each, so `/docs` shows them.

Routes return their JSON directly (no second serialisation); these models document
it. `extra="allow"` because an answer may carry more than a model names: the
contract grows by adding fields.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(Open):
    code: str
    message: str
    details: dict[str, Any] | None = None


class ErrorBody(Open):
    """Every refusal: `{"error": {"code", "message", "details"?}}`."""

    error: ErrorDetail


ERROR_MEANINGS = {
    400: "malformed JSON",
    401: "no device token, or an unknown or revoked one",
    403: "this device's role (or counter) may not do this",
    404: "no such resource",
    409: "conflicts with the current state",
    413: "the request body is too large",
    422: "a value the office cannot use",
    429: "too many failed logins: the account waits a few minutes",
    503: "the database or a helper program is unavailable",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each error status with its shape and meaning."""
    return {s: {"model": ErrorBody, "description": ERROR_MEANINGS[s]} for s in statuses}


def page_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`errors()` for a route whose answer is not JSON (a page, a file): FastAPI would give the
    errors the route's media type, but they are JSON like every other error."""
    body = {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
    return {s: {"description": ERROR_MEANINGS[s], "content": {"application/json": body}} for s in statuses}


class TicketOut(Open):
    id: str
    number: str
    service_id: str
    kind: str
    priority: str
    lang: str
    state: str
    created_at: str
    arrived_at: str
    called_at: str | None
    counter_id: str | None
    target_counter_id: str | None
    appointment_at: str | None
    call_count: int
    public_id: str


class PrintJobRef(Open):
    id: str
    printer_id: str


class CheckinAnswer(Open):
    ticket: TicketOut
    position: int
    # people waiting for the same errand who came before (counter_server/core/ahead.py)
    ahead: int
    eta_min: int | None
    # why eta_min is null: "no_counter_open" (opens_at: the office's next opening while it is closed)
    eta_reason: Literal["no_counter_open"] | None = None
    opens_at: str | None = None
    eta_low_min: int | None
    eta_high_min: int | None
    status_url: str
    print_job: PrintJobRef | None = None


class CounterCheckinAnswer(CheckinAnswer):
    call_offered: bool


class RedeemAnswer(CheckinAnswer):
    appointment_refused: str | None


class CounterRef(Open):
    id: str
    label: str
    room: str


class CounterOut(Open):
    id: str
    label: str
    room: str
    state: str
    skills: dict[str, int]
    languages: list[str]
    current: TicketOut | None


class CounterAnswer(Open):
    counter: CounterOut


class CountersList(Open):
    counters: list[CounterOut]


class HeldFor(Open):
    service_id: str
    service: str
    appointment_at: str
    until: str


class NextAnswer(Open):
    ticket: TicketOut | None
    held_for: HeldFor | None = None


class TicketAnswer(Open):
    ticket: TicketOut


class Call(Open):
    number: str
    state: str
    called_at: str | None
    call_count: int
    counter: CounterRef | None


class Waiting(Open):
    service_id: str
    names: dict[str, str]
    prefix: str
    waiting: int
    eta_min: int | None
    served_now: bool
    # why eta_min is null: "no_counter_open" (opens_at: the office's next opening while it is closed)
    eta_reason: Literal["no_counter_open"] | None = None
    opens_at: str | None = None


class PrinterHealth(Open):
    id: str
    name: str
    status: str
    pending_jobs: int


class Board(Open):
    """`current`: every call not finished (called or serving), newest first; `recent`: the last
    served (done) visits, newest call first; `calls`: the last calls in any state (older screens);
    `waiting[].served_now`: an open counter serves that errand (else `eta_min` means nothing)."""

    seq: int
    office: dict[str, str]
    now: str
    # office.toml [texts] display_notice: language -> a line for the waiting room (empty: none)
    notice: dict[str, str] = {}
    calls: list[Call]
    current: list[Call]
    recent: list[Call]
    waiting: list[Waiting]
    waiting_total: int
    counters_open: int
    printers: list[PrinterHealth]


class NextReason(Open):
    """Why the proposed visitor comes next (counter_server/core/explain.py names the codes)."""

    code: str
    waited_min: int | None
    appointment_at: str | None
    lang: str | None


class CounterView(Open):
    counter: CounterOut
    next: TicketOut | None
    next_reason: NextReason | None
    held_for: HeldFor | None
    next_on_called: str
    undo_s: int
    now: str
    timezone: str
    waiting: list[dict[str, Any]]
    parked: list[TicketOut]
    services: list[dict[str, Any]]
    printers: list[PrinterHealth]
    counters: list[dict[str, Any]]


class ServiceOut(Open):
    id: str
    names: dict[str, str]
    prefix: str
    walk_in: bool
    duration_min: float
    daily_walk_in_cap: int | None
    available: bool
    unavailable_reason: str | None
    waiting: int
    eta_min: int | None
    served_now: bool
    # why eta_min is null: "no_counter_open" (opens_at: the office's next opening while it is closed)
    eta_reason: Literal["no_counter_open"] | None = None
    opens_at: str | None = None


class ServicesList(Open):
    office: dict[str, Any]
    services: list[ServiceOut]


class PublicTicket(Open):
    number: str
    state: str
    service: dict[str, Any]
    lang: str
    counter: dict[str, str] | None
    created_at: str
    appointment_at: str | None
    call_count: int
    position: int | None
    ahead: int | None = None
    eta_min: int | None
    # why eta_min is null: "no_counter_open" (opens_at: the office's next opening while it is closed)
    eta_reason: Literal["no_counter_open"] | None = None
    opens_at: str | None = None
    office: dict[str, str]


class Health(Open):
    status: str
    office: str
    seq: int
    now: str


class DeviceOut(Open):
    id: str
    name: str
    role: str
    counter_id: str | None
    staff_id: str | None = None
