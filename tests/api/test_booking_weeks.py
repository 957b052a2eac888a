"""The times page shows the earliest times and one week of the calendar at a time, with links
to the week before and after that work without JavaScript; together the weeks offer every
free time, and the move page pages through its own weeks."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import httpx

from tests.conftest import LiveServer

CALENDAR = re.compile(r'name="start" value="([^"]+)" aria-label')
WEEK_LINK = re.compile(r'<a rel="(prev|next)" href="([^"]+)"')


def links(page: str) -> dict[str, str]:
    return {rel: html.unescape(href) for rel, href in WEEK_LINK.findall(page)}


def api_free(server: LiveServer, service: str, day: date) -> list[str]:
    answer = httpx.get(f"{server.url}/api/v1/slots", params={"service_id": service, "date": day.isoformat()},
                       headers={"Authorization": f"Bearer {server.tokens['booking']}"}, timeout=10)
    return [s["start"][:16] for s in answer.json()["slots"]]


def test_the_weeks_page_through_every_free_time(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        page = client.get("/book/ausweis").text
        seen: list[str] = []
        weeks = 0
        while True:
            weeks += 1
            times = CALENDAR.findall(page)
            assert times
            days = {date.fromisoformat(t[:10]) for t in times}
            assert max(days) - min(days) < timedelta(days=7)  # one week, not the month
            assert {d.isocalendar()[1] for d in days} == {min(days).isocalendar()[1]}
            seen += times
            following = links(page).get("next")
            if following is None:
                break
            assert following.startswith("/book/ausweis?") and "week=" in following
            nxt = client.get(following)
            assert nxt.status_code == 200
            assert links(nxt.text)["prev"].split("#")[0] in (
                "/book/ausweis?lang=de", f"/book/ausweis?lang=de&week={min(days) - timedelta(days=min(days).weekday())}")
            page = nxt.text
        assert weeks >= 4
        first = date.fromisoformat(seen[0][:10])
        expected = [t for offset in range(28) for t in api_free(live_server, "ausweis", first + timedelta(days=offset))]
        assert seen == expected
        # a time of a later week can be chosen like any other
        assert client.get("/book/ausweis/details", params={"start": seen[-1], "lang": "de"}).status_code == 200
        # a week that is not a Monday of the calendar shows the first week
        for asked in ("1999-01-04", "x", "2026-13-40"):
            other = client.get("/book/ausweis", params={"week": asked})
            assert other.status_code == 200
            assert CALENDAR.findall(other.text)[0] == seen[0]


def test_the_move_page_links_its_own_weeks(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        start = CALENDAR.findall(client.get("/book/ausweis").text)[0]
        booked = client.post("/book/ausweis/details", data={"start": start, "name": "Erika Muster", "lang": "de"})
        assert booked.status_code == 303
        manage = booked.headers["location"].split("?")[0]
        move = client.get(f"{manage}/move")
        assert move.status_code == 200
        following = links(move.text)["next"]
        assert following.startswith(f"{manage}/move?")
        assert client.get(following).status_code == 200
