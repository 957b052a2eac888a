"""Kiosk runs for the tests, one per process (Kivy has one window per process).

    python -m tests.kiosk.scenarios NAME ARGS_JSON RESULT_JSON

The test starts this, then reads RESULT_JSON. Taps go through the real window;
the server is the real one the test started.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk import flow as f
from kiosk.config import KioskConfig
from kiosk.testing import Driver, run_scenario

OFFICE = f.Office(
    name="Bürgeramt Musterstadt", walk_in_until="2026-12-01T15:30:00+01:00", open_now=True
)


def demo_services() -> tuple[f.Service, ...]:
    """The demo office's errands with a realistic morning's waiting counts."""
    names = {
        "ausweis": ("Personalausweis", "بطاقة الهوية"),
        "anmeldung": ("Anmeldung / Ummeldung", "تسجيل السكن"),
        "pass": ("Reisepass", "جواز السفر"),
        "abholung": ("Abholung Ausweis / Pass", "استلام الهوية / جواز السفر"),
        "bescheinigung": ("Führungszeugnis / Meldebescheinigung", "شهادة حسن السيرة / شهادة السكن"),
        "sonstiges": ("Sonstiges", "أمور أخرى"),
    }
    load = {"ausweis": (4, 35), "anmeldung": (7, 50), "pass": (1, 10), "abholung": (0, 0),
            "sonstiges": (2, 15)}  # fmt: skip
    services = []
    for sid, (de, ar) in names.items():
        waiting, eta = load.get(sid, (0, None))
        services.append(
            f.Service(
                id=sid,
                names={"de": de, "ar": ar, "en": de},
                waiting=waiting,
                eta_min=eta,
                available=sid != "bescheinigung",
                unavailable_reason=None if sid != "bescheinigung" else "daily_cap_reached",
            )
        )
    return tuple(services)


TICKET = f.Ticket(
    id="t1",
    number="A042",
    service_id="anmeldung",
    position=8,
    ahead=4,
    eta_min=35,
    status_url="http://127.0.0.1:8000/t/Xk3v9QpL2mN8",
)
OFFLINE_TICKET = f.Ticket(
    id="offline:l1",
    number="P017",
    service_id="pass",
    status_url="http://127.0.0.1:8000/t/Qw7eR4tY1uI0",
    offline=True,
)


class HeldServer:
    """Stands in for the server in the screenshot run: the scenario decides each answer.

    Screens are rendered from what the real client would hand the flow, so every
    outcome can be shown, including those the server cannot produce yet.
    """

    def __init__(self, services: tuple[f.Service, ...] | None = None) -> None:
        self.answer: asyncio.Future[Any] | None = None
        self.clock_offset = timedelta(0)
        self.checkins = 0
        self._services = services

    async def services(self) -> f.ServicesLoaded:
        return f.ServicesLoaded(office=OFFICE, services=self._services or demo_services())

    async def check_in(self, *, idempotency_key: str, request: f.CheckinRequest) -> Any:
        self.checkins += 1
        self.answer = asyncio.get_running_loop().create_future()
        return await self.answer

    async def watch(self, *, on_event: Any, on_status: Any) -> None:
        on_status(True)

    async def close(self) -> None:
        return None

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def reply(self, driver: Driver, event: Any) -> None:
        await driver.until(lambda: self.answer is not None, what="a check-in")
        assert self.answer is not None
        self.answer.set_result(event)
        self.answer = None


async def _show(driver: Driver, out: Path, name: str, problems: dict[str, list[str]]) -> None:
    await driver.drawn(3)
    driver.screenshot(out / f"{name}.png")
    problems[name] = driver.overflowing_labels()


async def screens(driver: Driver, args: dict[str, Any]) -> dict[str, Any]:
    """Every screen, by feeding the flow the events a visit produces."""
    out = Path(args["out"])
    mode = args["mode"]
    app = driver.app
    server: HeldServer = app.server
    problems: dict[str, list[str]] = {}
    await driver.until(lambda: driver.state.walk_in_possible, what="services")
    if mode == "ar":
        await driver.tap(driver.find(action="lang:ar"))
    if mode == "a11y":
        await driver.tap(driver.find(action="accessibility"))
    await _show(driver, out, f"{mode}-01-start", problems)
    await driver.tap(driver.find(choice_id="walk_in"))
    await driver.screen("services")
    await _show(driver, out, f"{mode}-02-services", problems)
    await driver.tap(driver.find(choice_id="anmeldung"))
    await driver.screen("busy")
    await _show(driver, out, f"{mode}-03-busy", problems)
    await server.reply(driver, f.CheckinSucceeded(TICKET))
    await driver.screen("ticket")
    await _show(driver, out, f"{mode}-04-ticket", problems)
    await driver.tap(driver.find(action="home"))
    await driver.tap(driver.find(choice_id="appointment"))
    await driver.screen("appointment")
    for key in "K7M2":
        await driver.tap(driver.find(key=key))
    await _show(driver, out, f"{mode}-05-appointment", problems)
    outcomes = [
        ("appointment_too_early", {"start": "2026-12-01T10:30:00+01:00",
                                   "checkin_from": "2026-12-01T10:15:00+01:00"}),
        ("appointment_too_late", {"start": "2026-12-01T08:30:00+01:00"}),
        ("appointment_unknown", {}),
        ("appointment_cancelled", {}),
        ("appointment_already_checked_in", {"ticket": {"number": "T007"}}),
        ("daily_cap_reached", {}),
        ("server_unreachable", {}),
    ]  # fmt: skip
    for index, (code, details) in enumerate(outcomes, start=6):
        await driver.tap(driver.find(action="submit_code"))
        await driver.screen("busy")
        if code == "server_unreachable":
            await server.reply(driver, f.ServerUnreachable())
        else:
            await server.reply(driver, f.CheckinFailed(code=code, details=details))
        await driver.screen("outcome")
        await _show(driver, out, f"{mode}-{index:02d}-outcome-{code}", problems)
        app.send(f.Home())
        app.send(f.StartAppointment())
        app.send(f.KeypadPress("K"))
        await driver.screen("appointment")
    # a ticket the kiosk issued from a leased number while the server was away
    app.send(f.Home())
    app.send(f.ServerStatus(reachable=False))
    app.send(f.StartWalkIn())
    app.send(f.ChooseService("pass"))
    app.send(f.CheckinSucceeded(OFFLINE_TICKET))
    await driver.screen("ticket")
    await _show(driver, out, f"{mode}-13-ticket-offline", problems)
    return {"problems": problems}


async def walk_in(driver: Driver, args: dict[str, Any]) -> dict[str, Any]:
    """Two taps to a ticket against the real server; the second tap is a double tap."""
    await driver.until(lambda: driver.state.walk_in_possible, what="services from the server")
    await driver.drawn(2)
    await driver.tap(driver.find(choice_id="walk_in"))
    await driver.screen("services")
    await driver.tap(driver.find(choice_id=args["service_id"]), times=2)
    await driver.screen("ticket")
    driver.screenshot(Path(args["out"]) / "live-walk-in-ticket.png")
    ticket = driver.state.ticket
    shown = driver.app.root.ids.screens.get_screen("ticket").view
    return {
        "number": ticket.number,
        "status_url": ticket.status_url,
        "shown_number": shown.number,
        "lines": list(shown.lines),
    }


async def appointment(driver: Driver, args: dict[str, Any]) -> dict[str, Any]:
    """A booked visitor: code on the keypad, then a scan on the start screen, then walk-in."""
    await driver.until(lambda: driver.state.server_up, what="the server")
    await driver.drawn(2)
    await driver.tap(driver.find(choice_id="appointment"))
    await driver.screen("appointment")
    for key in args["code"]:
        await driver.tap(driver.find(key=key))
    await driver.tap(driver.find(action="submit_code"))
    await driver.screen("outcome")
    typed = driver.state.outcome.code
    driver.screenshot(Path(args["out"]) / "live-appointment-code-outcome.png")
    await driver.tap(driver.find(action="home"))
    await driver.screen("start")
    await driver.type_scan(args["scan"])
    await driver.screen("outcome")
    scanned = driver.state.outcome.code
    driver.screenshot(Path(args["out"]) / "live-appointment-scan-outcome.png")
    ticket = None
    if any(getattr(w, "action", None) == "walk_in" for w in driver.widgets()):
        await driver.tap(driver.find(action="walk_in"))
        await driver.screen("services")
        await driver.tap(driver.find(choice_id=args["service_id"]))
        await driver.screen("ticket")
        ticket = driver.state.ticket.number
    return {"typed": typed, "scanned": scanned, "walk_in_ticket": ticket}


async def outage(driver: Driver, args: dict[str, Any]) -> dict[str, Any]:
    """The server goes away mid-morning and comes back; the test stops and starts it.

    Walk-ins and a booked visitor get tickets from leased numbers meanwhile, and the
    outbox reaches the server once it is back.
    """
    out, signals, app = Path(args["out"]), Path(args["signals"]), driver.app
    await driver.until(lambda: app.desk.lease is not None and app.desk.keys, what="a lease")
    await _signal(signals, "leased", {"numbers": [n.number for n in app.desk.lease.numbers]})
    await _wait_for(signals / "server-stopped.json")
    await driver.until(lambda: not driver.state.server_up, what="the outage noticed", timeout=30)
    await driver.drawn(3)
    banner = app.root.ids.banner.raw
    driver.screenshot(out / "outage-start.png")
    await driver.tap(driver.find(choice_id="walk_in"))
    await driver.screen("services")
    await driver.tap(driver.find(choice_id=args["service_id"]), times=2)
    await driver.screen("ticket")
    await driver.drawn(3)
    driver.screenshot(out / "outage-ticket.png")
    walk_in = driver.state.ticket
    lines = list(app.root.ids.screens.get_screen("ticket").view.lines)
    await driver.tap(driver.find(action="home"))
    await driver.screen("start")
    await driver.type_scan(args["token_qr"])
    await driver.screen("ticket")
    booked = driver.state.ticket
    await driver.tap(driver.find(action="home"))
    await driver.type_scan(args["token_qr"])  # the same QR code again
    await driver.screen("outcome")
    again = driver.state.outcome.code
    issued = {"walk_in": walk_in.number, "booked": booked.number, "booked_kind": booked.kind}
    await _signal(signals, "issued", issued)
    await _wait_for(signals / "server-started.json")
    await driver.until(lambda: not app.desk.outbox, what="the outbox handed in", timeout=60)
    return {
        **issued,
        "banner": banner,
        "lines": lines,
        "walk_in_status_url": walk_in.status_url,
        "again": again,
        "server_up": driver.state.server_up,
    }


async def _signal(folder: Path, name: str, data: dict[str, Any]) -> None:
    (folder / f"{name}.json").write_text(json.dumps(data))


async def _wait_for(path: Path, timeout: float = 60.0) -> None:
    waited = 0.0
    while not path.exists():
        if waited > timeout:
            raise TimeoutError(f"no {path.name} from the test")
        await asyncio.sleep(0.1)
        waited += 0.1


async def offline(driver: Driver, args: dict[str, Any]) -> dict[str, Any]:
    """No server: a calm banner, walk-in not offered, a check-in attempt says what to do."""
    await driver.drawn(3)
    banner = driver.app.root.ids.banner.raw
    walk_in_enabled = not driver.find(choice_id="walk_in").disabled
    driver.screenshot(Path(args["out"]) / "offline-start.png")
    await driver.type_scan("a-long-appointment-token-from-a-qr-code")
    await driver.screen("outcome")
    driver.screenshot(Path(args["out"]) / "offline-outcome.png")
    return {
        "banner": banner,
        "walk_in_enabled": walk_in_enabled,
        "outcome": driver.state.outcome.code,
        "actions": [a.action for a in driver.app.root.ids.screens.current_screen.view.actions],
    }


SCENARIOS = {
    "screens": screens,
    "walk_in": walk_in,
    "appointment": appointment,
    "offline": offline,
    "outage": outage,
}


def main() -> None:
    name, raw_args, result_path = sys.argv[1:4]
    args = json.loads(raw_args)
    config = KioskConfig(
        server=args.get("server", "http://127.0.0.1:9"),
        token=args.get("token", "unused"),
        width=args.get("width", 720),
        height=args.get("height", 1280),
        state_dir=str(Path(result_path).parent / "kiosk-state"),
    )
    parts: dict[str, Any] = {"speaker": None}
    from tests.kiosk import scenarios_ticket

    if name == "screens":
        parts["server"] = HeldServer()
        parts["desk"] = None
    if name in scenarios_ticket.SCENARIOS:
        parts["server"] = HeldServer(scenarios_ticket.services_for(name))
        parts["desk"] = None
    scenario = {**SCENARIOS, **scenarios_ticket.SCENARIOS}[name]
    result = run_scenario(config, lambda driver: scenario(driver, args), **parts)
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
