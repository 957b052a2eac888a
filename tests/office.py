"""Steps of an office day that several tests take against the real server: book, check in, open the clerk page."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import LiveServer

DAY = "2026-12-01"  # a Tuesday; the fixtures' clock starts at 09:00 local


def book(server: LiveServer, service_id: str, at: str, contact: dict[str, str] | None = None) -> dict[str, Any]:
    """Book the first free slot of `service_id` at or after `at` (HH:MM) on DAY."""
    with server.client("booking") as booking:
        slots = booking.get("/api/v1/slots", params={"service_id": service_id, "date": DAY}).json()["slots"]
        start = next(s["start"] for s in slots if s["start"][11:16] >= at)
        answer = booking.post("/api/v1/appointments", json={"service_id": service_id, "start": start, "contact": contact})
    assert answer.status_code == 201, answer.text
    appointment: dict[str, Any] = answer.json()["appointment"]
    return appointment


def check_in(server: LiveServer, **body: str) -> dict[str, Any]:
    """A check-in at the kiosk (walk-in by `service_id`, or `appointment_code`); the new ticket."""
    with server.client("kiosk") as kiosk:
        answer = kiosk.post("/api/v1/checkins", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    ticket: dict[str, Any] = answer.json()["ticket"]
    return ticket


def call_next(server: LiveServer, counter: str = "1") -> dict[str, Any]:
    """Counter `counter` opens and calls Next; the ticket it called."""
    with server.client(f"counter:{counter}") as desk:
        desk.post(f"/api/v1/counters/{counter}/state", json={"state": "open"})
        answer = desk.post(f"/api/v1/counters/{counter}/next")
    assert answer.status_code == 200, answer.text
    ticket: dict[str, Any] = answer.json()["ticket"]
    return ticket


def ticket_action(server: LiveServer, ticket_id: str, action: str, counter: str = "1") -> None:
    """A clerk's action (`recall`, `start`, `no_show`, ...) on a ticket at counter `counter`."""
    with server.client(f"counter:{counter}") as desk:
        answer = desk.post(f"/api/v1/tickets/{ticket_id}/{action}")
    assert answer.status_code == 200, answer.text


def clerk_page(chromium: Any, server: LiveServer, device: str, *, width: int = 1920, height: int = 1080,
               requests: list[str] | None = None) -> tuple[Any, list[str]]:
    """The clerk page of `device` (`counter:N`), connected; and the list its script errors land in."""
    page = chromium.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    if requests is not None:
        page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server.url}/clerk?token={server.tokens[device]}")
    page.wait_for_selector(".conn:not(.down)")
    return page, problems
