"""Issue 19: `townhall install [kiosk|display] --dry-run` and `uninstall --dry-run` print what
they would do; the unit files pass `systemd-analyze verify` where it exists."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from counter_server.install import units


def townhall(*args: str) -> str:
    answer = subprocess.run([sys.executable, "-m", "counter_server.cli", *args],
                            capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


def test_install_dry_run_shows_user_data_dir_hardened_units_and_backup_timer() -> None:
    out = townhall("install", "--dry-run", "--data-dir", "/srv/th", "--printer", "tcp://10.0.0.9:9100",
                   "--printer-token", "PT")
    assert "dry run, nothing changed" in out
    assert "useradd --system" in out and "/srv/th, owner townhall, mode 700" in out
    for line in ("Restart=on-failure", "ProtectSystem=strict", "NoNewPrivileges=true", "PrivateTmp=true",
                 "ReadWritePaths=/srv/th", "UMask=0077", "OnCalendar=", "Persistent=true",
                 "serve --data-dir /srv/th", "backup --data-dir /srv/th --to /var/backups/townhall --keep 14"):
        assert line in out, line
    for unit in ("townhall.service", "townhall-print-agent.service", "townhall-backup.timer"):
        assert f"systemctl enable --now {unit}" in out
    assert "TOWNHALL_PRINTER=tcp://10.0.0.9:9100" in out


def test_kiosk_and_display_dry_runs() -> None:
    kiosk = townhall("install", "kiosk", "--server", "http://10.0.0.2:8000", "--token", "KT", "--dry-run")
    assert "useradd --create-home" in kiosk and "townhall-kiosk" in kiosk
    assert "TOWNHALL_TOKEN=KT" in kiosk and "(mode 600)" in kiosk
    assert "xset -dpms" in kiosk and "xset s off" in kiosk and "--fullscreen" in kiosk
    assert "Restart=always" in kiosk and "xinit" in kiosk and "-s 0 -dpms" in kiosk
    display = townhall("install", "display", "--url", "http://10.0.0.2:8000/display?token=D", "--dry-run")
    assert "chromium --kiosk --autoplay-policy=no-user-gesture-required" in display
    assert "TOWNHALL_URL=http://10.0.0.2:8000/display?token=D" in display
    assert "systemctl enable --now townhall-display.service" in display


def test_uninstall_dry_run_keeps_the_data() -> None:
    out = townhall("uninstall", "--dry-run")
    assert "systemctl disable --now townhall.service" in out and "keep the data directory" in out
    assert "rm -r" not in out and "/var/lib/townhall" not in out


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    settings = units.Settings(python=sys.executable)
    files = units.server_units(settings)
    for name in ("kiosk", "display"):
        unit, _ = units.x_session(name, name, settings)
        for tool in ("/usr/bin/xinit", "/usr/bin/chvt"):
            if not Path(tool).exists():  # a server without X: check all but the binaries' existence
                unit = unit.replace(tool, "/bin/true")
        files[f"townhall-{name}.service"] = unit
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    answer = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(files)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_install_with_tls_serves_https_and_the_agent_and_kiosk_check_the_ca(tmp_path: Path) -> None:
    out = townhall("install", "--dry-run", "--data-dir", "/srv/th", "--tls", "--tls-ip", "192.168.1.10",
                   "--printer", "tcp://10.0.0.9:9100", "--printer-token", "PT")
    assert "townhall tls init --data-dir /srv/th" in out
    assert "--log-json --tls" in out
    assert "TOWNHALL_SERVER=https://localhost:8000" in out and "TOWNHALL_CA=/srv/th/keys/tls/ca.pem" in out
    assert "--ca ${TOWNHALL_CA}" in out
    plain = townhall("install", "--dry-run", "--printer", "tcp://10.0.0.9:9100", "--printer-token", "PT")
    assert "--tls" not in plain.replace("--tls-", "") and "TOWNHALL_SERVER=http://localhost:8000" in plain
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", encoding="ascii")
    kiosk = townhall("install", "kiosk", "--server", "https://10.0.0.2:8000", "--token", "KT", "--ca", str(ca),
                     "--dry-run")
    assert "TOWNHALL_CA=/etc/townhall/ca.pem" in kiosk and "write /etc/townhall/ca.pem" in kiosk
    assert '--ca "${TOWNHALL_CA:-}"' in kiosk


def test_install_kiosk_refuses_a_ca_that_is_no_certificate(tmp_path: Path) -> None:
    wrong = tmp_path / "ca.pem"
    wrong.write_text("not a certificate", encoding="ascii")
    for ca in (wrong, tmp_path / "missing.pem"):
        answer = subprocess.run([sys.executable, "-m", "counter_server.cli", "install", "kiosk", "--server",
                                 "https://10.0.0.2:8000", "--token", "KT", "--ca", str(ca), "--dry-run"],
                                capture_output=True, text=True, timeout=60)
        assert answer.returncode == 2 and "not a PEM certificate" in answer.stderr, answer
