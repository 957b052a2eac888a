"""The kiosk's printer facade: one call to print a ticket, True or False, never a crash.

Layout, transports and status live in `printers/`; this only puts them together
for a USB or network printer attached to the kiosk. The blocking device calls run
in a worker thread so the screen keeps drawing. When printing fails the ticket
screen says so and shows the ticket large enough to photograph.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from kiosk.flow import Ticket

log = logging.getLogger(__name__)


class TicketPrinter:
    def __init__(self, *, address: str, paper_mm: int) -> None:
        self.address = address
        self.paper_mm = paper_mm

    async def print_ticket(
        self,
        *,
        ticket: Ticket,
        office_name: str,
        lang: str,
        errand: str,
        errand_de: str,
        issued_at: datetime,
    ) -> bool:
        try:
            return await asyncio.to_thread(
                self._print_blocking,
                ticket=ticket,
                office_name=office_name,
                lang=lang,
                errand=errand,
                errand_de=errand_de,
                issued_at=issued_at,
            )
        except Exception as error:  # noqa: BLE001 - a printer must never take the kiosk down
            log.error("printing %s failed: %s", ticket.number, error)
            return False

    async def ready(self) -> bool:
        """Whether the printer says it can print; unknown counts as ready (cannot ask)."""
        try:
            return await asyncio.to_thread(self._ready_blocking)
        except Exception as error:  # noqa: BLE001
            log.warning("printer status unknown: %s", error)
            return False

    def _ready_blocking(self) -> bool:
        from printers.status import PrinterStatus, query_status
        from printers.transports import open_transport

        transport = open_transport(self.address)
        try:
            status = query_status(transport=transport)
        finally:
            transport.close()
        return status.can_print or status is PrinterStatus.UNKNOWN

    def _print_blocking(
        self,
        *,
        ticket: Ticket,
        office_name: str,
        lang: str,
        errand: str,
        errand_de: str,
        issued_at: datetime,
    ) -> bool:
        from printers.ticket import TicketContent, render_ticket
        from printers.transports import open_transport

        content = TicketContent(
            office_name=office_name,
            number=ticket.number,
            errand=errand,
            errand_de=errand_de,
            lang=lang,
            issued_at=issued_at,
            people_ahead=None if ticket.position is None else max(ticket.position - 1, 0),
            eta_min=ticket.eta_min,
            status_url=ticket.status_url,
        )
        data = render_ticket(content=content, paper_mm=self.paper_mm)
        transport = open_transport(self.address)
        try:
            transport.open()
            transport.write(data)
        finally:
            transport.close()
        return True
