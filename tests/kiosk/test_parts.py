"""The kiosk's parts outside the window: client, configuration, scanner, speech, printer."""

from __future__ import annotations

import asyncio
import shutil
import wave
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import qrcode

from kiosk import flow as f
from kiosk.client import (
    ServerClient,
    parse_checkin,
    parse_error,
    parse_services,
    refreshes_services,
)
from kiosk.config import KioskConfigError, load_config
from kiosk.printing import KioskPrinter
from kiosk.scan import WedgeBuffer, decode_qr
from printers.emulator import EmulatedStatus, Emulator
from printers.words import ticket_words
from speech import Speaker, espeak_command
from tests.conftest import LiveServer


def test_services_answer_becomes_flow_data() -> None:
    loaded = parse_services(
        {
            "office": {"name": "Bürgeramt", "open_now": True, "walk_in_until": "2026-12-01T15:30:00+01:00"},
            "services": [{"id": "pass", "names": {"de": "Reisepass"}, "available": False,
                          "unavailable_reason": "daily_cap_reached", "waiting": 3, "eta_min": None}],
        }
    )  # fmt: skip
    assert loaded.office.walk_in_until == "2026-12-01T15:30:00+01:00"
    assert loaded.services[0] == f.Service(
        id="pass", names={"de": "Reisepass"}, available=False,
        unavailable_reason="daily_cap_reached", waiting=3,
    )  # fmt: skip


def test_error_bodies_that_are_not_the_contract_still_give_a_code() -> None:
    assert parse_error(httpx.Response(502, text="<html>bad gateway</html>")).code == "http_502"
    body = {"error": {"code": "appointment_too_early", "message": "m", "details": {"start": "x"}}}
    assert parse_error(httpx.Response(409, json=body)) == f.CheckinFailed(
        code="appointment_too_early", details={"start": "x"}
    )


def test_checkin_answer() -> None:
    ticket = parse_checkin(
        {"ticket": {"id": "1", "number": "A001", "service_id": "a", "kind": "walk_in",
                    "created_at": "2026-12-01T08:00:00+00:00"},
         "position": 1, "eta_min": 0, "status_url": "http://h/t/p"}
    )  # fmt: skip
    assert (ticket.number, ticket.position, ticket.status_url) == ("A001", 1, "http://h/t/p")


def test_only_queue_events_refresh_the_services() -> None:
    assert refreshes_services({"type": "ticket.created"})
    assert refreshes_services({"type": "snapshot"})
    assert not refreshes_services({"type": "printer.status"})


def test_client_against_the_real_server(live_server: LiveServer) -> None:
    async def visit() -> tuple[object, object, object, object]:
        client = ServerClient(base_url=live_server.url, token=live_server.tokens["kiosk"])
        try:
            loaded = await client.services()
            request = f.CheckinRequest(service_id="ausweis", lang="tr")
            first = await client.check_in(idempotency_key="k-1", request=request)
            again = await client.check_in(idempotency_key="k-1", request=request)
            unknown = await client.check_in(
                idempotency_key="k-2", request=f.CheckinRequest(service_id="nope", lang="de")
            )
            return loaded, first, again, unknown
        finally:
            await client.close()

    loaded, first, again, unknown = asyncio.run(visit())
    assert isinstance(loaded, f.ServicesLoaded) and loaded.services
    assert isinstance(first, f.CheckinSucceeded) and isinstance(again, f.CheckinSucceeded)
    assert first.ticket.number == again.ticket.number, "same key, same ticket"
    assert unknown == f.CheckinFailed(code="unknown_service", details=unknown.details)


def test_wrong_token_is_a_plain_outcome(live_server: LiveServer) -> None:
    async def visit() -> object:
        client = ServerClient(base_url=live_server.url, token="forged")
        try:
            return await client.check_in(
                idempotency_key="k", request=f.CheckinRequest(service_id="pass")
            )
        finally:
            await client.close()

    result = asyncio.run(visit())
    assert isinstance(result, f.CheckinFailed) and result.code == "unauthorized"


