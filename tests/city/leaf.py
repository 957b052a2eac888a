"""NATS leaf nodes as an office would run them: a hub (the city's NATS, JetStream on, a leaf-node
port) and per office a leaf (no JetStream of its own; the office's outbox is its store) whose
remote is the hub, through a TCP link the test can cut. Cutting the WAN: `link.cut()` (the leaf
stays up, the office still talks to it); stopping the leaf: `leaf.stop()` (the office loses its
NATS altogether). Both come back on the same ports.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.city_engines import EngineMissing, wait_for_port
from bench.harness import free_port, stop_process

DOMAIN = "city"  # the hub's JetStream domain: a leaf without JetStream reaches its API as $JS.city.API


@dataclass
class NatsNode:
    """One nats-server from a config file; stop() and start() keep its ports and store."""

    name: str
    folder: Path
    config: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("nats-server")
        if binary is None:
            raise EngineMissing("Debian package nats-server is not installed (./dev installs it)")
        conf = self.folder / f"{self.name}.conf"
        conf.write_text(f'listen: "127.0.0.1:{self.port}"\nserver_name: "{self.name}"\n{self.config}',
                        encoding="utf-8")
        with (self.folder / f"{self.name}.log").open("ab") as log:
            self.process = subprocess.Popen([binary, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, what=f"nats-server {self.name}")

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


def hub(folder: Path, leaf_port: int, advertise: int | None = None) -> NatsNode:
    """The city's NATS. `advertise`: the port leaf nodes are told to reach it at (the WAN
    link's): a leaf learns the address the hub advertises and, once its link is cut, reconnects
    there, around the link, unless that is the link itself (a CI run saw Nord's leaf do so a
    second after the cut; nats-server 2.9's `no_advertise` does not stop it)."""
    store = folder / "hub-store"
    told = f', advertise: "127.0.0.1:{advertise}"' if advertise is not None else ""
    return NatsNode("hub", folder, f'jetstream {{ store_dir: "{store}", domain: "{DOMAIN}" }}\n'
                                   f'leafnodes {{ listen: "127.0.0.1:{leaf_port}"{told} }}\n')


def leaf(office_id: str, folder: Path, remote_port: int) -> NatsNode:
    """The office's leaf node: its remote is the hub's leaf-node port (here: the link's port)."""
    return NatsNode(f"leaf-{office_id}", folder,
                    f'leafnodes {{ remotes [ {{ url: "nats-leaf://127.0.0.1:{remote_port}" }} ] }}\n')


@contextmanager
def nodes(*wanted: NatsNode) -> Iterator[None]:
    try:
        for node in wanted:
            node.start()
        yield
    finally:
        for node in wanted:
            node.stop()


@contextmanager
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="townhall-leaf-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
