"""Kiosk runs for the ticket screen, the errand pages and a one-errand office (see scenarios.py).

The server is `HeldServer`: each check-in is answered with what the real client
would hand the flow, so a ticket printed by the print agent, one nobody prints and
one before the counters open can each be shown.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from kiosk import flow as f
from kiosk.testing import Driver
from tests.kiosk.scenarios import TICKET, demo_services

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def services_for(name: str) -> tuple[f.Service, ...] | None:
    if name == "one_errand":
        return (f.Service(id="pass", names={"de": "Reisepass", "en": "Passport"}, waiting=2, eta_min=15),)
    if name == "paging":
        return tuple(
            f.Service(id=f"e{i}", names={"de": f"Anliegen Nummer {i}"}, waiting=i % 3, eta_min=5 * i)
            for i in range(1, 15)
        )
    return None


def _ticket_screen(driver: Driver) -> Any:
    return driver.app.root.ids.screens.get_screen("ticket")


async def _walk_in(driver: Driver, ticket: f.Ticket) -> None:
    app = driver.app
    await driver.tap(driver.find(choice_id="walk_in"))
    await driver.screen("services")
    await driver.tap(driver.find(choice_id=ticket.service_id))
    await driver.screen("busy")
    await app.server.reply(driver, f.CheckinSucceeded(ticket))
    await driver.screen("ticket")
    await driver.drawn(3)


async def _seen(driver: Driver, name: str) -> dict[str, Any]:
    driver.screenshot(ARTIFACTS / f"{name}.png")
    screen = _ticket_screen(driver)
    return {
        "lines": list(screen.view.lines),
        "qr": list(screen.ids.qr.size),
        "problems": driver.overflowing_labels(),
    }


async def _home(driver: Driver) -> None:
    await driver.tap(driver.find(action="home"))
    await driver.screen("start")


async def ticket_print(driver: Driver, args: dict[str, Any]) -> dict[str, Any]:
    """A ticket the print agent prints, one nobody prints (also in large text), one before opening."""
    await driver.until(lambda: driver.state.walk_in_possible, what="services")
    seen: dict[str, Any] = {"short_side": min(driver.window.size)}
    await _walk_in(driver, replace(TICKET, print_job=True))
    seen["printed"] = await _seen(driver, "kiosk-ticket-printed")
    await _home(driver)
    await _walk_in(driver, TICKET)
    seen["not_printed"] = await _seen(driver, "kiosk-ticket-not-printed")
    await driver.tap(driver.find(action="accessibility"))
    await driver.drawn(3)
    seen["large_text"] = await _seen(driver, "kiosk-ticket-not-printed-large-text")
    await _home(driver)
    closed = replace(TICKET, print_job=True, eta_min=None, eta_reason="no_counter_open",
                     opens_at="2026-12-01T08:00:00+01:00")  # fmt: skip
    await _walk_in(driver, closed)
    seen["counters_closed"] = await _seen(driver, "kiosk-ticket-counters-closed")
    return seen


async def paging(driver: Driver, args: dict[str, Any]) -> dict[str, Any]:
    """Large text: the errands on pages; each page's paging button, and where it leads."""
    await driver.until(lambda: driver.state.walk_in_possible, what="services")
    await driver.tap(driver.find(action="accessibility"))
    await driver.tap(driver.find(choice_id="walk_in"))
    await driver.screen("services")
    pages: list[dict[str, Any]] = []
    for index in range(6):
        more = driver.find(choice_id="more")
        shown = [w.choice_id for w in driver.widgets() if getattr(w, "kind", None) == "service"]
        pages.append({"title": more.title, "detail": more.detail, "symbol": more.symbol, "errands": shown})
        driver.screenshot(ARTIFACTS / "kiosk" / f"paging-{index + 1}.png")
        await driver.tap(more)
        await driver.drawn(3)
        if more.title != "Weitere Anliegen":
            break
    first_again = [w.choice_id for w in driver.widgets() if getattr(w, "kind", None) == "service"]
    return {"pages": pages, "after_last": first_again}


async def one_errand(driver: Driver, args: dict[str, Any]) -> dict[str, Any]:
    """An office with one errand: the walk-in button itself gives the ticket."""
    app = driver.app
    await driver.until(lambda: driver.state.walk_in_possible, what="services")
    screens = [driver.state.screen]
    await driver.tap(driver.find(choice_id="walk_in"))
    await driver.until(lambda: driver.state.screen != "start", what="the tap")
    screens.append(driver.state.screen)
    await app.server.reply(driver, f.CheckinSucceeded(replace(TICKET, service_id="pass", number="P007")))
    await driver.screen("ticket")
    driver.screenshot(ARTIFACTS / "kiosk" / "one-errand-ticket.png")
    return {"screens": screens, "checkins": app.server.checkins, "number": driver.state.ticket.number}


SCENARIOS = {"ticket_print": ticket_print, "paging": paging, "one_errand": one_errand}
__all__ = ["SCENARIOS", "demo_services", "services_for"]
