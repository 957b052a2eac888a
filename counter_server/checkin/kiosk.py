"""A kiosk check-in in three steps, so that no other write waits on a visitor's estimate.

1. `issue` (a write): the ticket, and for a kiosk served by a network printer its print
   job, held back from the printer until its words carry the estimate. The ticket is
   committed here: this is what the visitor's place rests on.
2. `status_after` (a read, after that commit): the visitor's place and estimate on a
   committed snapshot, taken from the estimate every reader of that state shares (the
   board, the status page, the other check-ins of a burst): the same function, and for the
   same state and moment the same figure, as inside the write
   (tests/service/test_checkin_after_commit.py).
3. `tell`: the estimate noted with `ticket.created` for the statistics and the told answer
   kept for a retry, and for a network printer the print job's words completed and handed to
   it. With a print job this is a short write the answer waits for (the ticket must print);
   without one nothing waits for it, so it is a note (`Store.note`) that rides along with
   the next write, and the answer is given at once.

The forward run over a long queue used to run inside the one writer's transaction, so
every write behind it waited for it; now only the visitor who asked waits for their own.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from .. import jsontext
from ..auth import Device
from ..config import OfficeConfig
from ..context import Context
from ..core.model import Ticket
from ..printing.jobs import PrintJob, prepare, release, words_of
from ..queue import rows
from ..queue.views import ticket_status
from ..store import Tx
from ..uow import Work
from .commands import CheckedIn, KioskCheckin, issue_for_kiosk


@dataclass(frozen=True)
class Issued:
    """A committed kiosk ticket whose visitor has not been told their place yet."""

    ticket: Ticket
    status_url: str
    created_seq: int | None  # the ticket's `ticket.created` event
    print_job: PrintJob | None = None

    def to_json(self) -> dict[str, Any]:
        """The answer as far as it is known at the commit (what an unfinished retry replays)."""
        return CheckedIn(self.ticket, {}, self.status_url, self.print_job).to_json()


def issue(work: Work, *, device: Device, request: KioskCheckin, status_base: str) -> Issued:
    """Step 1: the ticket, and its print job held back until step 3."""
    ticket = issue_for_kiosk(work, device=device, request=request)
    status_url = f"{status_base}{ticket.public_id}"
    created = next((e.seq for e in work.events if e.type == "ticket.created"
                    and e.data.get("ticket", {}).get("id") == ticket.id), None)
    printer = work.config.agent_printer_for(device.name) if device.role == "kiosk" else None
    job = None
    if printer is not None:
        words = words_of(work.office, ticket, status={}, status_url=status_url)
        job = prepare(work, printer=printer, ticket=ticket, content=words)
    return Issued(ticket, status_url, created, job)


def status_after(
    db: sqlite_utils.Database, config: OfficeConfig, issued: Issued, now: datetime, *, shared: bool
) -> dict[str, Any]:
    """Step 2, on a reader: place and estimate at `now` on a snapshot that holds the
    committed ticket (and whatever was committed since: the queue the visitor joins).

    `shared`: from the estimate of every ticket, made once per state for all readers (worth
    it when others will read this state too: displays, the other check-ins of a burst);
    else only this ticket's, which costs less. The same figures either way."""
    if shared:
        return ticket_status(db, config, issued.ticket, now)
    return ticket_status(db, config, issued.ticket, now, open_now=rows.open_tickets(db))


class _Burst:
    """The kiosk check-ins of one event loop between their request and their estimate.

    Twenty kiosks at once: each commit makes a new state, and an estimate started before
    the last commit serves nobody after it. So a check-in whose ticket is committed while
    others of the burst are still being committed waits (at most `SETTLE_S`) for them:
    then one estimate of the newest state, shared through the estimate cache, answers all.
    """

    def __init__(self) -> None:
        self.issuing = 0  # in step 1, the write
        self.pending = 0  # committed, in step 2
        self.settled = asyncio.Event()
        self.settled.set()

    def issue_begins(self) -> None:
        self.issuing += 1
        self.settled.clear()

    def issue_ends(self) -> None:
        self.issuing -= 1
        if self.issuing == 0:
            self.settled.set()

    async def until_settled(self) -> None:
        if self.issuing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.settled.wait(), SETTLE_S)


