"""STARTTLS and login at the office's SMTP server: a real aiosmtpd on loopback that insists on both.

Its certificate comes from the project's own `townhall tls init` code (a CA of its own, which
`[mail] ca_file` trusts). A wrong password is a plain reason in the outbox and the log, the
message waits and is retried, the server keeps serving; with the right password it arrives once.
"""

from __future__ import annotations

import sqlite3
import ssl
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bench.harness import free_port
from counter_server.tls import init_tls
from tests.api.test_booking_site_http import LOOSE, book, first_free
from tests.api.test_mail import Inbox, with_public_url
from tests.conftest import LiveServer, ServerFactory

USER, PASSWORD = "termine", "richtig-geheim"


class Guarded(Inbox):
    """An inbox that notes whether each message came over TLS from a logged-in client."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[tuple[bool, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.sessions.append((session.ssl is not None, session.auth_data))
        return await super().handle_DATA(server, session, envelope)


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    del server, session, envelope, mechanism
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False, auth_data=USER if ok else None)


class TlsMailServer:
    """aiosmtpd requiring STARTTLS before anything and a login before any mail."""

    def __init__(self, folder: Path) -> None:
        files, _ = init_tls(folder, names=["localhost"], ips=["127.0.0.1"])
        self.ca_file = files.ca_cert
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(files.server_cert, files.server_key)
        self.port = free_port()
        self.inbox = Guarded()
        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, tls_context=context, require_starttls=True,
            auth_required=True, auth_require_tls=True, authenticator=check_login,
        )

    def config(self) -> str:
        """`[mail]` for this server; the password goes in the file `smtp-password`."""
        return (f'\n[mail]\nhost = "127.0.0.1"\nport = {self.port}\nstarttls = true\n'
                f'from = "Bürgeramt Musterstadt <termine@example.org>"\nusername = "{USER}"\n'
                f'password_file = "smtp-password"\nca_file = "{self.ca_file}"\n')


@pytest.fixture
def tls_mail(tmp_path: Path) -> Any:
    server = TlsMailServer(tmp_path / "mailserver")
    server.controller.start()
    yield server
    server.controller.stop()


def _row(server: LiveServer) -> tuple[str, int, str | None]:
    with sqlite3.connect(server.data_dir / "townhall.db") as conn:
        status, attempts, error = conn.execute("SELECT status, attempts, last_error FROM mail_outbox").fetchone()
    return str(status), int(attempts), error


def _wait(condition: Any, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_starttls_and_login_a_wrong_password_waits_then_the_mail_arrives_once(
    server_factory: ServerFactory, tls_mail: TlsMailServer,
) -> None:
    server = server_factory(start=False, edit_config=lambda t: with_public_url(t) + LOOSE + tls_mail.config())
    password_file = server.data_dir / "smtp-password"
    password_file.write_text("falsch\n", encoding="utf-8")
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert book(client, first_free(client), email="erika@example.org").status_code == 303
        # refused, then tried again after the back-off (and refused again)
        _wait(lambda: _row(server)[1] >= 2 and _row(server)[0] == "pending")
        status, _, error = _row(server)
        assert error is not None
        assert error.startswith("login refused by the mail server, check [mail] username and password")
        assert "535" in error
        assert client.get("/book").status_code == 200  # the server keeps serving
    log = server.log_path.read_text(encoding="utf-8")
    assert "login refused by the mail server" in log and "falsch" not in log
    assert not tls_mail.inbox.messages

    server.stop()
    password_file.write_text(f"{PASSWORD}\n", encoding="utf-8")
    server.start()
    arrived = tls_mail.inbox.wait_for(1, timeout=60)
    _wait(lambda: _row(server)[0] == "sent")
    time.sleep(2)  # nothing more comes
    assert len(arrived) == 1 and arrived[0]["To"] == "erika@example.org"
    assert tls_mail.inbox.sessions == [(True, USER)]  # over TLS, logged in
    assert PASSWORD not in server.log_path.read_text(encoding="utf-8")


def test_an_untrusted_certificate_says_so(server_factory: ServerFactory, tls_mail: TlsMailServer) -> None:
    config = tls_mail.config().replace(f'ca_file = "{tls_mail.ca_file}"\n', "")
    server = server_factory(start=False, edit_config=lambda t: with_public_url(t) + LOOSE + config)
    (server.data_dir / "smtp-password").write_text(PASSWORD, encoding="utf-8")
    server.start()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        book(client, first_free(client), email="erika@example.org")
    _wait(lambda: _row(server)[0] == "pending" and _row(server)[2] is not None)
    assert "certificate is not trusted, see [mail] ca_file" in str(_row(server)[2])
    assert _row(server)[0] == "pending" and not tls_mail.inbox.messages


def test_a_ca_file_that_is_no_certificate_is_refused_at_start(server_factory: ServerFactory) -> None:
    server = server_factory(start=False, edit_config=lambda t: t + (
        '\n[mail]\nhost = "127.0.0.1"\nfrom = "a@b.de"\nca_file = "office.toml"\n'))
    with pytest.raises(RuntimeError, match="server exited"):
        server.start()
    assert "mail.ca_file: cannot read a PEM certificate" in server.log_path.read_text()


def test_mail_without_a_public_url_is_warned_about(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=lambda t: t + '\n[mail]\nhost = "127.0.0.1"\nfrom = "a@b.de"\n')
    assert "[mail] is set but [office] public_url is empty" in server.log_path.read_text()
