"""HTTPS on the LAN: the office's own CA, `serve --tls`, and clients that trust only that CA."""

from __future__ import annotations

import asyncio
import json
import logging
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import websockets
from cryptography import x509

import kiosk.flow as f
from bench.harness import free_port
from counter_server.cli import main
from counter_server.tls import TlsFiles, init_tls
from counter_server.tls_client import ssl_context
from kiosk.client import ServerClient
from kiosk.config import KioskConfigError, load_config
from printers.agent import AgentSettings, AgentSetupError, PrintAgent
from tests.conftest import LiveServer, ServerFactory


def _sans(files: TlsFiles) -> list[str]:
    cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(v) for v in ext.get_values_for_type(x509.DNSName)] + [
        str(v) for v in ext.get_values_for_type(x509.IPAddress)]


def test_init_tls_makes_a_ca_and_a_server_certificate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "office"
    assert main(["init", "--data-dir", str(data_dir), "--tls", "--host-name", "rathaus.local",
                 "--ip", "192.168.1.10"]) == 0
    files = TlsFiles.of(data_dir)
    assert "new CA" in capsys.readouterr().out
    assert stat.S_IMODE(files.ca_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(files.server_key.stat().st_mode) == 0o600
    assert set(_sans(files)) >= {"rathaus.local", "localhost", "192.168.1.10", "127.0.0.1"}
    ca_before = files.ca_cert.read_bytes()
    assert main(["tls", "init", "--data-dir", str(data_dir), "--name", "zimmer-3"]) == 0
    assert "kept the existing CA" in capsys.readouterr().out
    assert files.ca_cert.read_bytes() == ca_before, "a new server certificate needs no new trust"
    assert "zimmer-3" in _sans(files)


def test_a_wrong_address_is_refused_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["init", "--data-dir", str(tmp_path / "o")])
    assert main(["tls", "init", "--data-dir", str(tmp_path / "o"), "--ip", "192.168.1.300"]) == 2
    assert "192.168.1.300" in capsys.readouterr().err