SETTLE_S = 0.15
_BURSTS: dict[asyncio.AbstractEventLoop, _Burst] = {}


def _burst() -> _Burst:
    loop = asyncio.get_running_loop()
    found = _BURSTS.get(loop)
    if found is None:
        for closed in [other for other in _BURSTS if other.is_closed()]:  # tests run many loops
            del _BURSTS[closed]
        found = _BURSTS[loop] = _Burst()
    return found


@dataclass(frozen=True)
class Told:
    """What step 3 keeps of the answer given: the estimate told and the answer itself."""

    issued: Issued
    status: dict[str, Any]
    answer: dict[str, Any]
    device_id: str
    key: str | None

    @classmethod
    def of(cls, issued: Issued, status: dict[str, Any], *, device_id: str, key: str | None) -> Told:
        answer = CheckedIn(issued.ticket, status, issued.status_url, issued.print_job).to_json()
        return cls(issued, status, answer, device_id, key)

    def note(self, tx: Tx) -> None:
        eta_min = self.status.get("eta_min")
        if self.issued.created_seq is not None and isinstance(eta_min, int | float):
            # for the statistics (estimate told against the wait); nothing else reads it
            tx.db.execute("UPDATE events SET data = json_set(data, '$.eta_min', ?) WHERE seq = ?",
                          [eta_min, self.issued.created_seq])
        remember_answer(tx.db, device_id=self.device_id, key=self.key, answer=self.answer)


def tell(work: Work, told: Told) -> dict[str, Any]:
    """Step 3 as a write: release the print job with its final words; note what was told."""
    issued = told.issued
    if issued.print_job is not None:
        words = words_of(work.office, issued.ticket, status=told.status, status_url=issued.status_url)
        release(work, job=issued.print_job, ticket=issued.ticket, content=words)
    told.note(work.tx)
    return told.answer


async def check_in(
    ctx: Context, *, device: Device, request: KioskCheckin, status_base: str, key: str | None, body: str
) -> dict[str, Any]:
    """The three steps; a retry under `key` replays the first answer (completed if it never was)."""
    made: list[Issued] = []

    def step_issue(work: Work) -> tuple[int, Any]:
        made.append(issue(work, device=device, request=request, status_base=status_base))
        return 201, made[0].to_json()

    burst = _burst()
    burst.issue_begins()
    try:
        _, stored = await ctx.write_once(device, key, body, step_issue)
    finally:
        burst.issue_ends()
    if not made:
        return stored if is_told(stored) else await _complete_replay(ctx, stored)
    issued = made[0]
    burst.pending += 1
    try:
        await burst.until_settled()
        shared = burst.pending > 1 or ctx.hub.board_read_soon()  # others will read this state too
        status = await ctx.read(lambda db: status_after(db, ctx.config, issued, ctx.clock.now(), shared=shared))
    finally:
        burst.pending -= 1

    told = Told.of(issued, status, device_id=device.id, key=key)
    if issued.print_job is None:
        ctx.store.note(told.note)
        return told.answer
    return await ctx.write(lambda work: tell(work, told), staff_id=device.staff_id)


async def _complete_replay(ctx: Context, stored: dict[str, Any]) -> dict[str, Any]:
    """A retry of a check-in whose first answer is not told yet (or never was: the server
    stopped between the steps): the ticket's place as of now."""
    now = ctx.clock.now()

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        ticket = rows.get_ticket(db, str(stored["ticket"]["id"]))
        return stored if ticket is None else {**stored, **ticket_status(db, ctx.config, ticket, now)}

    return await ctx.read(read)


def remember_answer(
    db: sqlite_utils.Database, *, device_id: str, key: str | None, answer: dict[str, Any]
) -> None:
    """A retry under the same Idempotency-Key replays the told answer, not the unfinished one."""
    if key:
        db.execute("UPDATE idempotency SET body = ? WHERE device_id = ? AND key = ?",
                   [jsontext.text(answer), device_id, key])


def is_told(answer: dict[str, Any]) -> bool:
    """Whether a stored answer already carries the visitor's place (step 3 ran)."""
    return "position" in answer
