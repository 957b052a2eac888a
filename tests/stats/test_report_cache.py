"""Report parts are kept per selection and statistics version: a repeated report is the same,
a new event today shows at once."""

from __future__ import annotations

import asyncio

import httpx

from counter_server.stats.cache import ReportCache
from tests.conftest import ServerFactory

CLOCK = "2026-12-01T09:30"


def _serve(server: object, n: int) -> None:
    with server.client("kiosk") as kiosk, server.client("counter:1") as counter:  # type: ignore[attr-defined]
        assert counter.post("/api/v1/counters/1/state", json={"state": "open"}).status_code == 200
        for _ in range(n):
            assert kiosk.post("/api/v1/checkins", json={"service_id": "pass"}).status_code == 201
            called = counter.post("/api/v1/counters/1/next", params={"previous": "done"})
            assert called.status_code == 200 and called.json().get("ticket"), called.text
            tid = called.json()["ticket"]["id"]
            assert counter.post(f"/api/v1/tickets/{tid}/start").status_code == 200
            assert counter.post(f"/api/v1/tickets/{tid}/finish").status_code == 200


def _total(html: str) -> str:
    start = html.index('<th scope="row">gesamt</th>')
    return html[start:html.index("</td>", start)].rsplit(">", 1)[1]


def test_a_report_repeats_from_memory_and_shows_todays_new_visit_at_once(server_factory: ServerFactory) -> None:
    server = server_factory(clock=CLOCK)
    _serve(server, 5)
    params = {"token": server.tokens["admin"], "period": "day"}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        first = client.get("/reports", params=params).text
        assert _total(first) == "5"
        assert client.get("/reports", params=params).text == first
        plot = client.get("/reports/plots/wait_distribution.png", params=params).content
        assert client.get("/reports/plots/wait_distribution.png", params=params).content == plot
        _serve(server, 1)
        assert _total(client.get("/reports", params=params).text) == "6"
        assert client.get("/reports/plots/wait_distribution.png", params=params).content != plot


def test_the_cache_keeps_the_latest_entries_and_today_goes_stale_with_a_new_event() -> None:
    cache = ReportCache(entries=2)
    made: list[str] = []

    async def get(key: str) -> str:
        async def make() -> str:
            made.append(key)
            return key.upper()

        value: str = await cache.get(key, make)
        return value

    async def run() -> None:
        for key in ("a", "b", "a", "c", "b", "a"):
            assert await get(key) == key.upper()

    asyncio.run(run())
    assert made == ["a", "b", "c", "b", "a"]  # "b" dropped when "c" came (a was used since), then "a"
    cache.built_today("2026-12-01", 41)
    assert cache.today_is_fresh("2026-12-01", 41)
    assert not cache.today_is_fresh("2026-12-01", 42) and not cache.today_is_fresh("2026-12-02", 41)
