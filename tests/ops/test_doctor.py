"""Issue 19: `townhall doctor` against a live server says in plain words what is wrong."""

from __future__ import annotations

import subprocess
import sys

from counter_server import backup
from tests.conftest import LiveServer
from tests.office import check_in


def doctor(server: LiveServer, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "counter_server.cli", "doctor", "--server", server.url,
                           "--token", server.tokens["admin"], *extra], capture_output=True, text=True, timeout=120)


def test_doctor_finds_the_missing_backup_then_a_healthy_office(live_server: LiveServer, tmp_path: object) -> None:
    check_in(live_server, service_id="ausweis")  # the kiosk is seen
    first = doctor(live_server, "--data-dir", str(live_server.data_dir))
    assert first.returncode == 1, first.stdout
    assert "[FEHLER] noch keine Datensicherung" in first.stdout and "no backup yet" in first.stdout
    assert "[OK] Server" in first.stdout and "[OK] Uhrzeit stimmt" in first.stdout
    assert "integrity_check ok" in first.stdout and "signing key" in first.stdout
    assert "Kiosk kiosk verbunden" in first.stdout

    backup.backup(live_server.data_dir, live_server.data_dir.parent / "backups")
    second = doctor(live_server, "--data-dir", str(live_server.data_dir))
    assert second.returncode == 0, second.stdout
    assert "letzte Datensicherung vor 0.0 h" in second.stdout and "0 Fehler" in second.stdout


def test_doctor_with_a_wrong_token_or_no_server(live_server: LiveServer) -> None:
    live_server.tokens["admin"] = live_server.tokens["display"]
    refused = doctor(live_server)
    assert refused.returncode == 1 and "admin token is needed" in refused.stdout
    live_server.stop()
    gone = doctor(live_server)
    assert gone.returncode == 1 and "nicht erreichbar" in gone.stdout
