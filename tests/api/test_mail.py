"""E-mail through a real SMTP server on loopback (aiosmtpd): what arrives, and the outbox's promise.

Every message exactly once after a killed server and a mail server that was down;
a bad `[mail]` refused at start; the clerks' calendar feeds.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from bench.harness import free_port
from tests.api.test_booking_site_http import LOOSE, book, counters_free, first_free
from tests.conftest import LiveServer, ServerFactory

CODE = re.compile(r'class="code"><bdi dir="ltr">([^<]+)</bdi>')


class Inbox:
    """What the SMTP server accepted, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} mails arrived"
            time.sleep(0.1)
        return self.messages


class MailServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self, extra: str = "") -> str:
        return (f'\n[mail]\nhost = "127.0.0.1"\nport = {self.port}\nstarttls = false\n'
                f'from = "Bürgeramt Musterstadt <termine@example.org>"\n{extra}')


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.stop()


def with_public_url(text: str) -> str:
    """office.toml with `[office] public_url`, which the booking mails' links start with."""
    return text.replace('public_url = ""', 'public_url = "http://127.0.0.1"')


def _server(server_factory: ServerFactory, mail: MailServer, extra: str = "") -> LiveServer:
    return server_factory(edit_config=lambda t: with_public_url(t) + LOOSE + mail.config(extra))


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        content = part.get_content()
        found[str(part.get_filename())] = content if isinstance(content, bytes) else content.encode()
    return found


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_confirmation_with_ics_and_qr_then_the_cancellation(server_factory: ServerFactory, mail: MailServer) -> None:
    mail.start()
    server = _server(server_factory, mail)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        booked = book(client, first_free(client), email="erika@example.org")
        manage = booked.headers["location"].split("?")[0]
        page = client.get(booked.headers["location"]).text
        assert "Wir haben Ihnen eine Bestätigung per E-Mail geschickt" in page
        assert "verschickt keine E-Mails" not in page
        code = CODE.findall(page)[0]
        confirmation = mail.inbox.wait_for(1)[0]
        assert confirmation["To"] == "erika@example.org" and "Terminbestätigung" in confirmation["Subject"]
        text = _text(confirmation)
        assert code in text and "Guten Tag Erika Muster" in text and manage in text
        files = _attachments(confirmation)
        assert files["qr-code.png"].startswith(b"\x89PNG")
        event = Calendar.from_ical(files["termin.ics"]).walk("VEVENT")[0]
        assert code in str(event["description"])
        assert client.post(manage + "/cancel", data={"lang": "de"}).status_code == 303
        cancellation = mail.inbox.wait_for(2)[1]
        assert "Termin abgesagt" in cancellation["Subject"] and code in _text(cancellation)
        assert not list(cancellation.iter_attachments())


def test_the_booking_language_is_the_mail_language(server_factory: ServerFactory, mail: MailServer) -> None:
    mail.start()
    server = _server(server_factory, mail)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        start = first_free(client)
        client.post("/book/ausweis/details", data={"start": start, "name": "Amal", "email": "a@example.org",
                                                   "lang": "ar"})
    message = mail.inbox.wait_for(1)[0]
    assert "تأكيد الموعد" in message["Subject"] and message["Content-Language"] == "ar"


def test_the_waiting_list_offer_arrives_with_its_link(server_factory: ServerFactory, mail: MailServer) -> None:
    mail.start()
    server = _server(server_factory, mail)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        start = first_free(client, "pass")
        for _ in range(counters_free(server, "pass", start)):
            booked = book(client, start, service="pass")  # no e-mail: no confirmation
        client.post("/book/pass/waitlist", data={"email": "wait@example.org", "lang": "en"})
        assert client.post(booked.headers["location"].split("?")[0] + "/cancel",
                           data={"lang": "de"}).status_code == 303
        offer = mail.inbox.wait_for(1)[0]
        assert offer["To"] == "wait@example.org" and "An earlier time is free" in offer["Subject"]
        link = re.findall(r"https?://\S+/book/offer/\S+|/book/offer/\S+", _text(offer))[0]
        path = link[link.index("/book/offer/"):]
        assert "An earlier time is free" in client.get(path, params={"lang": "en"}).text


def _outbox(server: LiveServer) -> list[tuple[str, str]]:
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        return conn.execute("SELECT kind, status FROM mail_outbox ORDER BY created_at").fetchall()