def test_websocket_reports_the_server_up_and_passes_events(live_server: LiveServer) -> None:
    statuses: list[bool] = []
    events: list[dict] = []

    async def watch() -> None:
        client = ServerClient(base_url=live_server.url, token=live_server.tokens["kiosk"])
        task = asyncio.create_task(client.watch(on_event=events.append, on_status=statuses.append))
        for _ in range(100):
            if events:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        await client.close()

    asyncio.run(watch())
    assert statuses[:1] == [True]
    assert events and events[0]["type"] == "snapshot"


def test_unreachable_server_is_an_event_not_an_exception() -> None:
    async def visit() -> object:
        client = ServerClient(base_url="http://127.0.0.1:9", token="t")
        try:
            return await client.check_in(
                idempotency_key="k", request=f.CheckinRequest(service_id="a")
            )
        finally:
            await client.close()

    # refused: the request never left the kiosk, so a leased number may be issued
    assert asyncio.run(visit()) == f.ServerUnreachable(certain=True)


def test_a_server_that_takes_the_request_but_never_answers_is_not_certain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    import kiosk.client

    monkeypatch.setattr(kiosk.client, "CHECKIN_TIMEOUT_S", 0.5)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        async def visit() -> object:
            client = ServerClient(base_url=f"http://127.0.0.1:{port}", token="t")
            try:
                return await client.check_in(
                    idempotency_key="k", request=f.CheckinRequest(service_id="a")
                )
            finally:
                await client.close()

        # the server may have issued the ticket: retry with the same key, no leased number
        assert asyncio.run(visit()) == f.ServerUnreachable(certain=False)


def test_config_file_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[kiosk]\nserver = "http://127.0.0.1:8000"\ntoken = "t"\nlanguages = ["de", "ar"]\n'
        '[[kiosk.groups]]\nid = "docs"\nnames = { de = "Ausweise" }\nservices = ["ausweis", "pass"]\n'
    )
    config = load_config(path, default_lang="ar")
    assert config.languages == ("de", "ar") and config.default_lang == "ar"
    assert config.settings().groups[0].services == ("ausweis", "pass")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('server = "http://x"\ntoken = "t"\nidle_timeout_s = "soon"', "idle_timeout_s"),
        ('server = "http://x"\ntoken = "t"\nlanguages = ["de", "xx"]', "languages"),
        ('server = "http://x"\ntoken = "t"\ncolour = "red"', "colour"),
        ('server = "x"\ntoken = "t"', "server"),
        ('server = "http://x"', "token"),
    ],
)
def test_wrong_config_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text("[kiosk]\n" + text)
    with pytest.raises(KioskConfigError) as error:
        load_config(path)
    assert field in str(error.value)
    assert str(path) in str(error.value)


def test_wedge_scanner_burst_is_a_scan_and_slow_keys_are_not() -> None:
    wedge = WedgeBuffer()
    for i, char in enumerate("ABCD2345"):
        wedge.key(char, now=1.0 + i * 0.01)
    assert wedge.enter(now=1.09) == "ABCD2345"
    wedge.key("A", now=5.0)
    wedge.key("B", now=6.0)
    assert wedge.enter(now=6.01) is None
    assert wedge.enter(now=7.0) is None


def test_camera_frames_are_decoded_with_zxing() -> None:
    image = qrcode.make("v1.signed-appointment-token").get_image().convert("RGBA")
    assert decode_qr(image) == "v1.signed-appointment-token"
    blank = image.copy()
    blank.paste((255, 255, 255, 255), (0, 0, *blank.size))
    assert decode_qr(blank) is None


def test_read_aloud_voices() -> None:
    assert espeak_command(executable="espeak-ng", text="مرحبا", lang="ar")[:3] == [
        "espeak-ng",
        "-v",
        "ar",
    ]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
