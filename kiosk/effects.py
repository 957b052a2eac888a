"""Carrying out what the flow asks for: check-ins, printing, errand lists, offline tickets, speech.

The runner owns the visit's `Flow`: `send(event)` steps it, tells the screen
(`on_change`) and starts the effects on the asyncio loop; their results come
back through `send`. It knows no Kivy, so it runs the same without a window.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from kiosk import flow as f
from kiosk.client import refreshes_services
from kiosk.offline import OfflineDesk, OfflineStorageError
from kiosk.ports import Printer, Server, Speaker
from kiosk.reconcile import OfflineSync
from printers.words import TicketContent, ticket_words

log = logging.getLogger(__name__)

SERVICES_REFRESH_S = 30.0
EVENT_COALESCE_S = 0.3


class EffectRunner:
    def __init__(
        self,
        *,
        flow: f.Flow,
        server: Server | None,
        printer: Printer | None = None,
        speaker: Speaker | None = None,
        desk: OfflineDesk | None = None,
        offline_numbers: int = 0,
        new_key: Callable[[], str],
        clock: Callable[[], datetime],
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.flow = flow
        self.server = server
        self.printer = printer
        self.speaker = speaker
        self.desk = desk
        self.now = clock
        self.on_change = on_change
        self.offline_sync = OfflineSync(desk=desk, per_service=offline_numbers, new_key=new_key)
        if server is not None and desk is not None and desk.clock_offset is not None:
            # until the server answers, its clock is the one it had before the restart
            server.clock_offset = desk.clock_offset
        self.printer_away = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._refreshing = False
        self._refresh_again = False
        self._refresh_timer: asyncio.TimerHandle | None = None

    @property
    def settings(self) -> f.Settings:
        return self.flow.settings

    # --- the loop of events and effects ---

    def send(self, event: f.Event) -> None:
        effects = self.flow.handle(event)
        self.on_change()
        for effect in effects:
            self.perform(effect)

    def perform(self, effect: f.Effect) -> None:
        if isinstance(effect, f.SendCheckin):
            self.spawn(self._check_in(effect))
        elif isinstance(effect, f.PrintTicket):
            self.spawn(self._print(effect))
        elif isinstance(effect, f.RefreshServices):
            self.spawn(self.refresh_services())
        elif isinstance(effect, f.IssueOffline):
            self._issue_offline(effect)

    def start(self) -> None:
        """Follow the server and ask the printer how it is; call with the loop running."""
        if self.server is not None:
            self.spawn(self.server.watch(on_event=self.on_server_event, on_status=self.on_status))
            self.spawn(self._refresh_periodically())
        if self.printer is not None:
            self.spawn(self._check_printer(self.printer))

    def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._refresh_timer is not None:
            self._refresh_timer.cancel()

    def spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_event_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("kiosk task failed", exc_info=task.exception())

    def say(self, text: str, *, lang: str) -> None:
        if self.speaker is not None:
            self.spawn(self.speaker.say(text, lang=lang))

    # --- check-in ---

    async def _check_in(self, effect: f.SendCheckin) -> None:
        if self.server is None:
            self.send(f.ServerUnreachable())
            return
        result = await self.server.check_in(
            idempotency_key=effect.idempotency_key, request=effect.request
        )
        self.send(result)

    def _issue_offline(self, effect: f.IssueOffline) -> None:
        """A ticket from a leased number, or the plain 'not reachable' outcome."""
        if self.desk is None:
            self.send(f.CheckinFailed(code="server_unreachable", offline=True))
            return
        try:
            result = self.desk.issue(
                key=effect.idempotency_key, request=effect.request, now=self.now()
            )
        except OfflineStorageError as error:
            log.error("offline ticket not issued: %s", error)
            result = f.CheckinFailed(code="server_unreachable", offline=True)
        if isinstance(result, f.Ticket):
            log.warning("issued %s offline (leased number)", result.number)
            self.send(f.CheckinSucceeded(ticket=result))
            self._show_offline_services()
        else:
            self.send(replace(result, offline=True))

    def _show_offline_services(self) -> None:
        if self.desk is None:
            return
        state = self.flow.state
        # a kiosk started during the outage knows the errands only from its file
        if state.services:
            known: f.ServicesLoaded | None = f.ServicesLoaded(state.office, state.services)
        else:
            known = self.desk.cached_services()
        if known is None:
            return
        services = self.desk.offline_services(known.services, self.now())
        self.send(f.ServicesLoaded(office=known.office, services=services, online=False))

    # --- the errand list and the server's state ---

    async def refresh_services(self) -> None:
        """Load the errands; a call while one runs makes that one load again when done."""
        if self.server is None:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        try:
            while True:
                self._refresh_again = False
                await self._load_services(self.server)
                if not self._refresh_again:
                    break
        finally:
            self._refreshing = False

    async def _load_services(self, server: Server) -> None:
        loaded = await server.services()
        if loaded is not None:
            self.send(loaded)
            self.offline_sync.remember(loaded, clock_offset=server.clock_offset)
            self.spawn(self.offline_sync.run(server, now=self.now()))
        elif self.settings.offline:
            self._show_offline_services()

    async def _refresh_periodically(self) -> None:
        while True:
            await self.refresh_services()
            await asyncio.sleep(SERVICES_REFRESH_S)

    def on_server_event(self, event: Mapping[str, Any]) -> None:
        """A burst of queue events (a clerk calling next) gives one refresh, shortly after."""
        if refreshes_services(event) and self._refresh_timer is None:
            loop = asyncio.get_event_loop()
            self._refresh_timer = loop.call_later(EVENT_COALESCE_S, self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh_timer = None
        self.spawn(self.refresh_services())

    def on_status(self, reachable: bool) -> None:
        self.send(f.ServerStatus(reachable=reachable))
        if not reachable and self.settings.offline:
            self._show_offline_services()

    # --- printing ---

    async def _print(self, effect: f.PrintTicket) -> None:
        if self.printer is None:
            self.send(f.PrintFinished(ok=False))
            return
        ok = await self.printer.print_ticket(content=self.ticket_content(effect))
        self.printer_away = not ok
        self.send(f.PrintFinished(ok=ok))

    def ticket_content(self, effect: f.PrintTicket) -> TicketContent:
        """The words of the printed ticket, from the ticket and the errand list the kiosk has."""
        state, ticket = self.flow.state, effect.ticket
        service = next((s for s in state.services if s.id == ticket.service_id), None)
        return ticket_words(
            office_name=state.office.name,
            number=ticket.number,
            errand_names=service.names if service else {"de": ticket.service_id},
            lang=effect.lang,
            issued_at=_moment(ticket.created_at) or self.now(),
            timezone=state.office.timezone,
            people_ahead=ticket.ahead,
            eta_min=ticket.eta_min,
            status_url=ticket.status_url,
            eta_reason=ticket.eta_reason,
            opens_at=_moment(ticket.opens_at),
        )

    async def _check_printer(self, printer: Printer) -> None:
        self.printer_away = not await printer.ready()
        self.on_change()


def _moment(iso: str | None) -> datetime | None:
    """An aware moment from the server's ISO text; None when there is none."""
    try:
        moment = datetime.fromisoformat(iso or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
