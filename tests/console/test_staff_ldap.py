"""Directory staff accounts (issue 17): the town's LDAP directory checks the password, the
office's database keeps the account. A real slapd on loopback, started by the test."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_server.config import ConfigError, LdapSettings, parse_text
from counter_server.console.directory import DirectoryUnavailable, check, user_dn
from tests.conftest import LiveServer, ServerFactory

from .helpers import hidden
from .slapd import PEOPLE, SLAPD, Slapd
from .test_staff import PASSWORD, console_login, shift, staff_cli

DIRECTORY_PASSWORD = "im-verzeichnis-7"


@pytest.fixture
def slapd(tmp_path: Path) -> Iterator[Slapd]:
    if SLAPD is None:
        pytest.skip("slapd is not installed (./dev installs it, or apt-get install slapd ldap-utils)")
    directory = Slapd(tmp_path / "slapd")
    directory.start()
    directory.add_people({"berta": DIRECTORY_PASSWORD, "leitung": DIRECTORY_PASSWORD, "cem": DIRECTORY_PASSWORD})
    yield directory
    directory.stop()


def _ldap_server(server_factory: ServerFactory, slapd: Slapd) -> LiveServer:
    section = f'\n[ldap]\nurl = "{slapd.url}"\nuser_dn = "uid={{username}},{PEOPLE}"\ntimeout_s = 3\n'
    server = server_factory(start=False, edit_config=lambda text: text + section)
    assert staff_cli(server, "add", "berta", "--ldap", "--name", "Berta Kern").returncode == 0
    assert staff_cli(server, "add", "leitung", "--ldap", "--role", "admin").returncode == 0
    assert staff_cli(server, "add", "anna", password=PASSWORD).returncode == 0
    listed = staff_cli(server, "list").stdout
    assert "berta  clerk  active  Berta Kern  (LDAP)" in listed and "anna  clerk  active  anna\n" in listed
    server.start()
    return server


def _failures(server: LiveServer, login: str) -> int:
    with sqlite3.connect(server.data_dir / "townhall.db") as db:
        return int(db.execute("SELECT failed_logins FROM staff WHERE login = ?", [login]).fetchone()[0])


def test_a_directory_account_logs_in_and_an_unreachable_directory_says_so(
        server_factory: ServerFactory, slapd: Slapd) -> None:
    server = _ldap_server(server_factory, slapd)
    started = shift(server, "berta", DIRECTORY_PASSWORD, counter_id="1")
    assert started.status_code == 201, started.text
    assert started.json()["staff"]["name"] == "Berta Kern" and started.json()["token"]
    wrong = shift(server, "berta", "falsch-aber-lang", counter_id="1")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "login_failed"
    assert _failures(server, "berta") == 1
    # a local password is no way into a directory account, nor the directory's into a local one
    assert shift(server, "anna", DIRECTORY_PASSWORD, counter_id="2").status_code == 401
    admin, answer = console_login(server, "leitung", DIRECTORY_PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/staff"
    page = admin.get("/admin/staff").text
    assert "berta (LDAP)" in page and "Verzeichniskonto hinzufügen" in page
    added = admin.post("/admin/staff/add", data={"csrf": hidden(page, "csrf"), "directory": "1", "login": "cem",
                                                 "name": "Cem Aydın", "role": "clerk"})
    assert added.status_code == 303
    assert shift(server, "cem", DIRECTORY_PASSWORD, counter_id="3").json()["staff"]["name"] == "Cem Aydın"

    slapd.stop()
    down = shift(server, "berta", DIRECTORY_PASSWORD, counter_id="1")
    assert down.status_code == 503 and down.json()["error"]["code"] == "directory_unavailable"
    assert _failures(server, "berta") == 1  # the directory's outage is no wrong password
    _, page = console_login(server, "leitung", DIRECTORY_PASSWORD)
    assert page.status_code == 503 and "Verzeichnis der Stadt (LDAP) ist gerade nicht erreichbar" in page.text
    local = shift(server, "anna", PASSWORD, counter_id="2")
    assert local.status_code == 201, local.text
    server.stop()
    assert DIRECTORY_PASSWORD not in server.log_path.read_text(encoding="utf-8")


def test_wrong_directory_passwords_lock_the_account_like_a_local_one(
        server_factory: ServerFactory, slapd: Slapd) -> None:
    server = _ldap_server(server_factory, slapd)
    for _ in range(4):
        assert shift(server, "berta", "falsch-aber-lang", counter_id="1").status_code == 401
    assert shift(server, "berta", "falsch-aber-lang", counter_id="1").status_code == 429
    # locked: not even the right password opens it, and the directory is not asked
    slapd.stop()
    locked = shift(server, "berta", DIRECTORY_PASSWORD, counter_id="1")
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "account_locked"


def test_the_ldap_section_is_checked_with_clear_reasons() -> None:
    text = (Path(__file__).parents[2] / "counter_server" / "demo_office.toml").read_text(encoding="utf-8")
    good = '\n[ldap]\nurl = "ldaps://ldap.musterstadt.de"\nuser_dn = "uid={username},ou=people,dc=example,dc=org"\n'
    settings = parse_text(Path("office.toml"), text + good).ldap
    assert settings is not None and settings.use_ssl and settings.timeout_s == 5 and not settings.starttls
    assert parse_text(Path("office.toml"), text).ldap is None
    for extra, reason in (
        (good.replace("ldaps://", "http://"), r"ldap.url: 'http://ldap.musterstadt.de' is not a directory address"),
        (good.replace("uid={username}", "uid=x"), r"ldap.user_dn: .* needs one \{username\}"),
        (good + "starttls = true\n", r"ldap.starttls: ldaps:// is encrypted already"),
        (good + "timeout_s = 0\n", r"ldap.timeout_s: must be 1-60, not 0"),
        (good + 'ca_file = "fehlt.pem"\n', r"ldap.ca_file: cannot read a PEM certificate"),
        (good + 'base = "dc=x"\n', r"base"),
    ):
        with pytest.raises(ConfigError, match=reason):
            parse_text(Path("office.toml"), text + extra)


def test_a_directory_that_never_answers_is_unavailable_after_timeout_s() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = LdapSettings(url=f"ldap://127.0.0.1:{silent.getsockname()[1]}", user_dn=f"uid={{username}},{PEOPLE}",
                                timeout_s=1)
        began = time.monotonic()
        with pytest.raises(DirectoryUnavailable):
            check(settings, "berta", DIRECTORY_PASSWORD)
        assert time.monotonic() - began < 10
    assert user_dn(settings, "a,b=c+d") == f"uid=a\\,b\\=c\\+d,{PEOPLE}"
