"""The supervisor's alerts by e-mail (`[alerts] mail_to`) through the outbox to a real SMTP
server on loopback: each alert once per crossing, to every address, not on every refresh."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import counter_server
from counter_server.config import ConfigError, parse_text
from tests.api.test_mail import MailServer, _text
from tests.conftest import LiveServer, ServerFactory
from tests.office import check_in

RECIPIENTS = '["leitung@example.org", "vertretung@example.org"]'


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.stop()


def _alert_rows(server: LiveServer) -> list[str]:
    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        return [row[0] for row in db.execute("SELECT key FROM alert_mails ORDER BY key")]


def _restart(server: LiveServer, clock: str) -> None:
    server.stop()
    server.start(clock=clock)  # the housekeeping runs once before the server answers


def test_each_alert_is_mailed_once_per_crossing(server_factory: ServerFactory, mail: MailServer) -> None:
    mail.start()
    server = server_factory(clock="2026-12-01T09:00", edit_config=lambda text: text.replace(
        "kiosk_offline_min = 5", f"kiosk_offline_min = 600\nmail_to = {RECIPIENTS}") + mail.config())
    check_in(server, service_id="ausweis")
    _restart(server, "2026-12-01T09:29:10")  # 29 minutes: below walk_in_wait_min = 30
    assert _alert_rows(server) == [] and mail.inbox.messages == []

    _restart(server, "2026-12-01T09:30:30")
    first = mail.inbox.wait_for(2)
    assert sorted(m["To"] for m in first) == ["leitung@example.org", "vertretung@example.org"]
    assert "Nummer A001 wartet seit 30 Minuten" in first[0]["Subject"]
    assert "Nummer A001 wartet seit 30 Minuten (Grenze 30)" in _text(first[0])
    assert _alert_rows(server) == ["walk_in_wait:A001"]

    # still crossed a minute later, the view refreshed: nothing new
    with server.client("admin") as admin:
        for _ in range(3):
            assert [a["key"] for a in admin.get("/api/v1/supervisor").json()["alerts"]] == ["walk_in_wait:A001"]
    _restart(server, "2026-12-01T09:31:30")
    assert _alert_rows(server) == ["walk_in_wait:A001"]

    # served: the alert clears and is forgotten; the next visitor waiting too long is mailed
    with server.client("counter:1") as clerk:
        clerk.post("/api/v1/counters/1/state", json={"state": "open"})
        assert clerk.post("/api/v1/counters/1/next").status_code == 200
    check_in(server, service_id="ausweis")
    _restart(server, "2026-12-01T09:45")
    assert _alert_rows(server) == []
    _restart(server, "2026-12-01T10:02")
    second = mail.inbox.wait_for(4)[2:]
    assert all("Nummer A002 wartet seit 30 Minuten" in m["Subject"] for m in second)
    assert len(mail.inbox.messages) == 4


def test_mail_to_wants_addresses_and_a_mail_section() -> None:
    text = (Path(counter_server.__file__).parent / "demo_office.toml").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match=r"alerts.mail_to: needs a \[mail\] section"):
        parse_text(Path("office.toml"), text.replace("kiosk_offline_min = 5", f"mail_to = {RECIPIENTS}"))
    mail = '\n[mail]\nhost = "127.0.0.1"\nfrom = "termine@example.org"\n'
    with pytest.raises(ConfigError, match=r"alerts.mail_to\[1\]: 'leitung' is not an e-mail address"):
        parse_text(Path("office.toml"), text.replace(
            "kiosk_offline_min = 5", 'mail_to = ["a@example.org", "leitung"]') + mail)


def test_the_console_sets_the_alert_addresses(server_factory: ServerFactory, mail: MailServer) -> None:
    from tests.console.helpers import login

    plain = server_factory()
    admin = login(plain, next_path="/admin")
    refused = admin.post("/admin/settings/alerts", data={"csrf": admin.csrf, "mail_to": "leitung@example.org"})
    assert refused.status_code == 422 and "alerts.mail_to: needs a [mail] section" in refused.text

    server = server_factory(edit_config=lambda text: text + mail.config())
    admin = login(server, next_path="/admin")
    bad = admin.post("/admin/settings/alerts", data={"csrf": admin.csrf, "mail_to": "leitung"})
    assert bad.status_code == 422 and "alerts.mail_to[0]: &#39;leitung&#39; is not an e-mail address" in bad.text
    saved = admin.post("/admin/settings/alerts", data={
        "csrf": admin.csrf, "mail_to": "leitung@example.org, vertretung@example.org", "walk_in_wait_min": "30"})
    assert saved.status_code == 303
    text = (server.data_dir / "office.toml").read_text(encoding="utf-8")
    assert 'mail_to = ["leitung@example.org", "vertretung@example.org"]' in text
    assert 'value="leitung@example.org, vertretung@example.org"' in admin.get("/admin").text
