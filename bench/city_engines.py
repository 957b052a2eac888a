"""A real NATS server with JetStream and a throwaway PostgreSQL cluster, for the city's tests and bench.

Both come from Debian packages (`nats-server`, `postgresql`) that `./dev` installs; where
they are missing, `EngineMissing` says which (the tests skip with that reason).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.harness import free_port, stop_process


class EngineMissing(RuntimeError):
    """A Debian package the city layer needs is not installed, or cannot run here."""


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def wait_for_port(port: int, *, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} in {timeout:.0f} s")


@dataclass
class Nats:
    """One nats-server process with JetStream; stop() and start() keep its store."""

    port: int
    store_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("nats-server")
        assert binary
        log = (self.store_dir / "nats.log").open("ab")
        self.process = subprocess.Popen(
            [binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store_dir)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, what="nats-server")

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


@dataclass
class Postgres:
    """A throwaway cluster on a free port, its unix socket in its own temporary folder."""

    root: Path
    port: int

    @property
    def dsn(self) -> str:
        return f"host={self.root} port={self.port} user=postgres dbname=postgres"


def _as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as the `postgres` system user then."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        raise EngineMissing("running as root without runuser: cannot start PostgreSQL as the postgres user")
    return [runuser, "-u", "postgres", "--", *command]


@contextlib.contextmanager
def nats_server() -> Iterator[Nats]:
    if shutil.which("nats-server") is None:
        raise EngineMissing("Debian package nats-server is not installed (./dev installs it)")
    store = Path(tempfile.mkdtemp(prefix="townhall-nats-"))
    server = Nats(port=free_port(), store_dir=store)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(store, ignore_errors=True)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[Postgres]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise EngineMissing("Debian package postgresql is not installed (./dev installs it)")
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise EngineMissing("running as root and there is no postgres user to run the cluster") from None
    root = Path(tempfile.mkdtemp(prefix="townhall-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, port = root / "data", free_port()
    subprocess.run(
        _as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]),
        check=True, capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]),
        check=True, capture_output=True,
    )
    try:
        yield Postgres(root=root, port=port)
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
