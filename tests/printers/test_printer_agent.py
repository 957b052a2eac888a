"""The print agent against the ESC/POS emulator over TCP and a real server on 127.0.0.1.

The agent runs as its own process so it can be killed like a power cut.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image
from printer_office import PRINTER_ID, with_printer

from bench.harness import printer_agent_command, stop_process
from printers.agent import AgentSettings, PrintAgent
from printers.emulator import EmulatedStatus, Emulator
from tests.conftest import LiveServer, ServerFactory

ROOT = Path(__file__).resolve().parents[2]


class AgentProcess:
    """`python -m printers printer agent` as a child process."""

    def __init__(self, server: LiveServer, emulator: Emulator, state_dir: Path) -> None:
        self.server, self.emulator, self.state_dir = server, emulator, state_dir
        self.log = state_dir.parent / "agent.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AgentProcess:
        command = printer_agent_command(
            server=self.server.url,
            token=self.server.tokens["printer"],
            printer=f"tcp://127.0.0.1:{self.emulator.requested_port or self.emulator.port}",
            state_dir=self.state_dir,
            status_interval=0.2,
        )
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        return self

    def kill(self) -> None:
        stop_process(self.process, kill=True)

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture
def server(server_factory: ServerFactory) -> LiveServer:
    return server_factory(edit_config=with_printer)


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[Emulator]:
    emulator = Emulator(out_dir=tmp_path / "paper", port=0, paper_mm=80).start()
    emulator.requested_port = emulator.port  # a restart comes back on the same port
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def agent_factory(
    server: LiveServer, printer: Emulator, tmp_path: Path
) -> Iterator[Callable[[], AgentProcess]]:
    agents: list[AgentProcess] = []

    def make() -> AgentProcess:
        agents.append(AgentProcess(server, printer, tmp_path / "agent-state").start())
        return agents[-1]

    yield make
    for agent in agents:
        agent.stop()


def _check_in(server: LiveServer, lang: str = "de") -> dict[str, Any]:
    with server.client("kiosk") as kiosk:
        response = kiosk.post(
            "/api/v1/checkins",
            json={"service_id": "anmeldung", "lang": lang},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _jobs(server: LiveServer, state: str) -> list[dict[str, Any]]:
    with server.client("admin") as admin:
        return list(
            admin.get(f"/api/v1/printers/{PRINTER_ID}/jobs", params={"state": state}).json()["jobs"]
        )


def _printer_row(server: LiveServer) -> dict[str, Any]:
    with server.client("display") as display:
        return dict(display.get("/api/v1/printers").json()["printers"][0])


def _eventually(check: Callable[[], bool], *, timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    pytest.fail(f"not within {timeout}s: {what}")


def _numbers(printer: Emulator) -> list[str]:
    return [
        line
        for t in printer.tickets
        for line in t.text.splitlines()
        if len(line) == 4 and line[0].isalpha() and line[1:].isdigit()
    ]


def test_jobs_are_printed_in_order_and_acknowledged(
    server: LiveServer, printer: Emulator, agent_factory: Callable[[], AgentProcess]
) -> None:
    agent_factory()
    _eventually(lambda: _printer_row(server)["status"] == "ok", what="agent reports ok")
    answers = [_check_in(server, lang) for lang in ("de", "ar", "uk")]
    tickets = printer.wait_for_tickets(3, timeout=15)
    assert _numbers(printer) == [a["ticket"]["number"] for a in answers]
    _eventually(lambda: not _jobs(server, "pending"), what="all jobs acknowledged")
    assert len(_jobs(server, "printed")) == 3
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(tickets[1].png))]
    assert decoded == [answers[1]["status_url"]]


def test_a_job_listed_before_its_acknowledgement_landed_is_not_printed_again(
    server: LiveServer, printer: Emulator, tmp_path: Path
) -> None:
    """The race of a burst, made certain: the server lists the jobs while the first one's
    acknowledgement is still on its way, and the agent reads that listing only after the
    acknowledgement has landed. The first job is in the listing, acknowledged and out of the
    journal by then, and must not be printed a second time (it once was, in CI)."""
    first = _check_in(server)["ticket"]["number"]

    async def two_fetches() -> str:
        agent = PrintAgent(AgentSettings(server=server.url, token=server.tokens["printer"],
                                         printer=f"tcp://127.0.0.1:{printer.port}", state_dir=tmp_path / "agent"))
        listed, listings = asyncio.Event(), []
        real_ack, real_get = agent._ack, agent.http.get

        async def ack_after_the_next_listing(job_id: str, outcome: str, reason: str | None) -> None:
            await listed.wait()
            await real_ack(job_id, outcome, reason)

        async def get(url: str, **kwargs: Any) -> httpx.Response:
            response = await real_get(url, **kwargs)
            if url.endswith("/jobs"):
                listings.append(url)
                if len(listings) == 2:  # listed while the first acknowledgement waits; read after it landed
                    listed.set()
                    await asyncio.wait(list(agent.acking.values()))
                    await asyncio.sleep(0)
            return response

        agent._ack = ack_after_the_next_listing  # type: ignore[method-assign]
        agent.http.get = get  # type: ignore[method-assign]
        try:
            await agent._resolve_printer()
            await agent.sync()
            second = (await asyncio.to_thread(_check_in, server))["ticket"]["number"]
            await agent.sync()
            if agent.acking:
                await asyncio.wait(list(agent.acking.values()))
        finally:
            await agent.http.aclose()
            agent.link.transport.close()
        assert len(listings) == 2
        return str(second)

    second = asyncio.run(two_fetches())
    printer.wait_for_tickets(2, timeout=10)
    assert _numbers(printer) == [first, second]
    assert not _jobs(server, "pending") and len(_jobs(server, "printed")) == 2


def test_paper_out_keeps_the_job_and_tells_the_server(
    server: LiveServer, printer: Emulator, agent_factory: Callable[[], AgentProcess]
) -> None:
    agent_factory()
    _eventually(lambda: _printer_row(server)["status"] == "ok", what="agent reports ok")
    printer.set_status(EmulatedStatus.PAPER_OUT)
    _eventually(
        lambda: _printer_row(server)["status"] == "paper_out", timeout=3, what="paper_out reported"
    )
    answer = _check_in(server)
    time.sleep(1)
    row = _printer_row(server)
    # What a kiosk needs to show its on-screen ticket: the job exists, the printer cannot print it.
    assert answer["print_job"]["printer_id"] == PRINTER_ID
    assert row["status"] == "paper_out" and row["pending_jobs"] == 1
    assert printer.tickets == [] and printer.lost_bytes == 0
    printer.set_status(EmulatedStatus.OK)
    printer.wait_for_tickets(1, timeout=10)
    _eventually(lambda: _printer_row(server)["pending_jobs"] == 0, what="job acknowledged")
    assert _printer_row(server)["status"] == "ok"
    assert _numbers(printer) == [answer["ticket"]["number"]]


def test_agent_killed_and_restarted_loses_none_and_prints_none_twice(
    server: LiveServer, printer: Emulator, agent_factory: Callable[[], AgentProcess]
) -> None:
    agent = agent_factory()
    first = _check_in(server)
    printer.wait_for_tickets(1, timeout=15)
    printer.set_status(EmulatedStatus.PAPER_OUT)
    _eventually(lambda: _printer_row(server)["status"] == "paper_out", what="paper_out reported")
    waiting = [_check_in(server) for _ in range(2)]
    agent.kill()
    printer.set_status(EmulatedStatus.OK)
    time.sleep(0.5)
    assert len(printer.tickets) == 1
    agent_factory()
    printer.wait_for_tickets(3, timeout=15)
    _eventually(lambda: not _jobs(server, "pending"), what="all jobs acknowledged")
    time.sleep(1)
    assert _numbers(printer) == [a["ticket"]["number"] for a in [first, *waiting]]


def test_printed_but_unacknowledged_job_is_acknowledged_not_reprinted(
    server: LiveServer,
    printer: Emulator,
    agent_factory: Callable[[], AgentProcess],
    tmp_path: Path,
) -> None:
    _check_in(server)
    [job] = _jobs(server, "pending")
    # The journal as a power cut leaves it between printing and acknowledging.
    state = tmp_path / "agent-state"
    state.mkdir()
    (state / "journal.json").write_text(json.dumps({job["id"]: "printed"}))
    agent_factory()
    _eventually(lambda: not _jobs(server, "pending"), what="job acknowledged")
    time.sleep(0.5)
    assert printer.tickets == []
    assert json.loads((state / "journal.json").read_text()) == {}


def test_printer_switched_off_and_on_again(
    server: LiveServer, printer: Emulator, agent_factory: Callable[[], AgentProcess]
) -> None:
    agent_factory()
    _eventually(lambda: _printer_row(server)["status"] == "ok", what="agent reports ok")
    printer.stop()
    _eventually(
        lambda: _printer_row(server)["status"] == "offline", timeout=5, what="offline reported"
    )
    answer = _check_in(server)
    time.sleep(0.5)
    assert _printer_row(server)["pending_jobs"] == 1
    printer.start()
    printer.wait_for_tickets(1, timeout=15)
    _eventually(lambda: _printer_row(server)["status"] == "ok", what="ok again")
    _eventually(lambda: not _jobs(server, "pending"), what="job acknowledged")
    time.sleep(0.5)
    assert _numbers(printer) == [answer["ticket"]["number"]]


def test_server_killed_and_restarted(
    server: LiveServer, printer: Emulator, agent_factory: Callable[[], AgentProcess]
) -> None:
    agent_factory()
    printer.set_status(EmulatedStatus.PAPER_OUT)
    _eventually(lambda: _printer_row(server)["status"] == "paper_out", what="paper_out reported")
    answers = [_check_in(server) for _ in range(2)]
    server.kill()
    printer.set_status(EmulatedStatus.OK)
    time.sleep(0.5)
    server.start()
    printer.wait_for_tickets(2, timeout=20)
    _eventually(lambda: not _jobs(server, "pending"), what="jobs acknowledged")
    time.sleep(0.5)
    assert _numbers(printer) == [a["ticket"]["number"] for a in answers]


def test_job_older_than_its_age_is_dropped_not_printed_late(
    server: LiveServer, printer: Emulator, agent_factory: Callable[[], AgentProcess]
) -> None:
    printer.set_status(EmulatedStatus.PAPER_OUT)
    agent = agent_factory()
    _check_in(server)
    _eventually(lambda: _printer_row(server)["status"] == "paper_out", what="paper_out reported")
    agent.kill()
    server.stop()
    server.start(clock="2026-12-01T09:30")  # the office clock is now 30 min later
    printer.set_status(EmulatedStatus.OK)
    agent_factory()
    _eventually(lambda: bool(_jobs(server, "dropped")), what="job dropped")
    [dropped] = _jobs(server, "dropped")
    assert dropped["reason"] == "too_old"
    time.sleep(0.5)
    assert printer.tickets == []


def test_agent_with_a_wrong_token_stops_with_a_clear_message(
    server: LiveServer, printer: Emulator
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "printers",
            "printer",
            "agent",
            "--server",
            server.url,
            "--token",
            "thq_wrong",
            "--printer",
            printer.address,
            "--state-dir",
            "/tmp/unused",
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert b"refuses this token" in result.stderr
