"""The emulator prints what a network printer would: bytes, text and a PNG whose QR scans."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import zxingcpp
from PIL import Image
from printer_samples import arabic_ticket, german_ticket

from printers.emulator import EmulatedStatus, Emulator
from printers.ticket import render_ticket
from printers.transports import open_transport


def _decode_qr(png: Path) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(png))]


def test_german_ticket_round_trip(emulator: Emulator, artifacts: Path) -> None:
    content = german_ticket()
    data = render_ticket(content=content, paper_mm=80)
    transport = open_transport(emulator.address)
    transport.write(data)
    [ticket] = emulator.wait_for_tickets(1, timeout=10)
    transport.close()
    assert ticket.raw == data
    assert "A042" in ticket.text and "Vor Ihnen: 4 · Wartezeit ca. 25\u00a0Min." in ticket.text
    assert ticket.qr == [content.status_url]
    assert _decode_qr(ticket.png) == [content.status_url]
    shutil.copy(ticket.png, artifacts / "emulator_de_80mm.png")


def test_arabic_ticket_on_58mm_paper(tmp_path: Path, artifacts: Path) -> None:
    printer = Emulator(out_dir=tmp_path / "out", port=0, paper_mm=58).start()
    try:
        content = arabic_ticket()
        transport = open_transport(printer.address)
        transport.write(render_ticket(content=content, paper_mm=58))
        [ticket] = printer.wait_for_tickets(1, timeout=10)
        transport.close()
    finally:
        printer.stop()
    assert Image.open(ticket.png).width < 576
    assert "[IMAGE 384x" in ticket.text
    assert _decode_qr(ticket.png) == [content.status_url]
    shutil.copy(ticket.png, artifacts / "emulator_ar_58mm.png")


def test_tickets_are_split_at_the_cut_and_numbered_across_restarts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    printer = Emulator(out_dir=out, port=0, render_png=False).start()
    transport = open_transport(printer.address)
    first = render_ticket(content=german_ticket(number="A001"), paper_mm=80)
    second = render_ticket(content=german_ticket(number="A002"), paper_mm=80)
    transport.write(first + second)
    assert [t.raw for t in printer.wait_for_tickets(2, timeout=10)] == [first, second]
    transport.close()
    printer.stop()
    again = Emulator(out_dir=out, port=0, render_png=False).start()
    try:
        transport = open_transport(again.address)
        transport.write(first)
        [ticket] = again.wait_for_tickets(1, timeout=10)
        transport.close()
    finally:
        again.stop()
    assert ticket.index == 3
    assert sorted(p.name for p in out.glob("ticket-*.bin")) == [
        "ticket-0001.bin",
        "ticket-0002.bin",
        "ticket-0003.bin",
    ]


def test_out_of_paper_prints_nothing_and_counts_the_loss(emulator: Emulator) -> None:
    emulator.set_status(EmulatedStatus.PAPER_OUT)
    transport = open_transport(emulator.address)
    data = render_ticket(content=german_ticket(), paper_mm=80)
    transport.write(data)
    deadline = time.monotonic() + 5
    while emulator.lost_bytes < len(data) and time.monotonic() < deadline:
        time.sleep(0.01)
    transport.close()
    assert emulator.lost_bytes == len(data)
    assert emulator.tickets == []


def test_connection_closed_mid_ticket_leaves_a_partial_not_a_ticket(emulator: Emulator) -> None:
    data = render_ticket(content=german_ticket(), paper_mm=80)
    with socket.create_connection(("127.0.0.1", emulator.port)) as conn:
        conn.sendall(data[: len(data) // 2])
    deadline = time.monotonic() + 5
    while not list(emulator.out_dir.glob("partial-*.bin")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [p.read_bytes() for p in emulator.out_dir.glob("partial-*.bin")] == [
        data[: len(data) // 2]
    ]
    assert emulator.tickets == []


def test_emulate_command_prints_and_follows_the_status_file(tmp_path: Path) -> None:
    import subprocess
    import sys

    from printers.status import PrinterStatus, query_status

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "paper"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "printers",
            "printer",
            "emulate",
            "--port",
            str(port),
            "--out",
            str(out),
            "--paper",
            "58",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        assert "ESC/POS printer emulator on tcp://127.0.0.1:" in process.stdout.readline().decode()
        transport = open_transport(f"tcp://127.0.0.1:{port}")
        transport.write(render_ticket(content=german_ticket(), paper_mm=58))
        deadline = time.monotonic() + 10
        while not (out / "ticket-0001.png").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (out / "ticket-0001.bin").read_bytes().endswith(b"\x1dVA\x00")
        (out / "status").write_text("cover_open\n")
        assert query_status(transport=transport) is PrinterStatus.COVER_OPEN
        transport.close()
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
