"""The print agent: feeds one network printer from the server's print-job queue.

It listens on the events websocket as a printer device; a `print.job` event (or
a reconnect, or a quiet minute) makes it fetch the pending jobs and print them
in order, acknowledging each over HTTP. The server keeps a job until it is
acknowledged, and the agent writes a small journal before and after printing, so
a restart of either side loses no ticket and prints none twice:

- printed but not yet acknowledged (journal says "printed") -> acknowledged, not reprinted;
- interrupted before all bytes were sent (nothing in journal) -> printed again, because a
  half-sent ticket has no cut and the visitor has nothing in hand.

A ticket counts as printed once the printer has taken all its bytes; a printer
that cannot print (paper out, cover open, offline, or silent when it could
answer) gets nothing, and its jobs wait in order.

A job older than its `expires_at` is acknowledged as dropped and never printed
late. The printer is asked for its status before every job and every
`status_interval` seconds; changes are reported to the server (`printer.status`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from counter_server.tls_client import ssl_context, untrusted_certificate, websocket_ssl

from .status import PrinterStatus, query_status
from .ticket import render_ticket
from .transports import PrinterUnavailable, Timeouts, Transport, open_transport
from .words import LayoutError, TicketContent

log = logging.getLogger(__name__)
_STATUS_FRESH_S = 0.5
# jobs acknowledged lately (more than a day's tickets), passed over in a listing that the
# server made before their acknowledgement landed
_SETTLED_KEPT = 1000


class AgentSetupError(Exception):
    """The agent cannot start: the server does not know this printer or rejects the token."""


@dataclass(frozen=True)
class AgentSettings:
    """Where the server and the printer are, and how patient to be with each."""

    server: str
    token: str
    printer: str
    state_dir: Path
    printer_id: str | None = None
    status_interval: float = 1.0
    poll_interval: float = 30.0
    timeouts: Timeouts = field(default_factory=Timeouts)
    ca_file: str = ""  # the office's CA for an https:// server; "" = the system's trusted CAs


class Journal:
    """Which jobs this agent has printed but not yet had acknowledged, safe across a crash.

    Marked from the printer's worker thread, forgotten on the event loop: one lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, str] = {}
        self._lock = threading.Lock()
        if path.exists():
            try:
                self.entries = dict(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                log.error("journal %s is unreadable; starting a new one", path)

    def state(self, job_id: str) -> str | None:
        return self.entries.get(job_id)

    def mark(self, job_id: str, state: str) -> None:
        with self._lock:
            self.entries[job_id] = state
            self._save(durable=True)

    def forget(self, job_id: str) -> None:
        # Not synced: an entry that survives a crash only repeats an idempotent acknowledgement.
        with self._lock:
            if self.entries.pop(job_id, None) is not None:
                self._save(durable=False)

    def _save(self, *, durable: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(self.entries, handle)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, self.path)


class PrinterLink:
    """The blocking side: one transport, asked and written from a worker thread."""

    def __init__(self, transport: Transport, *, read_timeout: float) -> None:
        self.transport = transport
        self.read_timeout = read_timeout

    def status(self) -> PrinterStatus:
        return query_status(transport=self.transport, timeout=self.read_timeout)

    def may_print(self, status: PrinterStatus) -> bool:
        """Printers that can answer must say they can print; others are trusted blindly."""
        return status.can_print or (status is PrinterStatus.UNKNOWN and not self.transport.can_read)

    def send(self, data: bytes, *, taken: Callable[[], None] = lambda: None) -> PrinterStatus:
        """Send one ticket, call `taken` once the printer has all its bytes, then ask again,
        so a roll that just ran out is reported at once."""
        self.transport.write(data)
        taken()
        return self.status()


class PrintAgent:
    """The async side: websocket, HTTP, and the order in which jobs are handled."""

    def __init__(self, settings: AgentSettings, *, link: PrinterLink | None = None) -> None:
        self.settings = settings
        transport = open_transport(settings.printer, timeouts=settings.timeouts)
        self.link = link or PrinterLink(transport, read_timeout=settings.timeouts.read)
        self.journal = Journal(settings.state_dir / "journal.json")
        self.printer_id = settings.printer_id or ""
        self.reported: PrinterStatus | None = None
        self.report_failing = False
        self.last_status = PrinterStatus.UNKNOWN
        self.last_status_at = 0.0
        self.last_seq: int | None = None
        self.acking: dict[str, asyncio.Task[None]] = {}  # printed, acknowledgement under way
        self.settled: OrderedDict[str, None] = OrderedDict()  # acknowledged lately; see sync()
        self.wake = asyncio.Event()
        self.printer_lock = asyncio.Lock()
        self.ssl = ssl_context(settings.ca_file)
        self.http = httpx.AsyncClient(
            base_url=settings.server.rstrip("/"),
            headers={"Authorization": f"Bearer {settings.token}"},
            timeout=settings.timeouts.write,
            verify=self.ssl,
        )

    async def run(self) -> None:
        """Serve until cancelled."""
        try:
            await self._resolve_printer()
            await asyncio.gather(self._listen(), self._work(), self._watch_status())
        finally:
            if self.acking:  # a moment for those under way; the journal repeats the rest
                await asyncio.wait(list(self.acking.values()), timeout=1.0)
            await self.http.aclose()
            self.link.transport.close()

    async def _resolve_printer(self) -> None:
        while True:
            try:
                response = await self.http.get("/api/v1/printers")
                break
            except httpx.HTTPError as error:
                untrusted = untrusted_certificate(error)
                if untrusted:  # waiting cannot fix a certificate
                    raise AgentSetupError(untrusted) from None
                log.warning("server not reachable (%s); retrying", error)
                await asyncio.sleep(1)
        if response.status_code in (401, 403):
            raise AgentSetupError(f"the server refuses this token: {response.text}")
        printers = [p for p in response.json()["printers"] if p.get("mode") == "agent"]
        ids = [p["id"] for p in printers]
        if not self.printer_id and len(ids) == 1:
            self.printer_id = ids[0]
        if self.printer_id not in ids:
            raise AgentSetupError(f"printer {self.printer_id!r} is not among {ids} in office.toml")

    # --- websocket ---------------------------------------------------------------------

    def _events_url(self) -> str:
        base = self.settings.server.rstrip("/").replace("http://", "ws://", 1)
        base = base.replace("https://", "wss://", 1)
        query = {"token": self.settings.token}
        if self.last_seq is not None:
            query["since"] = str(self.last_seq)
        return f"{base}/api/v1/events?{urlencode(query)}"

    async def _listen(self) -> None:
        delay = 0.2
        while True:
            try:
                url = self._events_url()
                async with connect(url, open_timeout=5, ping_interval=10, ssl=websocket_ssl(url, self.ssl)) as ws:
                    delay = 0.2
                    self.wake.set()
                    async for message in ws:
                        self._on_event(json.loads(message))
            except (OSError, WebSocketException, TimeoutError, ValueError) as error:
                log.warning("events websocket lost (%s); reconnecting in %.1fs", error, delay)
            self.wake.set()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _on_event(self, event: Mapping[str, Any]) -> None:
        self.last_seq = int(event.get("seq") or self.last_seq or 0)
        data = event.get("data") or {}
        if event.get("type") == "snapshot":
            self.wake.set()
        elif event.get("type") == "print.job" and data.get("printer_id") == self.printer_id:
            self.wake.set()

    # --- jobs --------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.settings.poll_interval)
            self.wake.clear()
            try:
                await self.sync()
            except httpx.HTTPError as error:
                log.warning("server not reachable (%s); jobs wait", error)
                await asyncio.sleep(0.5)

    async def sync(self) -> None:
        """Handle the pending jobs in order; stop at the first one the printer cannot take.

        Acknowledgements run alongside the next tickets' printing, and the next fetch does
        not wait for them (in a burst, the jobs released meanwhile are printed at once): a
        job listed again while its acknowledgement is under way is passed over, and so is one
        whose acknowledgement landed after the server made the listing. The journal already
        says "printed", so a lost acknowledgement is repeated, never the print.
        """
        response = await self.http.get(f"/api/v1/printers/{self.printer_id}/jobs")
        response.raise_for_status()
        answer = response.json()
        clock = _ServerClock(datetime.fromisoformat(answer["now"]))
        for job in answer["jobs"]:
            job_id = str(job["id"])
            if job_id in self.acking or job_id in self.settled:
                continue
            outcome = await self._handle(job, clock)
            if outcome is None:
                break
            self._acknowledge(job_id, *outcome)

    def _acknowledge(self, job_id: str, outcome: str, reason: str | None) -> None:
        task = asyncio.create_task(self._ack(job_id, outcome, reason))
        self.acking[job_id] = task

        def done(task: asyncio.Task[None]) -> None:
            self.acking.pop(job_id, None)
            if task.cancelled():
                return
            if task.exception() is None:
                self._settle(job_id)
                return
            log.warning("acknowledging job %s failed (%s); it will be acknowledged again",
                        job_id, task.exception())
            asyncio.get_running_loop().call_later(0.5, self.wake.set)  # the next fetch lists it

        task.add_done_callback(done)

    def _settle(self, job_id: str) -> None:
        self.settled[job_id] = None
        if len(self.settled) > _SETTLED_KEPT:
            self.settled.popitem(last=False)

    async def _handle(
        self, job: Mapping[str, Any], clock: _ServerClock
    ) -> tuple[str, str | None] | None:
        """The acknowledgement a job gets (outcome, reason), or None when it must wait."""
        job_id = str(job["id"])
        if self.journal.state(job_id) == "printed":
            return "printed", None
        if clock.now() >= datetime.fromisoformat(job["expires_at"]):
            log.warning("job %s (%s) is too old to print; dropping it", job_id, job["number"])
            return "dropped", "too_old"
        try:
            data = render_ticket(
                content=TicketContent.from_json(job["content"]), paper_mm=int(job["paper_mm"])
            )
        except LayoutError as error:
            return "dropped", f"unprintable: {error}"
        if not await self._print(job_id, data):
            return None
        return "printed", None

    def _recent_printable_status(self) -> PrinterStatus | None:
        """A printable status asked for moments ago (after the previous ticket) is still news."""
        fresh = time.monotonic() - self.last_status_at < _STATUS_FRESH_S
        return self.last_status if fresh and self.last_status.can_print else None

    async def _print(self, job_id: str, data: bytes) -> bool:
        async with self.printer_lock:
            status = self._recent_printable_status()
            if status is None:
                status = await asyncio.to_thread(self.link.status)
            if not self.link.may_print(status):
                await self._report(status)
                return False
            # All bytes were taken: printed, even if the paper ends right after. Reprinting
            # would hand out the same number twice once the roll is changed. Marked in the
            # printer's thread, before its status is asked: the loop goes on meanwhile.
            taken = functools.partial(self.journal.mark, job_id, "printed")
            try:
                after = await asyncio.to_thread(self.link.send, data, taken=taken)
            except PrinterUnavailable as error:
                log.warning("printing job %s failed: %s", job_id, error)
                await self._report(PrinterStatus.OFFLINE)
                return False
            await self._report(after if after is not PrinterStatus.UNKNOWN else status)
            return True

    async def _ack(self, job_id: str, outcome: str, reason: str | None) -> None:
        response = await self.http.post(
            f"/api/v1/printers/{self.printer_id}/jobs/{job_id}/ack",
            json={"outcome": outcome, "reason": reason},
            headers={"Idempotency-Key": f"ack-{job_id}-{outcome}"},
        )
        if response.status_code not in (200, 404, 409):
            response.raise_for_status()
        # 404/409: the job is gone or settled otherwise; either way it is not ours to print.
        self.journal.forget(job_id)

    # --- status ------------------------------------------------------------------------

    async def _watch_status(self) -> None:
        while True:
            async with self.printer_lock:
                status = await asyncio.to_thread(self.link.status)
            was_blocked = not self.link.may_print(self.last_status)
            await self._report(status)
            if was_blocked and self.link.may_print(status):
                self.wake.set()
            await asyncio.sleep(self.settings.status_interval)

    async def _report(self, status: PrinterStatus) -> None:
        self.last_status, self.last_status_at = status, time.monotonic()
        if status is self.reported:
            return
        try:
            response = await self.http.post(
                f"/api/v1/printers/{self.printer_id}/status", json={"status": status.value}
            )
        except httpx.HTTPError as error:
            if not self.report_failing:
                log.warning("could not report printer status %s: %s", status, error)
            self.report_failing = True
            return
        self.report_failing = False
        if response.status_code == 200:
            self.reported = status
            log.info("printer %s is %s", self.printer_id, status)


@dataclass
class _ServerClock:
    """The server's office clock (which may be shifted for demos), followed locally."""

    server_now: datetime
    fetched: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.server_now + timedelta(seconds=time.monotonic() - self.fetched)


async def run_agent(settings: AgentSettings) -> None:
    await PrintAgent(settings).run()
