"""The reminder `[mail] reminder_hours` before a booked time: sent once, at the right time, by the
running server's housekeeping on the office clock (`--clock`), and not again after a restart.
A booking made inside the window gets none (its confirmation is fresh)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.api.test_booking_site_http import LOOSE, book
from tests.api.test_mail import MailServer, with_public_url
from tests.conftest import LiveServer, ServerFactory

ZONE = ZoneInfo("Europe/Berlin")
HOURS = 24
EARLY_S = 40  # the server starts this long before the reminder is due
HOUSEKEEPING_S = 30  # counter_server.app.HOUSEKEEPING_S


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def free_starts(server: LiveServer, day: str) -> list[str]:
    """The free times of `day` for ausweis, as local `YYYY-MM-DDTHH:MM`."""
    slots = httpx.get(f"{server.url}/api/v1/slots", params={"service_id": "ausweis", "date": day},
                      headers={"Authorization": f"Bearer {server.tokens['booking']}"}, timeout=10).json()
    return [s["start"][:16] for s in slots["slots"]]


def query(server: LiveServer, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        return conn.execute(sql).fetchall()


def wait_until(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_reminder_comes_once_at_its_time_and_not_again_after_a_restart(
    server_factory: ServerFactory, mail: MailServer,
) -> None:
    server = server_factory(edit_config=lambda t: with_public_url(t) + LOOSE + mail.config(f"reminder_hours = {HOURS}\n"))
    start = free_starts(server, "2026-12-03")[0]  # two days after the clock's Tuesday 09:00
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert book(client, start, email="erika@example.org").status_code == 303
    mail.inbox.wait_for(1)  # the confirmation
    due = datetime.fromisoformat(start).replace(tzinfo=ZONE) - timedelta(hours=HOURS)

    server.stop()  # the office opens again shortly before the reminder is due
    began = time.monotonic()
    server.start(clock=(due - timedelta(seconds=EARLY_S)).strftime("%Y-%m-%dT%H:%M:%S"))
    if time.monotonic() - began < EARLY_S - 5:  # the server's clock still reads before `due`
        assert query(server, "SELECT count(*) FROM mail_outbox WHERE kind = 'reminder'") == [(0,)]
    inside = [s for s in free_starts(server, due.date().isoformat()) if s > due.strftime("%Y-%m-%dT%H:%M")][-1]
    with httpx.Client(base_url=server.url, timeout=30) as client:  # booked inside the window
        assert book(client, inside, email="max@example.org").status_code == 303

    messages = mail.inbox.wait_for(3, timeout=EARLY_S + 2 * HOUSEKEEPING_S + 30)
    reminder = messages[2]
    assert reminder["To"] == "erika@example.org" and "Erinnerung" in reminder["Subject"]
    sent_at = parsedate_to_datetime(reminder["Date"])
    assert due <= sent_at < due + timedelta(seconds=HOUSEKEEPING_S + 30)  # on the office clock
    assert {m["To"] for m in messages[1:]} == {"erika@example.org", "max@example.org"}
    wait_until(lambda: query(server, "SELECT count(*) FROM mail_reminders") == [(2,)], HOUSEKEEPING_S + 10)

    server.stop()
    server.start(clock=(due + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"))  # housekeeping ran at start
    wait_until(lambda: query(server, "SELECT count(*) FROM mail_outbox WHERE status != 'sent'") == [(0,)], 30)
    time.sleep(2)
    assert len(mail.inbox.messages) == 3
    assert query(server, "SELECT count(*) FROM mail_outbox WHERE kind = 'reminder'") == [(1,)]
