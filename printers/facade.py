"""The kiosk's own printer (usually USB) behind one call that never raises for hardware.

    printer = TicketPrinter(address="usb://0416:5011", paper_mm=80)
    outcome = await asyncio.to_thread(printer.print_ticket, content=content)
    if not outcome.printed:
        ...show the ticket on screen, large enough to photograph...

Same layout and status code as the print agent: a printer that can answer
must say it can print before it gets the ticket, and is asked again after.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from .status import PrinterStatus, query_status
from .ticket import ShapingUnavailable, render_ticket
from .transports import PrinterUnavailable, Timeouts, open_transport
from .words import LayoutError, TicketContent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintOutcome:
    """What happened to one ticket.

    `printed`: the bytes reached the printer and it did not report a problem.
    `verified`: the printer confirmed afterwards that it can print (False for
    printers that cannot be asked, such as a plain device file).
    `status`: the printer's state to show staff and report to the server.
    """

    printed: bool
    verified: bool
    status: PrinterStatus
    message: str


class TicketPrinter:
    """One printer attached to the kiosk: `print_ticket()` and `status()`, both blocking and safe."""

    def __init__(
        self, *, address: str, paper_mm: int = 80, timeouts: Timeouts | None = None
    ) -> None:
        self.paper_mm = paper_mm
        self.timeouts = timeouts or Timeouts(connect=1.0, write=3.0, read=0.3)
        self._transport = open_transport(address, timeouts=self.timeouts)
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        return self._transport.address

    def status(self) -> PrinterStatus:
        """The printer's state now; offline or unknown rather than an exception."""
        with self._lock:
            return self._status()

    def _status(self) -> PrinterStatus:
        try:
            return query_status(transport=self._transport, timeout=self.timeouts.read)
        except Exception:  # a driver bug must not take the kiosk down with it
            log.exception("printer status query failed")
            self._transport.close()
            return PrinterStatus.UNKNOWN

    def print_ticket(self, *, content: TicketContent) -> PrintOutcome:
        """Print one ticket; every failure comes back as an outcome, none as an exception."""
        try:
            data = render_ticket(content=content, paper_mm=self.paper_mm)
        except (LayoutError, ShapingUnavailable) as error:
            log.error("ticket %s cannot be laid out: %s", content.number, error)
            return PrintOutcome(False, False, PrinterStatus.UNKNOWN, f"layout: {error}")
        with self._lock:
            return self._print(data, number=content.number)

    def _print(self, data: bytes, *, number: str) -> PrintOutcome:
        before = self._status()
        can_ask = self._transport.can_read
        if can_ask and not before.can_print:
            return PrintOutcome(False, False, before, f"printer is {before.value}")
        if before is PrinterStatus.OFFLINE:
            return PrintOutcome(False, False, before, "printer is offline")
        try:
            self._transport.write(data)
        except PrinterUnavailable as error:
            log.warning("ticket %s not printed: %s", number, error)
            return PrintOutcome(False, False, PrinterStatus.OFFLINE, str(error))
        except Exception as error:  # a driver bug must not take the kiosk down with it
            log.exception("ticket %s not printed", number)
            self._transport.close()
            return PrintOutcome(False, False, PrinterStatus.UNKNOWN, str(error))
        after = self._status() if can_ask else PrinterStatus.UNKNOWN
        if after in (PrinterStatus.PAPER_OUT, PrinterStatus.COVER_OPEN, PrinterStatus.OFFLINE):
            return PrintOutcome(False, False, after, f"printer is {after.value}")
        return PrintOutcome(True, after.can_print, after, "printed")

    def close(self) -> None:
        with self._lock:
            self._transport.close()
