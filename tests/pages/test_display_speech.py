"""Spoken calls: the server's espeak-ng WAV, and the display playing it when the browser has no voice."""

from __future__ import annotations

import asyncio
import io
import uuid
import wave
from pathlib import Path
from typing import Any

import httpx
import pytest

from speech import ESPEAK_ENV
from tests.browser import browser
from tests.conftest import LiveServer, ServerFactory


def checkin(server: LiveServer, service: str = "ausweis", lang: str = "de") -> dict[str, Any]:
    with server.client("kiosk") as kiosk:
        answer = kiosk.post("/api/v1/checkins", json={"service_id": service, "lang": lang},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code in (200, 201), answer.text
    ticket: dict[str, Any] = answer.json()["ticket"]
    return ticket


def call_next(server: LiveServer, counter: str = "1") -> dict[str, Any]:
    with server.client(f"counter:{counter}") as clerk:
        opened = clerk.post(f"/api/v1/counters/{counter}/state", json={"state": "open"},
                            headers={"Idempotency-Key": str(uuid.uuid4())})
        assert opened.status_code == 200, opened.text
        answer = clerk.post(f"/api/v1/counters/{counter}/next", headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 200, answer.text
    ticket: dict[str, Any] = answer.json()["ticket"]
    return ticket


def wav_url(server: LiveServer, ticket_id: str, lang: str = "de", token: str | None = None) -> str:
    token = server.tokens["display"] if token is None else token
    return f"{server.url}/api/v1/announcements/{ticket_id}.wav?lang={lang}&token={token}"


def error_code(answer: httpx.Response) -> str:
    return str(answer.json()["error"]["code"])


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_a_called_ticket_is_spoken_as_a_wav(live_server: LiveServer, lang: str) -> None:
    checkin(live_server)
    ticket = call_next(live_server)
    answer = httpx.get(wav_url(live_server, ticket["id"], lang), timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(answer.content)) as clip:
        assert clip.getnchannels() == 1
        assert clip.getframerate() == 22050
        # The sizes in the header are the real ones, not espeak-ng's streaming placeholders.
        assert 0 < clip.getnframes() * clip.getsampwidth() <= len(answer.content)
        assert clip.getnframes() / clip.getframerate() > 1.0


def test_the_text_is_the_number_spelled_and_the_counter_label(live_server: LiveServer) -> None:
    checkin(live_server)
    ticket = call_next(live_server)
    with live_server.client("display") as display:
        german = display.get(f"/api/v1/announcements/{ticket['id']}").json()
        arabic = display.get(f"/api/v1/announcements/{ticket['id']}", params={"lang": "ar"}).json()
    spelled = " ".join(ticket["number"])
    assert german["text"] == f"Nummer {spelled}, bitte zu Schalter 1."
    # the Arabic call names the counter in Arabic (issue 12, item 13), no German word in it
    assert spelled in arabic["text"] and "الشباك رقم 1" in arabic["text"] and "Schalter" not in arabic["text"]
    assert german["audio_url"] == f"/api/v1/announcements/{ticket['id']}.wav?lang=de"


def test_refusals_are_named(live_server: LiveServer) -> None:
    waiting = checkin(live_server)
    assert httpx.get(wav_url(live_server, waiting["id"], token="thq_wrong"), timeout=10).status_code == 401
    with live_server.client("kiosk") as kiosk:
        assert kiosk.get(f"/api/v1/announcements/{waiting['id']}.wav").status_code == 403
    unknown = httpx.get(wav_url(live_server, str(uuid.uuid4())), timeout=10)
    assert unknown.status_code == 404 and error_code(unknown) == "unknown_ticket"
    not_called = httpx.get(wav_url(live_server, waiting["id"]), timeout=10)
    assert not_called.status_code == 409 and error_code(not_called) == "ticket_not_called"
    called = call_next(live_server)
    french = httpx.get(wav_url(live_server, called["id"], lang="fr"), timeout=10)
    assert french.status_code == 422 and error_code(french) == "unknown_language"


@pytest.mark.parametrize("espeak", ["/nonexistent/espeak-ng", "false"])
def test_without_a_working_espeak_the_answer_is_503(
    server_factory: ServerFactory, monkeypatch: pytest.MonkeyPatch, espeak: str
) -> None:
    monkeypatch.setenv(ESPEAK_ENV, espeak)
    server = server_factory()
    checkin(server)
    ticket = call_next(server)
    answer = httpx.get(wav_url(server, ticket["id"]), timeout=10)
    assert answer.status_code == 503, answer.text
    assert error_code(answer) == "speech_unavailable"
    with server.client("display") as display:
        assert display.get(f"/api/v1/announcements/{ticket['id']}").status_code == 200


def test_a_display_without_voices_plays_the_servers_wav(live_server: LiveServer, artifacts: Path) -> None:
    checkin(live_server)
    with browser() as chromium:
        b: Any = chromium
        display = b.new_page(viewport={"width": 1920, "height": 1080})
        wav_requests: list[str] = []
        display.on("request", lambda request: wav_requests.append(request.url) if ".wav" in request.url else None)
        display.goto(f"{live_server.url}/display?token={live_server.tokens['display']}&speech=auto")
        display.wait_for_function("window.townhallDisplay && window.townhallDisplay.connected()")
        assert display.evaluate("window.speechSynthesis.getVoices().length") == 0

        ticket = call_next(live_server)
        display.wait_for_selector(f"#current li[data-number='{ticket['number']}']", timeout=20000)
        display.screenshot(path=str(artifacts / "display-spoken-call.png"))
        display.wait_for_function(
            "['playing', 'ended'].includes(document.getElementById('announcement').dataset.state)", timeout=10000
        )
        assert [url for url in wav_requests if f"/announcements/{ticket['id']}.wav?lang=de" in url]
        duration = display.evaluate("document.getElementById('announcement').duration")
        assert duration > 1.0


@pytest.mark.parametrize(("mode", "expected"), [("off", []), ("browser", ["text"])])
def test_speech_off_and_browser_fetch_no_wav(live_server: LiveServer, mode: str, expected: list[str]) -> None:
    checkin(live_server)
    with browser() as chromium:
        b: Any = chromium
        display = b.new_page()
        fetched: list[str] = []

        def note(request: Any) -> None:
            if "/announcements/" in request.url:
                fetched.append("wav" if ".wav" in request.url else "text")

        display.on("request", note)
        display.goto(f"{live_server.url}/display?token={live_server.tokens['display']}&speech={mode}")
        display.wait_for_function("window.townhallDisplay && window.townhallDisplay.connected()")
        ticket = call_next(live_server)
        display.wait_for_selector(f"#current li[data-number='{ticket['number']}']", timeout=20000)
        # Nothing to wait for when nothing should happen: give the page the chime's length.
        display.wait_for_timeout(2000)
        assert fetched == expected
        assert display.evaluate("document.getElementById('announcement').dataset.state") is None


def test_displays_asking_at_once_share_one_espeak_run(
    server_factory: ServerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten displays fetch the same call's WAV together: espeak-ng runs once, all get the same clip."""
    runs = tmp_path / "runs"
    counting = tmp_path / "espeak-counting"
    counting.write_text(f'#!/bin/sh\necho run >> "{runs}"\nsleep 0.3\nexec espeak-ng "$@"\n')
    counting.chmod(0o755)
    monkeypatch.setenv(ESPEAK_ENV, str(counting))
    server = server_factory()
    checkin(server)
    called = call_next(server)

    async def fetch_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=20) as client:
            return list(await asyncio.gather(*(client.get(wav_url(server, called["id"])) for _ in range(10))))

    answers = asyncio.run(fetch_all())
    assert [a.status_code for a in answers] == [200] * 10
    assert len({a.content for a in answers}) == 1
    assert runs.read_text().count("run") == 1
    # and a later request is served from the cache
    assert httpx.get(wav_url(server, called["id"]), timeout=10).content == answers[0].content
    assert runs.read_text().count("run") == 1


@pytest.mark.parametrize(("visitor_speech", "expected"), [("on", ["de", "tr"]), ("off", ["de"])])
def test_a_visitor_who_chose_turkish_hears_the_call_in_turkish_too(
    live_server: LiveServer, visitor_speech: str, expected: list[str]
) -> None:
    """The display speaks German, then the visitor's kiosk language; one clip after the other."""
    checkin(live_server, lang="tr")
    with browser() as chromium:
        b: Any = chromium
        display = b.new_page()
        clips: list[str] = []
        display.on("request", lambda r: clips.append(r.url.split("lang=")[1][:2]) if ".wav?" in r.url else None)
        display.goto(f"{live_server.url}/display?token={live_server.tokens['display']}&speech=server"
                     f"&visitor_speech={visitor_speech}")
        display.wait_for_function("window.townhallDisplay && window.townhallDisplay.connected()")
        ticket = call_next(live_server)
        assert ticket["lang"] == "tr"
        display.wait_for_function(f"document.getElementById('announcement').src.includes('lang={expected[-1]}')",
                                  timeout=15000)
        display.wait_for_function("document.getElementById('announcement').dataset.state === 'ended'", timeout=15000)
        assert clips == expected
        assert display.evaluate("window.townhallDisplay.spokenLanguages({lang: 'de'})") == ["de"]
