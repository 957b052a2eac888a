"""The citizen's journey through the e-mail, in headless Chromium on a phone.

Book on /book, receive the confirmation in a real SMTP server on loopback (aiosmtpd), open
the manage link the mail carries, move the time, cancel; then join the waiting list, get
the offer mail when another booking frees an earlier time, open its link and take the held
time. With and without JavaScript, in German and Arabic; axe on every page, screenshots.

axe cannot run in a tab whose scripts are off (its timers never fire), so without
JavaScript every page is checked by opening the same address in a second tab with scripts
on: the server sends the same HTML to both, scripts only improve it.
"""

from __future__ import annotations

import re
import sqlite3
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from i18n import Catalog
from tests.api.test_booking_site_http import LOOSE, book, counters_free, first_free
from tests.api.test_mail import MailServer
from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import LiveServer, ServerFactory

PHONE = {"width": 390, "height": 844}


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, kind: str) -> str:
    """The absolute link of `kind` (`manage`, `offer`) a mail carries."""
    found = re.findall(rf"http://127\.0\.0\.1:\d+/book/{kind}/[A-Za-z0-9_-]+", text_of(message))
    assert len(found) == 1, text_of(message)
    return found[0]


@pytest.fixture
def mail() -> Any:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def mail_office(server_factory: ServerFactory, mail: MailServer) -> LiveServer:
    """A server with `[mail]` and `public_url` set, so the mails carry links a browser opens."""
    server = server_factory(start=False, edit_config=lambda t: t + LOOSE + mail.config())
    config = server.data_dir / "office.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'public_url = ""', f'public_url = "{server.url}"'), encoding="utf-8")
    server.start()
    return server


class Journey:
    """One browser tab the citizen uses, and (without JavaScript) a tab with scripts for axe."""

    def __init__(self, chromium: Any, *, lang: str, javascript: bool, artifacts: Path) -> None:
        self.lang, self.javascript, self.artifacts = lang, javascript, artifacts
        self.context = chromium.new_context(viewport=PHONE, java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.checker = None if javascript else chromium.new_context(viewport=PHONE).new_page()
        self.name = f"{lang}-{'js' if javascript else 'nojs'}"

    def check(self, shot: str, ready: str) -> None:
        """axe (no serious or critical finding), the language and direction, a screenshot.

        `ready` is a selector only the expected page has: a click that submits a form or
        follows a link returns before the next page is there, and a check of the page
        being left (or of no document at all, mid-navigation) proves nothing.
        """
        self.page.wait_for_selector(ready)
        page = self.page
        if self.checker is not None:
            self.checker.goto(page.url)
            page = self.checker
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
            self.lang, "rtl" if self.lang == "ar" else "ltr"]
        assert_accessible(page)
        self.page.screenshot(path=str(self.artifacts / f"booking-mail-{self.name}-{shot}.png"), full_page=True)

    def heading(self) -> str:
        return str(self.page.locator("h1").inner_text())


def t(lang: str, key: str, **params: object) -> str:
    return Catalog(lang, "book").text(key, **params)