@pytest.mark.parametrize("lang", ["de", "ar", "uk"])
def test_read_aloud_speaks_offline(tmp_path: Path, lang: str) -> None:
    wav = tmp_path / "spoken.wav"
    asyncio.run(Speaker().say("A042", lang=lang, wav_path=str(wav)))
    with wave.open(str(wav)) as audio:
        assert audio.getnframes() > 1000


def test_missing_speech_program_is_silent_not_fatal() -> None:
    speaker = Speaker(executable="no-such-espeak")
    asyncio.run(speaker.say("Hallo", lang="de"))
    assert not speaker.available


TICKET = f.Ticket(id="t", number="A042", service_id="ausweis", position=3, ahead=2, eta_min=20,
                  status_url="http://127.0.0.1:8000/t/abc")  # fmt: skip


def print_one(printer: KioskPrinter, lang: str = "de") -> bool:
    content = ticket_words(
        office_name="Bürgeramt", number=TICKET.number, errand_names={"de": "Personalausweis"},
        lang=lang, issued_at=datetime(2026, 12, 1, 9, tzinfo=UTC), timezone="Europe/Berlin",
        people_ahead=TICKET.ahead, eta_min=TICKET.eta_min, status_url=TICKET.status_url,
    )  # fmt: skip
    return asyncio.run(printer.print_ticket(content=content))


def test_ticket_reaches_the_emulated_printer(tmp_path: Path) -> None:
    emulator = Emulator(out_dir=tmp_path / "printer", port=0).start()
    try:
        printer = KioskPrinter(address=emulator.address, paper_mm=80)
        assert asyncio.run(printer.ready())
        assert print_one(printer)
        (printed,) = emulator.wait_for_tickets(1, timeout=10)
        assert "A042" in printed.text
        assert printed.qr == [TICKET.status_url]
    finally:
        emulator.stop()


def test_printer_out_of_paper_or_gone_gives_false_not_a_crash(tmp_path: Path) -> None:
    emulator = Emulator(
        out_dir=tmp_path / "printer", port=0, status=EmulatedStatus.PAPER_OUT
    ).start()
    try:
        printer = KioskPrinter(address=emulator.address, paper_mm=80)
        assert not asyncio.run(printer.ready())
        assert not print_one(printer)
    finally:
        emulator.stop()
    assert not print_one(printer), "printer switched off"


def test_the_example_configuration_is_valid() -> None:
    config = load_config(Path(__file__).resolve().parents[2] / "kiosk" / "kiosk.example.toml")
    assert config.languages == ("de", "en", "tr", "ar", "uk", "ru")


def test_the_outbox_client_tells_done_from_not_yet(live_server: LiveServer) -> None:
    from kiosk.client import Redeemed
    from kiosk.offline import OutboxEntry

    async def visit() -> tuple[dict[str, object] | None, list[Redeemed]]:
        client = ServerClient(base_url=live_server.url, token=live_server.tokens["kiosk"])
        try:
            lease = await client.lease(per_service=1, idempotency_key="lease-1")
            assert lease is not None
            number = next(n for n in lease["numbers"] if n["service_id"] == "pass")  # type: ignore[union-attr]
            entry = OutboxEntry(
                key="o1", lease_id=number["id"], number=number["number"], service_id="pass",
                public_id=number["public_id"], issued_at="2026-12-01T09:00:00+01:00", lang="de",
            )
            void = OutboxEntry(**{**entry.__dict__, "key": "o2", "lease_id": "not-leased"})
            results = [await client.redeem(entry), await client.redeem(entry), await client.redeem(void)]
            live_server.stop()
            results.append(await client.redeem(entry))
            return lease, results
        finally:
            await client.close()

    lease, results = asyncio.run(visit())
    assert lease is not None and str(lease["status_url_base"]).endswith("/t/")
    assert results[:2] == [Redeemed(done=True), Redeemed(done=True)]
    assert results[2].done and results[2].refusal is not None
    assert results[2].refusal["code"] == "lease_unknown"
    assert results[3] == Redeemed(done=False)
