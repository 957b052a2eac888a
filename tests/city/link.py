"""One office's network link to the city, as a TCP relay the test can cut and mend.

The office's `[city] nats_url` points at the relay; cutting it closes every open
connection and refuses new ones (as a WAN outage would) while the city's NATS and
the other offices go on. Mending it relays again.

The relay keeps listening while cut and closes each new connection at once: were the port
let go, another test running beside this one could bind it, and the office's NATS client,
retrying, would reach that test's NATS instead.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from bench.harness import free_port


class Link:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut = True  # until mended

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def mend(self) -> None:
        with self._lock:
            if self._listener is None:
                listener = socket.socket()
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind(("127.0.0.1", self.port))
                listener.listen(16)
                self._listener = listener
                threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
            self._cut = False

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sockets, self._open = self._open, []
        for sock in sockets:
            _close(sock)

    def close(self) -> None:
        """Cut, and let the port go (the test is over)."""
        self.cut()
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                inner, _ = listener.accept()
            except OSError:
                return  # closed
            if self._cut:
                _close(inner)  # refused, as a cut WAN link would
                continue
            try:
                outer = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                inner.close()
                continue
            outer.settimeout(None)
            with self._lock:
                if self._cut or self._listener is not listener:
                    inner.close()
                    outer.close()
                    continue
                self._open += [inner, outer]
            for a, b in ((inner, outer), (outer, inner)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
