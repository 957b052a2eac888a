"""Real-time printer status (DLE EOT), asked where the transport can read.

Only a well-formed answer can say "ok": an empty, late or garbled reply is
"unknown". (python-escpos' `paper_status()` reports plenty of paper when the
printer says nothing at all, which is how out-of-paper printers pile up a stale
backlog.)
"""

from __future__ import annotations

from enum import StrEnum

from .transports import PrinterUnavailable, Transport

DLE_EOT = b"\x10\x04"
# Every DLE EOT answer has bits 1 and 4 set and bits 0 and 7 clear.
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12
_OFFLINE = 0x08
_CAUSE_COVER_OPEN, _CAUSE_PAPER_END = 0x04, 0x20
_PAPER_NEAR_END, _PAPER_END = 0x0C, 0x60


class PrinterStatus(StrEnum):
    """What the printer said about itself, in the words the server and screens use."""

    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"

    @property
    def can_print(self) -> bool:
        return self in (PrinterStatus.OK, PrinterStatus.PAPER_LOW)


def _well_formed(reply: bytes) -> bool:
    return len(reply) == 1 and reply[0] & _FIXED_MASK == _FIXED_BITS


def decode_status(*, printer: bytes, offline_cause: bytes, paper: bytes) -> PrinterStatus:
    """The status from the answers to DLE EOT 1, 2 and 4 (each b"" when none came)."""
    if not _well_formed(printer):
        return PrinterStatus.UNKNOWN
    if printer[0] & _OFFLINE:
        if _well_formed(offline_cause) and offline_cause[0] & _CAUSE_COVER_OPEN:
            return PrinterStatus.COVER_OPEN
        if _well_formed(offline_cause) and offline_cause[0] & _CAUSE_PAPER_END:
            return PrinterStatus.PAPER_OUT
        if _well_formed(paper) and paper[0] & _PAPER_END:
            return PrinterStatus.PAPER_OUT
        return PrinterStatus.OFFLINE
    if not _well_formed(paper):
        return PrinterStatus.UNKNOWN
    if paper[0] & _PAPER_END:
        return PrinterStatus.PAPER_OUT
    if paper[0] & _PAPER_NEAR_END:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.OK


def _ask(transport: Transport, function: int, timeout: float) -> bytes:
    transport.write(DLE_EOT + bytes([function]))
    return transport.read(1, timeout=timeout)


def query_status(*, transport: Transport, timeout: float = 0.5) -> PrinterStatus:
    """Ask the printer; a printer that cannot be reached is offline, a silent one unknown."""
    try:
        transport.open()
        if not transport.can_read:
            return PrinterStatus.UNKNOWN
        transport.drain()
        printer = _ask(transport, 1, timeout)
        if not _well_formed(printer):
            return PrinterStatus.UNKNOWN
        cause = _ask(transport, 2, timeout) if printer[0] & _OFFLINE else b""
        paper = _ask(transport, 4, timeout)
    except PrinterUnavailable:
        return PrinterStatus.OFFLINE
    return decode_status(printer=printer, offline_cause=cause, paper=paper)
