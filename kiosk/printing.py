"""The kiosk's printer facade: one awaitable call to print a ticket, True or False, never a crash.

Layout, transports and status live in `printers/` (`printers.facade.TicketPrinter`),
the words on the ticket in `printers.words`; this only runs the blocking device
calls in a worker thread, so the screen keeps drawing. When printing fails, the
ticket screen says so and shows the ticket large enough to photograph.
"""

from __future__ import annotations

import asyncio
import logging

from printers.facade import TicketPrinter
from printers.status import PrinterStatus
from printers.words import TicketContent

log = logging.getLogger(__name__)


class KioskPrinter:
    def __init__(self, *, address: str, paper_mm: int) -> None:
        self._printer = TicketPrinter(address=address, paper_mm=paper_mm)

    async def print_ticket(self, *, content: TicketContent) -> bool:
        try:
            outcome = await asyncio.to_thread(self._printer.print_ticket, content=content)
        except Exception as error:  # noqa: BLE001 - a printer must never take the kiosk down
            log.error("printing %s failed: %s", content.number, error)
            return False
        if not outcome.printed:
            log.warning("ticket %s not printed: %s", content.number, outcome.message)
        return outcome.printed

    async def ready(self) -> bool:
        """Whether the printer can print; one that cannot be asked counts as ready."""
        try:
            status = await asyncio.to_thread(self._printer.status)
        except Exception as error:  # noqa: BLE001
            log.warning("printer status unknown: %s", error)
            return False
        return status.can_print or status is PrinterStatus.UNKNOWN
