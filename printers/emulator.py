"""A network ESC/POS printer on a TCP port, for tests, benchmarks and the demo.

It keeps the raw bytes of every ticket (split at the cut), renders each to a PNG
that looks like the paper, and answers DLE EOT status requests with whatever
its status is set to: ok, paper_low, paper_out, cover_open, or silent (no
answer). While out of paper or with the cover open it prints nothing: bytes
sent then are counted as lost, as the visitor would get no ticket.

The status can be changed at run time through `Emulator.set_status()` or by
writing one of those words into the file `status` in the output folder.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .emulated_status import EmulatedStatus
from .escpos_parse import EscPosParser, Op
from .paper import Paper
from .ticket import PAPER_DOTS

log = logging.getLogger(__name__)


# Answers to DLE EOT 1 (printer), 2 (offline cause), 3 (errors), 4 (paper sensor).
_REPLIES: dict[EmulatedStatus, dict[int, int]] = {
    EmulatedStatus.OK: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    EmulatedStatus.PAPER_LOW: {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    EmulatedStatus.PAPER_OUT: {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    EmulatedStatus.COVER_OPEN: {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
}
_NOT_PRINTING = {EmulatedStatus.PAPER_OUT, EmulatedStatus.COVER_OPEN}


class UnknownEmulatedStatus(ValueError):
    """A status word the emulator does not know."""


@dataclass
class PrintedTicket:
    """One ticket as it left the emulated printer."""

    index: int
    raw: bytes
    text: str
    qr: list[str]
    received_at: float
    png: Path


@dataclass
class _Pending:
    raw: bytearray = field(default_factory=bytearray)
    ops: list[Op] = field(default_factory=list)


def _ticket_text(ops: list[Op]) -> tuple[str, list[str]]:
    lines, current, qr = [], "", []
    for op in ops:
        if op.kind == "text":
            current += op.text
        elif op.kind == "newline":
            lines.append(current)
            current = ""
        elif op.kind == "qr":
            qr.append(op.text)
            lines.append(f"[QR {op.text}]")
        elif op.kind == "image" and op.image is not None:
            lines.append(f"[IMAGE {op.image.width}x{op.image.height}]")
        elif op.kind == "cut":
            lines.append("[CUT]")
    if current:
        lines.append(current)
    return "\n".join(lines) + "\n", qr


class Emulator:
    """The emulated printer; `start()` listens, `stop()` switches it off."""

    def __init__(
        self,
        *,
        out_dir: Path,
        host: str = "127.0.0.1",
        port: int = 9100,
        paper_mm: int = 80,
        status: EmulatedStatus = EmulatedStatus.OK,
        render_png: bool = True,
    ) -> None:
        self.out_dir = out_dir
        self.host, self.requested_port, self.paper_mm = host, port, paper_mm
        self.render_png = render_png
        self.tickets: list[PrintedTicket] = []
        self.lost_bytes = 0
        self.status_requests = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server: socketserver.ThreadingTCPServer | None = None
        self._connections: set[socket.socket] = set()
        self._status_file = out_dir / "status"
        self._status_stamp: tuple[float, int] | None = None
        self._status = status
        out_dir.mkdir(parents=True, exist_ok=True)
        self.set_status(status)
        self._next_index = 1 + len(list(out_dir.glob("ticket-*.bin")))

    @property
    def port(self) -> int:
        assert self._server is not None, "emulator not started"
        return int(self._server.server_address[1])

    @property
    def address(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def set_status(self, status: EmulatedStatus | str) -> None:
        status = _parse_status(str(status))
        tmp = self._status_file.with_suffix(".tmp")
        tmp.write_text(f"{status.value}\n", encoding="utf-8")
        os.replace(tmp, self._status_file)
        with self._lock:
            self._status = status

    @property
    def status(self) -> EmulatedStatus:
        """The current status; the control file wins when someone rewrote it."""
        try:
            info = self._status_file.stat()
            stamp = (info.st_mtime, info.st_size)
            if stamp != self._status_stamp:
                text = self._status_file.read_text(encoding="utf-8").strip()
                self._status_stamp = stamp
                self._status = _parse_status(text)
        except (OSError, UnknownEmulatedStatus) as error:
            log.warning("emulator status file: %s", error)
        return self._status

    def start(self) -> Emulator:
        emulator = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                emulator._serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer((self.host, self.requested_port), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, name="escpos-emulator", daemon=True).start()
        log.info("ESC/POS emulator on %s, tickets in %s", self.address, self.out_dir)
        return self

    def stop(self) -> None:
        """Switch the printer off: drop every connection, stop listening."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for conn in list(self._connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._server = None

    def wait_for_tickets(self, count: int, *, timeout: float) -> list[PrintedTicket]:
        """The first `count` tickets, waiting up to `timeout` seconds for them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.tickets) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return list(self.tickets)

    def _serve(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
        parser, pending = EscPosParser(), _Pending()
        try:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                for op in parser.feed(data):
                    self._handle(conn, op, pending)
        finally:
            with self._lock:
                self._connections.discard(conn)
            if pending.raw:
                self._store_partial(bytes(pending.raw))
            conn.close()

    def _handle(self, conn: socket.socket, op: Op, pending: _Pending) -> None:
        status = self.status
        if op.kind == "status":
            self.status_requests += 1
            if status is not EmulatedStatus.SILENT:
                reply = _REPLIES[status].get(op.value, 0x12)
                try:
                    conn.sendall(bytes([reply]))
                except OSError:
                    pass
            return
        if status in _NOT_PRINTING:
            self.lost_bytes += len(op.raw)
            return
        pending.raw += op.raw
        pending.ops.append(op)
        if op.kind == "cut":
            self._store_ticket(bytes(pending.raw), pending.ops)
            pending.raw.clear()
            pending.ops = []

    def _store_ticket(self, raw: bytes, ops: list[Op]) -> None:
        received_at = time.time()
        with self._lock:
            index = self._next_index
            self._next_index += 1
        stem = self.out_dir / f"ticket-{index:04d}"
        _write_whole(stem.with_suffix(".bin"), raw)
        text, qr = _ticket_text(ops)
        stem.with_suffix(".txt").write_text(text, encoding="utf-8")
        png = stem.with_suffix(".png")
        if self.render_png:
            paper = Paper(dots=PAPER_DOTS.get(self.paper_mm, 576), paper_mm=self.paper_mm)
            paper.apply(ops)
            image = io.BytesIO()
            paper.image().save(image, format="PNG")
            _write_whole(png, image.getvalue())
        ticket = PrintedTicket(
            index=index, raw=raw, text=text, qr=qr, received_at=received_at, png=png
        )
        with self._changed:
            self.tickets.append(ticket)
            self._changed.notify_all()
        log.info("ticket %s printed: %s", index, png)

    def _store_partial(self, raw: bytes) -> None:
        """Bytes that never reached a cut: a real printer would leave a torn, uncut half."""
        if raw.strip(b"\x1b@\n"):
            path = self.out_dir / f"partial-{time.time_ns()}.bin"
            _write_whole(path, raw)
            log.warning("connection closed mid-ticket, %d bytes kept in %s", len(raw), path)


def _write_whole(path: Path, data: bytes) -> None:
    """Whole or not at all: whoever finds the file (a test, a person watching the folder) finds
    all of it, never a file just created and still empty."""
    writing = path.with_name(f".{path.name}.tmp")
    writing.write_bytes(data)
    os.replace(writing, path)


def _parse_status(text: str) -> EmulatedStatus:
    try:
        return EmulatedStatus(text)
    except ValueError:
        known = ", ".join(s.value for s in EmulatedStatus)
        raise UnknownEmulatedStatus(f"{text!r} is not a status ({known})") from None
