"""A morning at the demo office through the real API, with contact data on the bookings."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer

CONTACTS = [
    {"name": "Erika Mustermann", "email": "erika.mustermann@example.org", "phone": "+49 170 5550123"},
    {"name": "Hakan Yılmaz", "email": "hakan.yilmaz@example.net", "phone": "+49 151 5550987"},
]


def run_morning(server: LiveServer) -> dict[str, Any]:
    """Bookings with contacts checked in by code, walk-ins, counter 1 serving; the secrets used."""
    secrets: list[str] = []
    with server.client("booking") as booking, server.client("kiosk") as kiosk, \
            server.client("counter:1") as counter:
        # open before anyone arrives: with no counter open a ticket is told no estimate to measure
        counter.post("/api/v1/counters/1/state", json={"state": "open"})
        slots = booking.get("/api/v1/slots", params={"service_id": "ausweis", "date": "2026-12-01"}).json()
        starts = [slots["slots"][0]["start"]] * 2  # the first slot has room for several
        for start, contact in zip(starts, CONTACTS, strict=False):
            answer = booking.post("/api/v1/appointments", json={
                "service_id": "ausweis", "start": start, "contact": contact}).json()
            code = answer["appointment"]["code"]
            secrets += [*contact.values(), code]
            kiosk.post("/api/v1/checkins", json={"appointment_code": code})
        for _ in range(6):
            kiosk.post("/api/v1/checkins", json={"service_id": "pass"})
        served = 0
        for _ in range(5):
            called = counter.post("/api/v1/counters/1/next", params={"previous": "done"})
            if called.status_code != 200 or not called.json().get("ticket"):
                break
            ticket = called.json()["ticket"]
            counter.post(f"/api/v1/tickets/{ticket['id']}/start")
            counter.post(f"/api/v1/tickets/{ticket['id']}/finish")
            served += 1
    return {"secrets": secrets, "served": served}
