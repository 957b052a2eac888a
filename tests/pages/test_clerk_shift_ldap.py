"""A directory (LDAP) account logs in on the clerk page; with the directory down the login form
says so in German instead of claiming a wrong password. A real slapd on loopback."""

from __future__ import annotations

from pathlib import Path

from tests.axe import assert_accessible
from tests.browser import browser
from tests.conftest import ServerFactory
from tests.console.slapd import Slapd
from tests.console.test_staff_ldap import DIRECTORY_PASSWORD, _ldap_server, slapd  # noqa: F401 - the fixture

from .test_clerk_shift import _login


def test_a_directory_clerk_logs_in_and_sees_when_the_directory_is_down(
        server_factory: ServerFactory, slapd: Slapd, artifacts: Path) -> None:  # noqa: F811
    server = _ldap_server(server_factory, slapd)
    with browser() as chromium:
        # bypass_csp: axe's script goes into the console page, whose policy forbids inline scripts
        page = chromium.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True).new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{server.url}/clerk")
        _login(page, "berta", DIRECTORY_PASSWORD, "1")
        page.wait_for_selector(".conn:not(.down)")
        assert page.inner_text("#shift-name") == "Berta Kern"
        page.get_by_role("button", name="Abmelden").click()
        page.wait_for_selector("#shift-login:not([hidden])")
        slapd.stop()
        _login(page, "berta", DIRECTORY_PASSWORD, "1")
        page.wait_for_selector("#shift-error:text('nicht erreichbar')")
        assert "Verzeichnis der Stadt (LDAP)" in page.inner_text("#shift-error")
        page.screenshot(path=str(artifacts / "clerk-shift-directory-down-1366.png"), full_page=True)
        assert_accessible(page)
        slapd.start()
        page.goto(f"{server.url}/admin/login?next=/admin/staff")
        page.fill("#login", "leitung")
        page.fill("#password", DIRECTORY_PASSWORD)
        page.get_by_role("button", name="Anmelden", exact=True).click()
        page.wait_for_selector("text=Verzeichniskonto hinzufügen")
        assert "berta (LDAP)" in page.inner_text("#staff")
        page.screenshot(path=str(artifacts / "staff-directory-accounts-1366.png"), full_page=True)
        assert_accessible(page)
        assert not problems
