"""The booking site over HTTP on a real server: the public listener, 20 clients at one time,
and bad input answered with a page that says what went wrong (never a 500)."""

from __future__ import annotations

import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.harness import free_port
from counter_server.public import is_public
from tests.conftest import LiveServer, ServerFactory

LOOSE = "\n[booking]\nbookings_per_hour = 1000\nbookings_per_hour_without_js = 1000\n"
START = re.compile(r'name="start" value="([^"]+)"')


def loose(text: str) -> str:
    return text + LOOSE


def first_free(client: httpx.Client, service: str = "ausweis") -> str:
    page = client.get(f"/book/{service}")
    assert page.status_code == 200
    return START.findall(page.text)[0]


def book(client: httpx.Client, start: str, *, name: str = "Erika Muster", email: str = "",
         service: str = "ausweis") -> httpx.Response:
    return client.post(f"/book/{service}/details",
                       data={"start": start, "name": name, "email": email, "lang": "de"})


def test_the_public_listener_answers_only_the_public_pages(server_factory: ServerFactory) -> None:
    server = server_factory(start=False)
    public_port = free_port()
    server.extra_args = ["--public-port", str(public_port)]
    server.start()
    public = f"http://127.0.0.1:{public_port}"
    schema = httpx.get(f"{server.url}/openapi.json", timeout=10).json()
    checked = 0
    for path, methods in schema["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        for method in methods:
            answer = httpx.request(method.upper(), public + concrete, timeout=10,
                                   headers={"Authorization": f"Bearer {server.tokens['admin']}"})
            if is_public(concrete):
                assert answer.status_code != 404 or "tickets/public" in path, (method, path)
            else:
                assert answer.status_code == 404, (method, path, answer.status_code)
                checked += 1
    assert checked >= 25
    for page in ("/clerk", "/display", "/docs", "/redoc", "/openapi.json", "/", "/static/web/clerk.js"):
        assert httpx.get(public + page, timeout=10).status_code == 404, page
    for page in ("/book", "/book/ausweis", "/privacy", "/static/book/site.css", "/t/abc"):
        assert httpx.get(public + page, timeout=10).status_code == 200, page
    # the main listener keeps serving everything
    assert httpx.get(f"{server.url}/clerk", timeout=10).status_code == 200


def counters_free(server: LiveServer, service: str, start: str) -> int:
    slots = httpx.get(f"{server.url}/api/v1/slots", params={"service_id": service, "date": start[:10]},
                      headers={"Authorization": f"Bearer {server.tokens['booking']}"}, timeout=10).json()
    return int(next(s["free"] for s in slots["slots"] if s["start"].startswith(start)))


def test_twenty_clients_book_the_last_free_time_one_wins(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=loose)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        start = first_free(client)
        for _ in range(counters_free(server, "ausweis", start) - 1):  # leave exactly one counter free at that time
            assert book(client, start).status_code == 303

    def attempt(n: int) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=60) as own:
            return book(own, start, name=f"Person {n}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(attempt, range(20)))
    won = [a for a in answers if a.status_code == 303]
    lost = [a for a in answers if a.status_code == 409]
    assert len(won) == 1 and len(lost) == 19, [a.status_code for a in answers]
    for answer in lost:
        assert "Diese Zeit ist leider gerade vergeben worden" in answer.text
        offered = START.findall(answer.text)
        assert offered and start not in offered  # the next times, not the one just taken
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert first_free(client) != start


def test_bad_input_gets_a_plain_page_never_a_500(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=lambda t: t + "\n[booking]\nmax_open_per_email = 1\n"
                            "bookings_per_hour_without_js = 4\n")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        start = first_free(client)
        cases: list[tuple[httpx.Response, int, str]] = [
            (client.get("/book/nope"), 404, "Dieses Anliegen gibt es hier nicht"),
            (client.get("/book/manage/forged-token-123"), 404, "Dieser Link gehört zu keinem Termin"),
            (client.post("/book/manage/forged/cancel", data={"lang": "de"}), 404, "zu keinem Termin"),
            (client.get("/book/ausweis/details", params={"start": "kaputt"}), 422, "kann man nicht buchen"),
            (client.get("/book/ausweis/details", params={"start": "2026-12-01T03:00"}), 409, "vergeben"),
            (client.post("/book/ausweis/details", content=b"name=%ff%fe&start=\xff",
                         headers={"content-type": "application/x-www-form-urlencoded"}), 422, "Formular"),
            (book(client, start, name=""), 422, "Bitte geben Sie Ihren Namen an"),
            (book(client, start, email="nicht-gueltig"), 422, "E-Mail-Adresse sieht nicht richtig aus"),
            (client.get("/book/a/b/c/d"), 404, "Diese Seite gibt es nicht"),
        ]
        for answer, status, words in cases:
            assert answer.status_code == status, (answer.request.url, answer.status_code, answer.text[:300])
            assert words in answer.text and "<html" in answer.text
        assert book(client, start, email="a@example.org").status_code == 303
        too_many = book(client, START.findall(client.get("/book/ausweis").text)[1], email="A@example.org")
        assert too_many.status_code == 409 and "schon 1 Termine gebucht" in too_many.text
        limited = [book(client, start) for _ in range(3)][-1]
        assert limited.status_code == 429 and "Ohne JavaScript sind nur 4 Buchungen" in limited.text
    log = server.log_path.read_text()
    assert "Traceback" not in log


def test_a_freed_time_is_held_for_the_first_on_the_waiting_list(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=loose)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        start = first_free(client, "pass")
        for _ in range(counters_free(server, "pass", start)):  # the earliest time is gone
            booked = book(client, start, service="pass")
        manage = booked.headers["location"].split("?")[0]
        first = client.post("/book/pass/waitlist", data={"email": "one@example.org", "lang": "de"})
        second = client.post("/book/pass/waitlist", data={"email": "two@example.org", "lang": "de"})
        one, two = first.headers["location"].split("?")[0], second.headers["location"].split("?")[0]
        assert "Noch ist keine frühere Zeit frei" in client.get(one).text
        assert client.post(manage + "/cancel", data={"lang": "de"}).status_code == 303
        offer = client.get(one).text
        assert "Eine frühere Zeit ist frei" in offer and "Wir halten diese Zeit für Sie fest bis" in offer
        assert "Eine frühere Zeit ist frei" not in client.get(two).text
        assert client.post(one + "/decline", data={"lang": "de"}).status_code == 303
        assert "Eine frühere Zeit ist frei" in client.get(two).text
        taken = client.post(two + "/accept", data={"lang": "de", "name": "Zwei"})
        assert taken.status_code == 303 and "/book/manage/" in taken.headers["location"]
        page = client.get(taken.headers["location"]).text
        assert "Ihr Termin ist gebucht" in page
    rows: list[Any] = sqlite3.connect(server.data_dir / "townhall.db").execute(
        "SELECT status FROM waitlist_offers ORDER BY created_at").fetchall()
    assert [r[0] for r in rows] == ["declined", "taken"]
