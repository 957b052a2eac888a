"""Transports fail fast and by name: a vanished printer never hangs the caller."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from printers.emulator import Emulator
from printers.transports import (
    DeviceFileTransport,
    DummyTransport,
    PrinterUnavailable,
    SerialTransport,
    TcpTransport,
    Timeouts,
    TransportAddressError,
    UsbTransport,
    open_transport,
)

FAST = Timeouts(connect=0.5, write=0.5, read=0.2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("tcp://127.0.0.1:9100", TcpTransport),
        ("tcp://127.0.0.1", TcpTransport),
        ("usb://04b8:0e15?interface=0&out_ep=0x01", UsbTransport),
        ("serial:///dev/ttyUSB0?baudrate=38400", SerialTransport),
        ("file:///dev/usb/lp0", DeviceFileTransport),
        ("dummy://", DummyTransport),
    ],
)
def test_addresses(address: str, kind: type) -> None:
    assert isinstance(open_transport(address), kind)


@pytest.mark.parametrize(
    "address",
    ["lpt1", "tcp://", "tcp://127.0.0.1:notaport", "usb://04b8", "usb://zz:01", "ipp://x"],
)
def test_bad_addresses_are_named_errors(address: str) -> None:
    with pytest.raises(TransportAddressError):
        open_transport(address)


def test_tcp_refused_is_unavailable_fast() -> None:
    transport = open_transport(f"tcp://127.0.0.1:{_free_port()}", timeouts=FAST)
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable, match="cannot connect"):
        transport.write(b"\x1b@")
    assert time.monotonic() - started < 1


def test_tcp_printer_that_stops_reading_times_out() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        transport = open_transport(f"tcp://127.0.0.1:{server.getsockname()[1]}", timeouts=FAST)
        started = time.monotonic()
        with pytest.raises(PrinterUnavailable, match="sending failed"):
            transport.write(b"\x00" * 50_000_000)
        assert time.monotonic() - started < 3


def test_tcp_printer_switched_off_between_tickets(emulator: Emulator) -> None:
    transport = open_transport(emulator.address, timeouts=FAST)
    transport.write(b"\x1b@hello\n\x1dV\x00")
    assert emulator.wait_for_tickets(1, timeout=5)
    emulator.stop()
    with pytest.raises(PrinterUnavailable):
        for _ in range(50):
            transport.write(b"\x1b@again\n")
            time.sleep(0.02)


def test_device_file_writes_and_missing_device_is_unavailable(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    target.touch()
    transport = open_transport(f"file://{target}")
    transport.write(b"\x1b@ticket\n")
    transport.write(b"more\n")
    transport.open()
    assert not transport.can_read
    transport.close()
    assert target.read_bytes() == b"\x1b@ticket\nmore\n"
    with pytest.raises(PrinterUnavailable, match="cannot open"):
        open_transport(f"file://{tmp_path}/gone/lp0").write(b"x")


def test_serial_over_a_pseudo_terminal() -> None:
    master, slave = os.openpty()
    try:
        transport = open_transport(f"serial://{os.ttyname(slave)}?baudrate=115200", timeouts=FAST)
        transport.write(b"\x1b@A001\n")
        assert os.read(master, 64) == b"\x1b@A001\n"
        os.write(master, b"\x12")
        assert transport.read(1, timeout=0.5) == b"\x12"
        assert transport.read(1, timeout=0.1) == b""
        transport.close()
    finally:
        os.close(master)
        os.close(slave)


def test_serial_missing_port_is_unavailable() -> None:
    with pytest.raises(PrinterUnavailable):
        open_transport("serial:///dev/ttyNOPE0").write(b"x")


def test_usb_printer_not_plugged_in_is_unavailable() -> None:
    started = time.monotonic()
    with pytest.raises(PrinterUnavailable):
        open_transport("usb://dead:beef").write(b"x")
    assert time.monotonic() - started < 3


def test_dummy_collects_bytes() -> None:
    transport = DummyTransport()
    transport.write(b"abc")
    transport.write(b"def")
    assert transport.output == b"abcdef"
    assert transport.read(1, timeout=0.1) == b""
