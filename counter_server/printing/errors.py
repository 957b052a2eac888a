"""Refusals of the printing API."""

from __future__ import annotations

from ..core.errors import Conflict, NotFound


class UnknownPrinter(NotFound):
    """No printer with that id in office.toml."""

    code = "unknown_printer"


class UnknownPrintJob(NotFound):
    """No print job with that id for this printer."""

    code = "unknown_print_job"


class PrintJobAlreadyDone(Conflict):
    """The job was already acknowledged with another outcome."""

    code = "print_job_already_done"


class NotThisPrinter(Conflict):
    """The device is not the one configured to serve this printer."""

    code = "not_this_printer"
    status = 403
