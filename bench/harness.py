"""A real `townhall serve` process over a fresh data directory, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from counter_server.auth import add_device
from counter_server.cli import init_data_dir
from counter_server.store import Store
from counter_server.tls_client import ssl_context

ROLES = ["admin", "kiosk", "display", "printer", "booking"] + [f"counter:{n}" for n in range(1, 9)]


# Under pytest-xdist each worker hands out ports from a block of its own, below Linux's
# ephemeral range (32768-60999), in turn: a port the kernel picks for one worker may be picked
# again for another worker, or for an outgoing connection, before the server has bound it.
_PORT_BLOCK_START, _PORT_BLOCK_SIZE, _EPHEMERAL_START = 20000, 1000, 32768
_handed_out = 0


def _worker_block() -> int | None:
    """The first port of this pytest-xdist worker's block; None outside one (its children
    inherit the variable, not the count handed out) or past the blocks there are."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "") if "xdist" in sys.modules else ""
    number = worker.removeprefix("gw")
    if not worker.startswith("gw") or not number.isdigit():
        return None
    first = _PORT_BLOCK_START + int(number) * _PORT_BLOCK_SIZE
    return first if first + _PORT_BLOCK_SIZE <= _EPHEMERAL_START else None


def free_port() -> int:
    """A port on 127.0.0.1 that nothing is bound to, for a server to bind next."""
    first = _worker_block()
    if first is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])
    global _handed_out
    for _ in range(_PORT_BLOCK_SIZE):
        port = first + _handed_out % _PORT_BLOCK_SIZE
        _handed_out += 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {first}-{first + _PORT_BLOCK_SIZE - 1}")


def make_devices(data_dir: Path, names: list[str] = ROLES) -> dict[str, str]:
    """One device per name (`role` or `counter:N`); returns name -> token."""
    store = Store(data_dir / "townhall.db")
    tokens: dict[str, str] = {}
    try:
        for name in names:
            role, _, counter = name.partition(":")
            _, token = store.write_sync(
                lambda tx, r=role, c=counter, n=name: add_device(
                    tx.db, role=r, name=n, now=tx.now, counter_id=c or None
                ),
                now=datetime.now(UTC),
            )
            tokens[name] = token
    finally:
        store.close()
    return tokens


def stop_process(process: subprocess.Popen[bytes] | None, *, kill: bool = False) -> None:
    """SIGTERM (or SIGKILL, as a power cut would), then wait; escalate if it hangs."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def printer_agent_command(
    *, server: str, token: str, printer: str, state_dir: Path, status_interval: float
) -> list[str]:
    """`townhall printer agent ...` as a child process command line."""
    return [
        sys.executable, "-m", "printers", "printer", "agent", "--server", server, "--token", token,
        "--printer", printer, "--state-dir", str(state_dir), "--status-interval", str(status_interval),
    ]


@dataclass
class LiveServer:
    """A `townhall serve` process; `tokens` maps role (or `counter:N`) to a device token."""

    data_dir: Path
    port: int
    tokens: dict[str, str]
    clock: str | None
    process: subprocess.Popen[bytes] | None = None
    log_level: str = "warning"
    extra_args: list[str] = field(default_factory=list)  # e.g. ["--public-port", "8001"]
    ca_file: Path | None = None  # set: the server runs with --tls and clients trust this CA
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / "server.log"

    @classmethod
    def prepare(cls, data_dir: Path, clock: str | None) -> LiveServer:
        if not (data_dir / "office.toml").exists():
            init_data_dir(data_dir, demo_office=True)
        return cls(data_dir=data_dir, port=free_port(), tokens=make_devices(data_dir), clock=clock)

    @property
    def url(self) -> str:
        return f"{'https' if self.ca_file else 'http'}://127.0.0.1:{self.port}"

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What httpx needs to trust this server."""
        return ssl_context(self.ca_file) if self.ca_file else True

    def start(self, clock: str | None = None) -> None:
        """Start the server and wait until it answers; a first start that finds its port
        taken (another process bound it since `free_port`) tries again on a new one."""
        first = self.process is None
        for _ in range(3):
            if self._start_once(clock or self.clock):
                return
            stop_process(self.process)
            if not first:
                raise RuntimeError(f"port {self.port} was taken by another server while this one was down")
            self.port = free_port()
        raise RuntimeError("another server took the free port three times")

    def _start_once(self, clock: str | None) -> bool:
        """True once this server answers; False if another server answers on its port."""
        command = [sys.executable, "-m", "counter_server.cli", "serve", "--data-dir", str(self.data_dir),
                   "--port", str(self.port), "--log-level", self.log_level]
        if clock:
            command += ["--clock", clock]
        command += self.extra_args + (["--tls"] if self.ca_file else [])
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
        # a loaded machine (CI shares its cores) can take long to import the server
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()}")
            try:
                if httpx.get(self.url + "/health", timeout=1, verify=self.verify).status_code == 200:
                    return self._answers_as_itself()
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 90 s")

    def _answers_as_itself(self) -> bool:
        """Whether this server's own process holds the socket that listens on its port (tests
        run side by side, and every test office answers /health alike). Linux's /proc."""
        assert self.process is not None
        suffix = f":{self.port:04X}"
        listening = {
            fields[9]
            for table in ("/proc/net/tcp", "/proc/net/tcp6") if Path(table).exists()
            for fields in (line.split() for line in Path(table).read_text().splitlines()[1:])
            if fields[1].endswith(suffix) and fields[3] == "0A"  # 0A: LISTEN
        }
        sockets = {f"socket:[{inode}]" for inode in listening}
        for fd in Path(f"/proc/{self.process.pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in sockets:
                    return True
        return False

    def kill(self) -> None:
        stop_process(self.process, kill=True)

    def stop(self) -> None:
        stop_process(self.process)

    def rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def client(self, role: str, **kwargs: object) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.tokens[role]}"}, timeout=10,
            verify=self.verify, **kwargs  # type: ignore[arg-type]
        )

    def ws_url(self, role: str, since: int | None = None) -> str:
        query = f"token={self.tokens[role]}" + (f"&since={since}" if since is not None else "")
        return f"{'wss' if self.ca_file else 'ws'}://127.0.0.1:{self.port}/api/v1/events?{query}"
