"""The kiosk's printer facade: one awaitable call to print a ticket, True or False, never a crash.

Layout, transports and status live in `printers/` (`printers.facade.TicketPrinter`);
this only turns the kiosk's ticket into the printer's `TicketContent` and runs the
blocking device calls in a worker thread, so the screen keeps drawing. When
printing fails, the ticket screen says so and shows the ticket large enough to
photograph.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from kiosk.flow import Ticket

log = logging.getLogger(__name__)


class KioskPrinter:
    def __init__(self, *, address: str, paper_mm: int) -> None:
        from printers.facade import TicketPrinter

        self._printer: Any = TicketPrinter(address=address, paper_mm=paper_mm)

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
        from printers.ticket import TicketContent

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
        try:
            outcome = await asyncio.to_thread(self._printer.print_ticket, content=content)
        except Exception as error:  # noqa: BLE001 - a printer must never take the kiosk down
            log.error("printing %s failed: %s", ticket.number, error)
            return False
        if not outcome.printed:
            log.warning("ticket %s not printed: %s", ticket.number, outcome.message)
        return bool(outcome.printed)

    async def ready(self) -> bool:
        """Whether the printer can print; one that cannot be asked counts as ready."""
        from printers.status import PrinterStatus

        try:
            status = await asyncio.to_thread(self._printer.status)
        except Exception as error:  # noqa: BLE001
            log.warning("printer status unknown: %s", error)
            return False
        return bool(status.can_print or status is PrinterStatus.UNKNOWN)