def test_serve_tls_without_a_certificate_is_refused(tmp_path: Path) -> None:
    main(["init", "--data-dir", str(tmp_path / "o")])
    done = subprocess.run(
        [sys.executable, "-m", "counter_server.cli", "serve", "--data-dir", str(tmp_path / "o"),
         "--port", str(free_port()), "--tls"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "townhall tls init" in done.stderr


@pytest.fixture
def tls_server(server_factory: ServerFactory) -> LiveServer:
    server = server_factory(start=False)
    files, _ = init_tls(server.data_dir, names=["rathaus.local"])
    server.ca_file = files.ca_cert
    server.extra_args = ["--public-port", str(free_port())]
    server.start()
    return server


@pytest.fixture
def other_ca(tmp_path: Path) -> Path:
    """A CA that did not sign the server's certificate."""
    (tmp_path / "elsewhere").mkdir()
    files, _ = init_tls(tmp_path / "elsewhere")
    return files.ca_cert


def test_https_with_the_ca(tls_server: LiveServer, other_ca: Path) -> None:
    assert tls_server.url.startswith("https://")
    verify = ssl_context(tls_server.ca_file)
    assert httpx.get(tls_server.url + "/health", verify=verify).status_code == 200
    with tls_server.client("admin") as admin:
        assert admin.get("/api/v1/services").status_code == 200
    public_port = tls_server.extra_args[1]
    assert httpx.get(f"https://127.0.0.1:{public_port}/health", verify=verify).status_code in (200, 404)
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(tls_server.url + "/health", verify=ssl_context(other_ca))
    with pytest.raises(httpx.TransportError):  # plain HTTP is not answered on a TLS port
        httpx.get(tls_server.url.replace("https", "http") + "/health")


def test_websocket_over_wss(tls_server: LiveServer) -> None:
    """The snapshot, then live events, which a caught-up socket gets written at once (frames.py)
    through the TLS transport too."""

    async def first_events() -> list[dict[str, object]]:
        url = tls_server.ws_url("display")
        assert url.startswith("wss://")
        async with websockets.connect(url, ssl=ssl_context(tls_server.ca_file), open_timeout=10) as socket:
            events = [json.loads(await asyncio.wait_for(socket.recv(), 10))]
            await asyncio.sleep(0.2)  # caught up: written to directly from now on
            with tls_server.client("kiosk") as kiosk:
                for service_id in ("ausweis", "pass"):
                    answer = await asyncio.to_thread(kiosk.post, "/api/v1/checkins", json={"service_id": service_id},
                                                     headers={"Idempotency-Key": str(uuid.uuid4())})
                    assert answer.status_code == 201, answer.text
            events += [json.loads(await asyncio.wait_for(socket.recv(), 10)) for _ in range(2)]
            return events

    snapshot, *live = asyncio.run(first_events())
    assert snapshot["type"] == "snapshot"
    assert [e["type"] for e in live] == ["ticket.created", "ticket.created"]
    assert [e["data"]["ticket"]["service_id"] for e in live] == ["ausweis", "pass"]  # type: ignore[index]


def test_kiosk_trusts_only_the_office_ca(tls_server: LiveServer, other_ca: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    async def services(ca: Path) -> object:
        client = ServerClient(base_url=tls_server.url, token=tls_server.tokens["kiosk"], ca_file=str(ca))
        try:
            return await client.services()
        finally:
            await client.close()

    assert tls_server.ca_file is not None
    assert isinstance(asyncio.run(services(tls_server.ca_file)), f.ServicesLoaded)
    with caplog.at_level(logging.WARNING, logger="kiosk.client"):
        assert asyncio.run(services(other_ca)) is None
    assert "certificate is not trusted" in caplog.text


def test_kiosk_events_over_wss(tls_server: LiveServer) -> None:
    async def watch() -> list[bool]:
        assert tls_server.ca_file is not None
        client = ServerClient(base_url=tls_server.url, token=tls_server.tokens["kiosk"],
                              ca_file=str(tls_server.ca_file))
        seen: list[bool] = []
        up = asyncio.Event()

        def on_status(ok: bool) -> None:
            seen.append(ok)
            up.set()

        task = asyncio.create_task(client.watch(on_event=lambda e: None, on_status=on_status))
        await asyncio.wait_for(up.wait(), 10)
        task.cancel()
        await client.close()
        return seen

    assert asyncio.run(watch())[0] is True


def test_kiosk_config_refuses_a_missing_ca(tmp_path: Path) -> None:
    with pytest.raises(KioskConfigError, match="ca:"):
        load_config(None, server="https://h", token="t", ca=str(tmp_path / "nope.pem"))


def test_print_agent_refuses_another_ca(tls_server: LiveServer, other_ca: Path, tmp_path: Path) -> None:
    def settings(ca: Path) -> AgentSettings:
        return AgentSettings(server=tls_server.url, token=tls_server.tokens["printer"],
                             printer="tcp://127.0.0.1:9", state_dir=tmp_path / "agent", ca_file=str(ca))

    async def printers(ca: Path) -> int:
        agent = PrintAgent(settings(ca))
        try:
            return (await agent.http.get("/api/v1/printers")).status_code
        finally:
            await agent.http.aclose()

    async def resolve(ca: Path) -> None:
        agent = PrintAgent(settings(ca))
        try:
            await agent._resolve_printer()
        finally:
            await agent.http.aclose()

    assert tls_server.ca_file is not None
    assert asyncio.run(printers(tls_server.ca_file)) == 200
    with pytest.raises(AgentSetupError, match="certificate is not trusted"):
        asyncio.run(resolve(other_ca))


def test_doctor_checks_an_https_server_and_its_certificate(tls_server: LiveServer, other_ca: Path) -> None:
    from counter_server import doctor

    trusted = list(doctor.check_server(tls_server.url, tls_server.tokens["admin"], ssl_context(tls_server.ca_file)))
    assert trusted[0].level == doctor.OK and all(f.level != doctor.FAIL for f in trusted[:2])
    refused = list(doctor.check_server(tls_server.url, tls_server.tokens["admin"], ssl_context(other_ca)))
    assert refused[0].level == doctor.FAIL and "not trusted" in refused[0].en
    cert = [f for f in doctor.check_files(tls_server.data_dir) if "TLS certificate" in f.en]
    assert cert and cert[0].level == doctor.OK