def book_move_cancel(journey: Journey, server: LiveServer, mail: MailServer) -> None:
    page, lang = journey.page, journey.lang
    page.goto(f"{server.url}/book?lang={lang}")
    journey.check("errands", "a.button[href^='/book/ausweis?']")
    page.locator("a.button[href^='/book/ausweis?']").click()
    journey.check("times", ".earliest button")
    page.locator(".earliest button").first.click()
    journey.check("details", "form[data-altcha] #name")
    page.locator("#name").fill("Erika Mustermann" if lang == "de" else "أمل")
    page.locator("#email").fill(f"erika-{journey.name}@example.org")
    page.locator("form[data-altcha] button[type=submit]").click()
    page.wait_for_selector(".qr img")
    assert journey.heading() == t(lang, "booked_title")
    journey.check("booked", ".qr img")
    code = page.locator(".code").inner_text()
    booked_when = page.locator(".facts dd").nth(1).inner_text()

    confirmation = mail.inbox.wait_for(1)[0]
    assert confirmation["To"] == f"erika-{journey.name}@example.org"
    assert confirmation["Content-Language"] == lang and code in text_of(confirmation)
    manage = link_in(confirmation, "manage")

    page.goto(manage)  # the link from the mail, opened later: in the booking's language
    assert journey.heading() == t(lang, "manage_title")
    journey.check("manage-from-mail", "form[action$='/cancel']")
    assert page.locator(".facts dd").nth(1).inner_text() == booked_when
    page.locator(f"a.button[href*='{manage[manage.index('/book/'):]}/move']").click()
    journey.check("move", ".earliest button")
    page.locator(".earliest button").nth(2).click()
    page.wait_for_selector(f"text={t(lang, 'moved')}")
    journey.check("moved", f"text={t(lang, 'moved')}")
    moved_when = page.locator(".facts dd").nth(1).inner_text()
    assert moved_when != booked_when
    moved = mail.inbox.wait_for(2)[1]
    assert moved["Subject"] != confirmation["Subject"] and code in text_of(moved)
    assert link_in(moved, "manage") == manage
    assert any(part.get_filename() == "termin.ics" for part in moved.iter_attachments())

    page.locator("section.card form button").click()  # cancel
    page.wait_for_selector(f"h1:text('{t(lang, 'cancelled_title')}')")
    journey.check("cancelled", f"h1:text('{t(lang, 'cancelled_title')}')")
    cancelled = mail.inbox.wait_for(3)[2]
    assert code in text_of(cancelled) and not list(cancelled.iter_attachments())
    assert len({m["Subject"] for m in mail.inbox.messages}) == 3


def waiting_list_offer(journey: Journey, server: LiveServer, mail: MailServer) -> None:
    page, lang = journey.page, journey.lang
    already = len(mail.inbox.messages)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        earliest = first_free(client, "pass")
        others = [book(client, earliest, service="pass").headers["location"].split("?")[0]
                  for _ in range(counters_free(server, "pass", earliest))]  # no e-mail: no mail
    page.goto(f"{server.url}/book/pass?lang={lang}")
    assert earliest not in page.content()
    page.locator("#wait-email").fill(f"wait-{journey.name}@example.org")
    page.locator("#wait-email").press("Enter")
    page.wait_for_url("**/book/wait/**")
    assert journey.heading() == t(lang, "waitlist_joined")
    journey.check("waitlist", "form[action$='/leave']")

    with httpx.Client(base_url=server.url, timeout=30) as client:  # someone else cancels
        assert client.post(others[0] + "/cancel", data={"lang": "de"}).status_code == 303
    offer = mail.inbox.wait_for(already + 1)[already]
    assert offer["To"] == f"wait-{journey.name}@example.org" and offer["Content-Language"] == lang
    page.goto(link_in(offer, "offer"))  # in the language the citizen joined the list in
    assert journey.heading() == t(lang, "offer_title")
    journey.check("offer", "form[action$='/accept']")
    page.locator("#name").fill("Max Warteliste" if lang == "de" else "سامي")
    page.locator("form[action$='/accept'] button[type=submit]").click()
    page.wait_for_selector(".qr img")
    assert journey.heading() == t(lang, "booked_title")
    journey.check("offer-taken", ".qr img")
    confirmation = mail.inbox.wait_for(already + 2)[already + 1]
    assert confirmation["To"] == f"wait-{journey.name}@example.org"
    assert page.locator(".code").inner_text() in text_of(confirmation)
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        taken = conn.execute(
            "SELECT count(*) FROM appointments WHERE service_id = 'pass' AND status = 'booked'"
            " AND start = (SELECT start FROM waitlist_offers WHERE status = 'taken')").fetchone()[0]
        proofs = {row[0] for row in conn.execute("SELECT proof FROM booking_secrets")}
    assert taken == len(others)  # the one cancelled, taken again from the offer
    assert (1 in proofs) == journey.javascript  # the page's script solved the proof of work


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "javascript"), [("de", True), ("de", False), ("ar", True), ("ar", False)])
def test_the_journey_through_the_email(server_factory: ServerFactory, mail: MailServer, artifacts: Path,
                                       lang: str, javascript: bool) -> None:
    server = mail_office(server_factory, mail)
    with browser() as chromium:
        journey = Journey(chromium, lang=lang, javascript=javascript, artifacts=artifacts)
        book_move_cancel(journey, server, mail)
        waiting_list_offer(journey, server, mail)