def _wait_until_each_was_tried(server: LiveServer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(server.data_dir / "townhall.db") as conn:
            if (conn.execute("SELECT min(attempts) FROM mail_outbox").fetchone()[0] or 0) >= 1:
                return
        time.sleep(0.2)
    raise AssertionError("the sender never tried the outbox")


def test_every_message_exactly_once_after_a_killed_server_and_a_mail_server_down(
    server_factory: ServerFactory, mail: MailServer,
) -> None:
    server = _server(server_factory, mail)  # the mail server is not running yet
    with httpx.Client(base_url=server.url, timeout=30) as client:
        starts = re.findall(r'name="start" value="([^"]+)"', client.get("/book/ausweis").text)[:3]
        for n, start in enumerate(starts):
            assert book(client, start, email=f"p{n}@example.org").status_code == 303
    _wait_until_each_was_tried(server)  # the sender tries and fails, backing off
    server.kill()
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        # a try cut off by the kill, as if the server died while talking to the mail server
        conn.execute("UPDATE mail_outbox SET status = 'sending' WHERE rowid = (SELECT min(rowid) FROM mail_outbox)")
    server.start()
    time.sleep(1.5)
    assert {status for _, status in _outbox(server)} <= {"pending", "sending"}
    mail.start()
    arrived = mail.inbox.wait_for(3, timeout=40)
    time.sleep(3)  # nothing more comes
    assert len(arrived) == 3
    assert sorted(m["To"] for m in arrived) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    assert len({m["Message-ID"] for m in arrived}) == 3
    assert [status for _, status in _outbox(server)] == ["sent"] * 3


@pytest.mark.parametrize(("mail_table", "says"), [
    ('[mail]\nhost = "127.0.0.1"\n', "mail.from: is missing"),
    ('[mail]\nhost = "127.0.0.1"\nfrom = "nobody"\n', "mail.from: 'nobody' is not an e-mail address"),
    ('[mail]\nhost = "127.0.0.1"\nfrom = "a@b.de"\nusername = "u"\npassword_file = "missing.txt"\n',
     "mail.password_file: cannot read"),
    ('[mail]\nhost = "127.0.0.1"\nfrom = "a@b.de"\nusername = "u"\n', "mail.password: a username needs a password"),
    ('[mail]\nhost = "127.0.0.1"\nfrom = "a@b.de"\nport = 0\n', "mail.port: must be 1-65535"),
    ('[mail]\nhost = "127.0.0.1"\nfrom = "a@b.de"\nsmtp = "x"\n', "mail.smtp: unknown setting"),
])
def test_a_bad_mail_section_is_refused_at_start(server_factory: ServerFactory, mail_table: str, says: str) -> None:
    server = server_factory(start=False, edit_config=lambda t: t + "\n" + mail_table)
    with pytest.raises(RuntimeError, match="server exited"):
        server.start()
    assert says in server.log_path.read_text()


def test_a_password_file_is_read_and_the_login_used(server_factory: ServerFactory, mail: MailServer) -> None:
    mail.start()
    server = server_factory(start=False, edit_config=lambda t: with_public_url(t) + LOOSE + mail.config(
        'username = "termine"\npassword_file = "smtp-password"\n'))
    (server.data_dir / "smtp-password").write_text("geheim\n")
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        book(client, first_free(client), email="erika@example.org")
    # the loopback server offers no AUTH: the login is tried, refused, and the row waits for a retry
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with sqlite3.connect(server.data_dir / "townhall.db") as conn:
            row = conn.execute("SELECT attempts, last_error FROM mail_outbox").fetchone()
        if row and row[0] >= 1 and row[1]:
            break
        time.sleep(0.2)
    assert row[1] and "auth" in row[1].lower()
    assert "geheim" not in server.log_path.read_text()


def _feed(server: LiveServer, path: str, token: str) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", params={"token": token}, timeout=30)


def test_the_clerks_calendar_feeds(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=lambda t: t + LOOSE)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        booked = book(client, first_free(client), name="Erika Geheim", email="erika@example.org")
        code = CODE.findall(client.get(booked.headers["location"]).text)[0]
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        counter_id = conn.execute("SELECT counter_id FROM appointments").fetchone()[0]
    office = _feed(server, "/api/v1/calendar/office.ics", server.tokens["counter:1"])
    assert office.status_code == 200 and office.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(office.content).walk("VEVENT")
    assert len(events) == 1 and code in str(events[0]["summary"])
    assert "Erika" not in office.text and "erika@" not in office.text
    admin = _feed(server, f"/api/v1/calendar/counters/{counter_id}.ics", server.tokens["admin"])
    assert admin.status_code == 200 and code in admin.text
    other = "2" if counter_id != "2" else "3"
    assert _feed(server, f"/api/v1/calendar/counters/{other}.ics", server.tokens["admin"]).status_code == 200
    assert code not in _feed(server, f"/api/v1/calendar/counters/{other}.ics", server.tokens["admin"]).text
    assert _feed(server, "/api/v1/calendar/counters/nope.ics", server.tokens["admin"]).status_code == 404
    own = server.tokens["counter:1"]
    assert _feed(server, "/api/v1/calendar/counters/2.ics", own).status_code == 403
    assert _feed(server, "/api/v1/calendar/office.ics", server.tokens["kiosk"]).status_code == 403
    assert _feed(server, "/api/v1/calendar/office.ics", "thq_wrong").status_code == 401
    assert httpx.get(f"{server.url}/api/v1/calendar/office.ics").status_code == 401
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        conn.execute("UPDATE devices SET revoked_at = '2026-12-01T09:00:00+00:00' WHERE role = 'counter'")
    time.sleep(1.2)  # the device cache answers for at most a second
    assert _feed(server, "/api/v1/calendar/office.ics", own).status_code == 401


def test_the_feed_names_the_booker_only_when_the_office_says_so(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=lambda t: t + LOOSE + "calendar_contact = true\n")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        book(client, first_free(client), name="Erika Genannt", email="erika@example.org")
    feed = _feed(server, "/api/v1/calendar/office.ics", server.tokens["admin"])
    assert "Erika Genannt" in feed.text and "erika@example.org" not in feed.text
