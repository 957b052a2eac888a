"""DLE EOT status: decoded strictly, asked of the emulator over TCP."""

from __future__ import annotations

import socket
import time

import pytest

from printers.emulator import EmulatedStatus, Emulator
from printers.status import PrinterStatus, decode_status, query_status
from printers.transports import DummyTransport, Timeouts, open_transport

OK = b"\x12"


@pytest.mark.parametrize(
    ("printer", "cause", "paper", "expected"),
    [
        (OK, b"", OK, PrinterStatus.OK),
        (OK, b"", b"\x1e", PrinterStatus.PAPER_LOW),
        (OK, b"", b"\x72", PrinterStatus.PAPER_OUT),
        (b"\x1a", b"\x32", b"\x7e", PrinterStatus.PAPER_OUT),
        (b"\x1a", b"\x16", OK, PrinterStatus.COVER_OPEN),
        (b"\x1a", b"\x12", OK, PrinterStatus.OFFLINE),
        (b"\x1a", b"", b"", PrinterStatus.OFFLINE),
        (b"", b"", b"", PrinterStatus.UNKNOWN),
        (OK, b"", b"", PrinterStatus.UNKNOWN),
        (b"\xff", b"", OK, PrinterStatus.UNKNOWN),
        (b"\x00", b"", OK, PrinterStatus.UNKNOWN),
        (OK, b"", b"\x00", PrinterStatus.UNKNOWN),
        (b"\x12\x12", b"", OK, PrinterStatus.UNKNOWN),
    ],
)
def test_decode_status_trusts_only_well_formed_answers(
    printer: bytes, cause: bytes, paper: bytes, expected: PrinterStatus
) -> None:
    assert decode_status(printer=printer, offline_cause=cause, paper=paper) is expected


@pytest.mark.parametrize(
    ("emulated", "expected"),
    [
        (EmulatedStatus.OK, PrinterStatus.OK),
        (EmulatedStatus.PAPER_LOW, PrinterStatus.PAPER_LOW),
        (EmulatedStatus.PAPER_OUT, PrinterStatus.PAPER_OUT),
        (EmulatedStatus.COVER_OPEN, PrinterStatus.COVER_OPEN),
        (EmulatedStatus.SILENT, PrinterStatus.UNKNOWN),
    ],
)
def test_query_status_over_tcp(
    emulator: Emulator, emulated: EmulatedStatus, expected: PrinterStatus
) -> None:
    emulator.set_status(emulated)
    transport = open_transport(emulator.address)
    started = time.monotonic()
    assert query_status(transport=transport, timeout=0.3) is expected
    assert time.monotonic() - started < 2
    transport.close()


def test_status_follows_the_control_file(emulator: Emulator) -> None:
    transport = open_transport(emulator.address)
    (emulator.out_dir / "status").write_text("paper_out\n")
    assert query_status(transport=transport) is PrinterStatus.PAPER_OUT
    (emulator.out_dir / "status").write_text("ok")
    assert query_status(transport=transport) is PrinterStatus.OK
    transport.close()


def test_silent_printer_then_late_answers_are_not_mistaken(emulator: Emulator) -> None:
    transport = open_transport(emulator.address)
    emulator.set_status(EmulatedStatus.SILENT)
    assert query_status(transport=transport, timeout=0.2) is PrinterStatus.UNKNOWN
    emulator.set_status(EmulatedStatus.PAPER_OUT)
    assert query_status(transport=transport, timeout=0.3) is PrinterStatus.PAPER_OUT
    transport.close()


def test_vanished_printer_is_offline_quickly(emulator: Emulator) -> None:
    transport = open_transport(emulator.address, timeouts=Timeouts(connect=0.5))
    assert query_status(transport=transport) is PrinterStatus.OK
    emulator.stop()
    started = time.monotonic()
    assert query_status(transport=transport, timeout=0.3) is PrinterStatus.OFFLINE
    assert query_status(transport=transport, timeout=0.3) is PrinterStatus.OFFLINE
    assert time.monotonic() - started < 3


def test_printer_that_accepts_but_never_answers_is_unknown() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        transport = open_transport(f"tcp://127.0.0.1:{server.getsockname()[1]}")
        assert query_status(transport=transport, timeout=0.2) is PrinterStatus.UNKNOWN
        transport.close()


def test_dummy_cannot_be_asked() -> None:
    assert query_status(transport=DummyTransport()) is PrinterStatus.UNKNOWN
