"""The kiosk's printer facade: every hardware problem is an outcome, never an exception."""

from __future__ import annotations

import time
from pathlib import Path

from printer_samples import german_ticket

from printers.emulator import EmulatedStatus, Emulator
from printers.facade import TicketPrinter
from printers.status import PrinterStatus
from printers.ticket import render_ticket
from printers.transports import Timeouts

# A loaded CI machine can take longer than the kiosk's 0.3 s to answer a status
# byte; the tests of answered statuses must not depend on that race.
PATIENT = Timeouts(connect=5.0, write=5.0, read=2.0)


def test_prints_and_verifies_on_a_healthy_printer(emulator: Emulator) -> None:
    printer = TicketPrinter(address=emulator.address, paper_mm=80, timeouts=PATIENT)
    outcome = printer.print_ticket(content=german_ticket())
    assert (outcome.printed, outcome.verified, outcome.status) == (True, True, PrinterStatus.OK)
    [ticket] = emulator.wait_for_tickets(1, timeout=5)
    assert ticket.raw == render_ticket(content=german_ticket(), paper_mm=80)
    printer.close()


def test_paper_low_still_prints_and_says_so(emulator: Emulator) -> None:
    emulator.set_status(EmulatedStatus.PAPER_LOW)
    outcome = TicketPrinter(address=emulator.address, timeouts=PATIENT).print_ticket(content=german_ticket())
    assert outcome.printed and outcome.status is PrinterStatus.PAPER_LOW


def test_paper_out_and_cover_open_send_nothing(emulator: Emulator) -> None:
    printer = TicketPrinter(address=emulator.address, timeouts=PATIENT)
    for emulated, expected in (
        (EmulatedStatus.PAPER_OUT, PrinterStatus.PAPER_OUT),
        (EmulatedStatus.COVER_OPEN, PrinterStatus.COVER_OPEN),
        (EmulatedStatus.SILENT, PrinterStatus.UNKNOWN),
    ):
        emulator.set_status(emulated)
        outcome = printer.print_ticket(content=german_ticket())
        assert (outcome.printed, outcome.status) == (False, expected)
    time.sleep(0.2)
    assert emulator.lost_bytes == 0 and emulator.tickets == []
    printer.close()


def test_printer_that_cannot_answer_is_printed_to_unverified(emulator: Emulator) -> None:
    emulator.set_status(EmulatedStatus.SILENT)
    printer = TicketPrinter(address=f"{emulator.address}?status=none")
    outcome = printer.print_ticket(content=german_ticket())
    assert (outcome.printed, outcome.verified, outcome.status) == (
        True,
        False,
        PrinterStatus.UNKNOWN,
    )
    assert emulator.wait_for_tickets(1, timeout=5)
    printer.close()


def test_vanished_printer_is_offline_fast_and_recovers(tmp_path: Path) -> None:
    emulator = Emulator(out_dir=tmp_path / "paper", port=0).start()
    port = emulator.port
    printer = TicketPrinter(address=emulator.address)
    assert printer.print_ticket(content=german_ticket()).printed
    emulator.stop()
    started = time.monotonic()
    outcome = printer.print_ticket(content=german_ticket())
    assert (outcome.printed, outcome.status) == (False, PrinterStatus.OFFLINE)
    assert printer.status() is PrinterStatus.OFFLINE
    assert time.monotonic() - started < 3
    back = Emulator(out_dir=tmp_path / "paper", port=port).start()
    try:
        assert printer.print_ticket(content=german_ticket()).printed
        assert len(back.wait_for_tickets(1, timeout=5)) == 1
    finally:
        back.stop()
        printer.close()


def test_device_file_and_dummy(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.touch()
    outcome = TicketPrinter(address=f"file://{device}").print_ticket(content=german_ticket())
    assert (outcome.printed, outcome.verified) == (True, False)
    assert device.read_bytes() == render_ticket(content=german_ticket(), paper_mm=80)
    missing = TicketPrinter(address=f"file://{tmp_path}/unplugged/lp0")
    assert missing.print_ticket(content=german_ticket()).status is PrinterStatus.OFFLINE
    assert TicketPrinter(address="dummy://").print_ticket(content=german_ticket()).printed


def test_usb_printer_not_plugged_in() -> None:
    outcome = TicketPrinter(address="usb://0416:5011").print_ticket(content=german_ticket())
    assert (outcome.printed, outcome.status) == (False, PrinterStatus.OFFLINE)
