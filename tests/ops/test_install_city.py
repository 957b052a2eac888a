"""Issue 20: `townhall install city --dry-run` prints the city's services (user, units, NATS with
JetStream and a leaf port, the database, `city init` as that user); a wrong city.toml is refused
before anything is done; the units pass `systemd-analyze verify` where it exists."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from counter_server.install import units
from counter_server.install.city import CITY_UNIT, NATS_SERVICE, city_units

CITY_TOML = """\
[city]
name = "Stadt Musterstadt"

[nats]
url = "nats://127.0.0.1:4222"

[postgres]
dsn = "host=/var/run/postgresql dbname=townhall_city"

[[offices]]
id = "mitte"
name = "Bürgeramt Mitte"
url = "http://10.1.0.10:8000"
token = "T"
"""


def install_city(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "counter_server.cli", "install", "city", *args],
                          capture_output=True, text=True, timeout=60)


def test_install_city_dry_run_shows_units_nats_database_and_init(tmp_path: Path) -> None:
    config = tmp_path / "city.toml"
    config.write_text(CITY_TOML, encoding="utf-8")
    answer = install_city("--config", str(config), "--dry-run", "--nats-server", "--create-db", "townhall_city",
                          "--port", "8110")
    assert answer.returncode == 0, answer.stderr
    out = answer.stdout
    assert "dry run, nothing changed" in out and "useradd --system" in out and "townhall-city" in out
    assert f"{config}: group townhall-city, mode 640" in out
    assert "write /etc/townhall/townhall-nats.conf" in out and "jetstream {" in out and 'store_dir: "/var/lib/townhall-nats"' in out and 'listen: "0.0.0.0:7422"' in out
    assert "role townhall-city and database townhall_city (only when missing)" in out
    assert f"city --config {config} --log-level info" in out
    assert f"city serve --config {config} --host 0.0.0.0 --port 8110" in out
    for line in ("ProtectSystem=strict", "NoNewPrivileges=true", "Restart=on-failure", "DynamicUser=yes"):
        assert line in out
    steps = [line for line in out.splitlines() if line[:1].isdigit()]
    order = [next(i for i, s in enumerate(steps) if what in s) for what in (
        "enable --now townhall-nats.service", f"city init --config {config}",
        "enable --now townhall-city.service", "enable --now townhall-city-site.service")]
    assert order == sorted(order)  # NATS up before init, init before the services
    plain = install_city("--config", str(config), "--dry-run")
    assert "townhall-nats.conf" not in plain.stdout and "PostgreSQL: role" not in plain.stdout


def test_install_city_refuses_a_wrong_city_toml(tmp_path: Path) -> None:
    config = tmp_path / "city.toml"
    config.write_text(CITY_TOML.replace('url = "nats://127.0.0.1:4222"', 'url = "http://x"'), encoding="utf-8")
    answer = install_city("--config", str(config), "--dry-run")
    assert answer.returncode == 2 and "nats.url must be a NATS URL" in answer.stderr
    missing = install_city("--config", str(tmp_path / "nowhere.toml"), "--dry-run")
    assert missing.returncode == 2 and "nowhere.toml" in missing.stderr


def test_uninstall_removes_the_city_units_too() -> None:
    out = subprocess.run([sys.executable, "-m", "counter_server.cli", "uninstall", "--dry-run"],
                         capture_output=True, text=True, timeout=60).stdout
    for unit in ("townhall-city.service", "townhall-city-site.service", "townhall-nats.service"):
        assert f"systemctl disable --now {unit}" in out


@pytest.mark.skipif(shutil.which("systemd-analyze") is None or not Path("/usr/sbin/nats-server").exists(),
                    reason="no systemd-analyze or nats-server here")
def test_city_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    settings = units.Settings(python=sys.executable, user="root", port=8100)
    files = {f"{name}.service": units.render(CITY_UNIT, settings, name=name, **fields)
             for name, fields in city_units(tmp_path / "city.toml", settings).items()}
    files |= {"townhall-nats.service": units.render(NATS_SERVICE, settings, name="townhall-nats", what="hub")}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    answer = subprocess.run(["systemd-analyze", "verify", "--man=no", *sorted(files)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_an_office_install_with_its_own_nats_leaf_node() -> None:
    out = subprocess.run([sys.executable, "-m", "counter_server.cli", "install", "--dry-run", "--city-leaf",
                          "nats-leaf://city.example:7422"], capture_output=True, text=True, timeout=60).stdout
    assert "write /etc/townhall/townhall-nats-leaf.conf" in out and 'listen: "127.0.0.1:4222"' in out
    assert 'remotes [ { url: "nats-leaf://city.example:7422" } ]' in out and "store_dir" not in out
    assert "ExecStart=/usr/sbin/nats-server -c /etc/townhall/townhall-nats-leaf.conf" in out
    assert "systemctl enable --now townhall-nats-leaf.service" in out
