"""Console sessions for tests: log in with a device token as a browser would."""

from __future__ import annotations

import re

import httpx

from tests.conftest import LiveServer


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def login(server: LiveServer, role: str = "admin", next_path: str = "/admin/devices") -> httpx.Client:
    """A client with a console session; `client.csrf` is the session's form token."""
    client = httpx.Client(base_url=server.url, timeout=10)
    page = client.get(f"/admin/login?next={next_path}")
    answer = client.post("/admin/login", data={
        "csrf": hidden(page.text, "csrf"), "next": next_path, "token": server.tokens[role]})
    assert answer.status_code == 303, answer.text
    client.csrf = hidden(client.get(answer.headers["location"]).text, "csrf")  # type: ignore[attr-defined]
    return client
