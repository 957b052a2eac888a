"""Issue 19: /metrics scraped and parsed with prometheus-client's parser; admin only,
never on the public listener."""

from __future__ import annotations

import math
import subprocess
import sys

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.harness import free_port
from tests.conftest import ServerFactory
from tests.office import check_in


def _scrape(url: str, token: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    answer = httpx.get(url + "/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {family.name: [(s.labels, s.value) for s in family.samples]
            for family in text_string_to_metric_families(answer.text)}


def test_metrics_parse_and_tell_the_office_state(server_factory: ServerFactory, tmp_path: object) -> None:
    public_port = free_port()
    server = server_factory(start=False)
    server.extra_args = ["--public-port", str(public_port)]
    server.start()
    check_in(server, service_id="ausweis")
    check_in(server, service_id="ausweis")
    httpx.get(server.url + "/api/v1/tickets/public/nobody")
    backup = subprocess.run([sys.executable, "-m", "counter_server.cli", "backup", "--data-dir", str(server.data_dir),
                             "--to", str(server.data_dir.parent / "backups")], capture_output=True, timeout=120)
    assert backup.returncode == 0
    families = _scrape(server.url, server.tokens["admin"])

    requests = {(labels["route"], labels["status"]): value for labels, value in families["townhall_http_requests"]
                if "route" in labels}
    assert requests[("/api/v1/checkins", "201")] == 2
    assert requests[("/api/v1/tickets/public/{public_id}", "404")] == 1
    buckets = [s for s in families["townhall_http_request_duration_seconds"] if s[0].get("route") == "/api/v1/checkins"]
    assert buckets and any(labels.get("le") == "+Inf" and value == 2 for labels, value in buckets)
    waiting = {labels["service"]: value for labels, value in families["townhall_waiting"]}
    assert waiting["ausweis"] == 2 and set(waiting) >= {"ausweis"}
    assert families["townhall_counters_open"][0][1] == 0
    assert "townhall_websocket_clients" in families and "townhall_print_jobs_pending" in families
    assert "townhall_printer_status" in families
    kiosks = [labels for labels, _ in families["townhall_device_last_seen_seconds"] if labels["role"] == "kiosk"]
    assert kiosks
    age = families["townhall_last_backup_age_seconds"][0][1]
    assert not math.isnan(age) and 0 <= age < 120

    assert httpx.get(server.url + "/metrics").status_code == 401
    with server.client("display") as display:
        assert display.get("/metrics").status_code == 403
    public = httpx.get(f"http://127.0.0.1:{public_port}/metrics",
                       headers={"Authorization": f"Bearer {server.tokens['admin']}"})
    assert public.status_code == 404
