"""The effect runner without a window: the real client, server, printer emulator and offline file.

The only stand-ins are at the hardware: the espeak-ng program is replaced by a
script that writes down what it was asked to say.
"""

from __future__ import annotations

import asyncio
import stat
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import flow as f
from kiosk.client import ServerClient
from kiosk.effects import EffectRunner
from kiosk.inputs import ScannerWedge
from kiosk.offline import OfflineDesk
from kiosk.printing import KioskPrinter
from kiosk.views import chrome
from printers.emulator import EmulatedStatus, Emulator
from speech import Speaker
from tests.conftest import LiveServer
from tests.kiosk.test_offline import NOW, desk_with_lease

NOWHERE = "http://127.0.0.1:9"


def runner_for(
    server: ServerClient,
    *,
    printer: KioskPrinter | None = None,
    speaker: Speaker | None = None,
    desk: OfflineDesk | None = None,
    clock: Callable[[], datetime] | None = None,
) -> EffectRunner:
    settings = f.Settings(printer=printer is not None, offline=desk is not None)
    keys = iter(f"key-{n}" for n in range(100))
    return EffectRunner(
        flow=f.Flow(settings=settings, new_key=lambda: next(keys)),
        server=server,
        printer=printer,
        speaker=speaker,
        desk=desk,
        offline_numbers=2 if desk is not None else 0,
        new_key=lambda: next(keys),
        clock=clock or server.now,
    )


@asynccontextmanager
async def running(
    url: str = NOWHERE, token: str = "t", **parts: Any
) -> AsyncIterator[EffectRunner]:
    """A runner on this loop with a real client for `url`; its tasks stop when the test is done."""
    server = ServerClient(base_url=url, token=token)
    runner = runner_for(server, **parts)
    try:
        yield runner
    finally:
        runner.stop()
        await server.close()


async def until(condition: Callable[[], object], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def test_a_walk_in_is_checked_in_at_the_server_and_printed(
    live_server: LiveServer, tmp_path: Path
) -> None:
    emulator = Emulator(out_dir=tmp_path / "printer", port=0).start()
    printer = KioskPrinter(address=emulator.address, paper_mm=80)

    async def visit() -> f.KioskState:
        async with running(live_server.url, live_server.tokens["kiosk"], printer=printer) as runner:
            runner.send(f.ChangeLanguage("en"))
            runner.send(f.StartWalkIn())
            await until(lambda: runner.flow.state.walk_in_possible, "the errands")
            runner.send(f.ChooseService("pass"))
            await until(lambda: runner.flow.state.print_state == "printed", "the printed ticket")
            return runner.flow.state

    try:
        state = asyncio.run(visit())
        (printed,) = emulator.wait_for_tickets(1, timeout=10)
    finally:
        emulator.stop()
    assert state.screen == "ticket" and state.ticket is not None
    assert state.ticket.number in printed.text
    assert printed.qr == [state.ticket.status_url]
    assert "People ahead of you: 0" in printed.text


def test_a_printer_out_of_paper_shows_the_ticket_and_the_banner(
    live_server: LiveServer, tmp_path: Path
) -> None:
    emulator = Emulator(
        out_dir=tmp_path / "printer", port=0, status=EmulatedStatus.PAPER_OUT
    ).start()
    printer = KioskPrinter(address=emulator.address, paper_mm=80)

    async def visit() -> tuple[f.KioskState, bool]:
        async with running(live_server.url, live_server.tokens["kiosk"], printer=printer) as runner:
            runner.send(f.StartWalkIn())
            await until(lambda: runner.flow.state.walk_in_possible, "the errands")
            runner.send(f.ChooseService("ausweis"))
            await until(lambda: runner.flow.state.print_state == "failed", "the failed print")
            return runner.flow.state, runner.printer_away

    try:
        state, away = asyncio.run(visit())
    finally:
        emulator.stop()
    assert state.screen == "ticket" and away
    assert chrome(state, printer_away=away).banner.startswith("Drucker nicht bereit")


def test_while_the_server_is_away_a_leased_number_is_issued_and_the_errands_stay(
    tmp_path: Path,
) -> None:
    desk = desk_with_lease(tmp_path)
    desk.take_services(
        f.ServicesLoaded(
            office=f.Office(name="Bürgeramt"),
            services=(f.Service(id="ausweis", names={"de": "Personalausweis"}),),
        )
    )

    async def visit() -> f.KioskState:
        async with running(desk=desk, clock=lambda: NOW) as runner:
            runner.on_status(False)
            runner.send(f.StartWalkIn())
            await until(lambda: runner.flow.state.walk_in_possible, "the errands from the file")
            runner.send(f.ChooseService("ausweis"))
            await until(lambda: runner.flow.state.screen == "ticket", "the offline ticket")
            return runner.flow.state

    state = asyncio.run(visit())
    assert state.ticket is not None and state.ticket.offline
    assert state.ticket.number == "A001" and not state.server_up
    assert [e.number for e in OfflineDesk(desk.path).outbox] == ["A001"], "on disk before shown"


def test_a_scan_without_server_or_desk_says_the_server_is_unreachable() -> None:
    async def visit() -> f.KioskState:
        async with running() as runner:
            wedge = ScannerWedge(on_scan=lambda text: runner.send(f.Scanned(text)))
            wedge.text_input("a-long-appointment-token-from-a-qr-code")
            wedge.key_down(13)
            await until(lambda: runner.flow.state.screen == "outcome", "the outcome")
            return runner.flow.state

    state = asyncio.run(visit())
    assert state.outcome is not None and state.outcome.code == "server_unreachable"
    assert state.outcome.was_appointment


def test_the_screen_is_read_aloud_in_the_visitor_language(tmp_path: Path) -> None:
    spoken = tmp_path / "spoken.txt"
    espeak = tmp_path / "espeak-ng"
    espeak.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> {spoken}\necho >> {spoken}\n')
    espeak.chmod(espeak.stat().st_mode | stat.S_IEXEC)

    async def visit() -> None:
        async with running(speaker=Speaker(executable=str(espeak))) as runner:
            runner.say("Ihre Nummer: A042.", lang="uk")
            await until(lambda: spoken.exists() and spoken.read_text().endswith("\n"), "speech")

    asyncio.run(visit())
    words = spoken.read_text().strip().split("|")
    assert words[:2] == ["-v", "uk"] and words[-2] == "Ihre Nummer: A042."


def test_the_printed_words_come_from_the_ticket_and_the_errand_list() -> None:
    runner = runner_for(ServerClient(base_url=NOWHERE, token="t"))
    runner.send(
        f.ServicesLoaded(
            office=f.Office(name="Bürgeramt", timezone="Europe/Berlin"),
            services=(f.Service(id="pass", names={"de": "Reisepass", "ar": "جواز السفر"}),),
        )
    )
    ticket = f.Ticket(id="t", number="P007", service_id="pass", position=9, ahead=2, eta_min=20,
                      status_url="http://h/t/x", created_at="2026-12-01T08:05:00+00:00")  # fmt: skip
    content = runner.ticket_content(f.PrintTicket(ticket=ticket, lang="ar"))
    assert (content.errand, content.errand_de) == ("جواز السفر", "Reisepass")
    assert content.people_ahead == 2 and content.issued_at.strftime("%H:%M") == "09:05"
    unknown = runner.ticket_content(f.PrintTicket(ticket=f.Ticket("t", "X001", "gone"), lang="de"))
    assert unknown.errand == "gone" and unknown.issued_at.tzinfo is not None
    assert unknown.issued_at <= datetime.now(UTC)
