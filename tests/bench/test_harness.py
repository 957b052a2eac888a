"""The test servers' harness: a server that finds its port taken by another moves to a new one."""

from __future__ import annotations

import os

import pytest

from bench.harness import free_port
from tests.conftest import ServerFactory


def test_a_first_start_whose_port_another_server_holds_moves_to_a_free_one(server_factory: ServerFactory) -> None:
    """Tests run side by side: between `free_port` and the bind, another worker's server may
    take the port. Every test office answers /health alike, so the harness must not take
    that server for its own (a crash test once sent its burst to another office)."""
    other = server_factory()
    mine = server_factory(start=False)
    mine.port = other.port
    mine.start()
    assert mine.port != other.port
    for server in (mine, other):  # each answers with its own devices
        with server.client("admin") as admin:
            assert admin.get("/api/v1/devices/me").status_code == 200
    with mine.client("admin") as admin:
        assert admin.get("/api/v1/devices/me", headers={"Authorization": f"Bearer {other.tokens['admin']}"}).status_code == 401


def test_a_restart_whose_port_was_taken_meanwhile_says_so(server_factory: ServerFactory) -> None:
    other = server_factory()
    mine = server_factory()
    mine.stop()
    mine.port = other.port  # as if another server had bound it while this one was down
    with pytest.raises(RuntimeError, match="taken by another server"):
        mine.start()
    with other.client("admin") as admin:
        assert admin.get("/api/v1/devices/me").status_code == 200


def test_each_test_worker_hands_out_ports_of_its_own_below_the_ephemeral_range() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        pytest.skip("one process: the kernel picks the ports")
    first = 20000 + 1000 * int(worker.removeprefix("gw"))
    ports = [free_port() for _ in range(5)]
    assert all(first <= port < first + 1000 for port in ports)
    assert len(set(ports)) == 5
