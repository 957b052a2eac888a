"""Server side of printing: jobs with each kiosk check-in, acks, printer status, over real HTTP."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from printer_office import PRINTER_ID, with_printer
from websockets.sync.client import connect

from counter_server.config import ConfigError, load_config
from printers.ticket import TicketContent
from tests.conftest import LiveServer, ServerFactory

JOBS = f"/api/v1/printers/{PRINTER_ID}/jobs"


@pytest.fixture
def server(server_factory: ServerFactory) -> LiveServer:
    return server_factory(edit_config=with_printer)


def _check_in(server: LiveServer, *, key: str | None = None, lang: str = "de") -> dict[str, Any]:
    with server.client("kiosk") as kiosk:
        response = kiosk.post(
            "/api/v1/checkins",
            json={"service_id": "ausweis", "lang": lang},
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _pending(server: LiveServer) -> list[dict[str, Any]]:
    with server.client("printer") as printer:
        response = printer.get(JOBS, params={"state": "pending"})
    assert response.status_code == 200, response.text
    return list(response.json()["jobs"])


def _next_event(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        event = json.loads(ws.recv(timeout=5))
        if event["type"] == kind:
            return dict(event)


def test_check_in_creates_one_job_with_printable_content(server: LiveServer) -> None:
    with connect(server.ws_url("printer")) as ws:
        answer = _check_in(server, key="tap-1", lang="ar")
        event = _next_event(ws, "print.job")
    again = _check_in(server, key="tap-1", lang="ar")
    assert again == answer
    [job] = _pending(server)
    assert answer["print_job"] == {"id": job["id"], "printer_id": PRINTER_ID}
    assert event["data"]["job_id"] == job["id"] and event["data"]["number"] == job["number"]
    content = TicketContent.from_json(job["content"])
    assert content.number == answer["ticket"]["number"]
    assert content.errand == "بطاقة الهوية" and content.errand_de == "Personalausweis"
    assert content.status_url.endswith(answer["ticket"]["public_id"])
    assert content.issued_at.utcoffset() is not None
    assert job["paper_mm"] == 80 and job["expires_at"] > job["created_at"]


def test_jobs_come_in_check_in_order_and_leave_when_acknowledged(server: LiveServer) -> None:
    numbers = [_check_in(server)["ticket"]["number"] for _ in range(3)]
    jobs = _pending(server)
    assert [j["number"] for j in jobs] == numbers
    with server.client("printer") as printer:
        first = printer.post(
            f"{JOBS}/{jobs[0]['id']}/ack",
            json={"outcome": "printed"},
            headers={"Idempotency-Key": "ack-1"},
        )
        repeat = printer.post(f"{JOBS}/{jobs[0]['id']}/ack", json={"outcome": "printed"})
        conflict = printer.post(f"{JOBS}/{jobs[0]['id']}/ack", json={"outcome": "dropped"})
        dropped = printer.post(
            f"{JOBS}/{jobs[1]['id']}/ack", json={"outcome": "dropped", "reason": "too_old"}
        )
        done = printer.get(JOBS, params={"state": "printed"}).json()["jobs"]
    assert first.status_code == 200 and first.json()["job"]["state"] == "printed"
    assert repeat.status_code == 200 and repeat.json() == first.json()
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "print_job_already_done"
    assert dropped.json()["job"]["reason"] == "too_old"
    assert [j["number"] for j in _pending(server)] == numbers[2:]
    assert [j["number"] for j in done] == numbers[:1]


def test_refusals_are_clear_and_change_nothing(server: LiveServer) -> None:
    _check_in(server)
    [job] = _pending(server)
    with server.client("printer") as printer:
        assert printer.post(f"{JOBS}/nope/ack", json={}).status_code == 404
        assert printer.get("/api/v1/printers/nope/jobs").status_code == 404
        assert printer.post(f"{JOBS}/{job['id']}/ack", json={"outcome": "eaten"}).status_code == 422
        assert printer.get(JOBS, params={"state": "lost"}).status_code == 422
        bad_json = printer.post(
            f"{JOBS}/{job['id']}/ack",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
        assert bad_json.status_code == 400
        assert (
            printer.post(
                f"/api/v1/printers/{PRINTER_ID}/status", json={"status": "fine"}
            ).status_code
            == 422
        )
    with server.client("display") as display:
        assert display.get(JOBS).status_code == 403
        assert display.post(f"{JOBS}/{job['id']}/ack", json={}).status_code == 403
    anonymous = httpx.post(f"{server.url}{JOBS}/{job['id']}/ack", json={})
    assert anonymous.status_code == 401
    assert [j["id"] for j in _pending(server)] == [job["id"]]


def test_status_changes_become_events_and_show_in_the_printer_list(server: LiveServer) -> None:
    url = f"/api/v1/printers/{PRINTER_ID}/status"
    with connect(server.ws_url("display")) as ws, server.client("printer") as printer:
        assert printer.post(url, json={"status": "ok"}).json()["changed"] is True
        assert _next_event(ws, "printer.status")["data"]["status"] == "ok"
        assert printer.post(url, json={"status": "ok"}).json()["changed"] is False
        assert printer.post(url, json={"status": "paper_out", "detail": "roll empty"}).json()[
            "changed"
        ]
        event = _next_event(ws, "printer.status")
    assert event["data"] == {
        "printer_id": PRINTER_ID,
        "status": "paper_out",
        "detail": "roll empty",
    }
    _check_in(server)
    with server.client("display") as display:
        [listed] = display.get("/api/v1/printers").json()["printers"]
    assert listed["status"] == "paper_out" and listed["pending_jobs"] == 1
    with server.client("kiosk") as kiosk:
        assert kiosk.post(url, json={"status": "ok"}).status_code == 200


def test_kiosk_without_a_network_printer_gets_no_job(server_factory: ServerFactory) -> None:
    server = server_factory()
    answer = _check_in(server)
    assert "print_job" not in answer
    with server.client("display") as display:
        assert display.get("/api/v1/printers").json() == {"printers": []}


def test_bad_printer_config_names_the_field(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "counter_server" / "demo_office.toml"
    path = tmp_path / "office.toml"
    path.write_text(with_printer(source.read_text()).replace("paper_mm = 80", "paper_mm = 62"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.field == "printers[0].paper_mm"
