"""`townhall install city`: the city's services on one host, from its city.toml.

`townhall-city.service` (the streams into PostgreSQL) and `townhall-city-site.service` (the
city-wide booking site) run as the system user `townhall-city`; with `--nats-server` also
`townhall-nats.service`, a NATS server with JetStream and a leaf-node port for the offices;
with `--create-db` the PostgreSQL role and database (peer authentication over the local
socket, so the DSN needs no password). `townhall city init` runs last, as that user.
"""

from __future__ import annotations

import argparse
import grp
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from . import units
from .plan import Step, add_user, command, write_file

USER = "townhall-city"
CITY_UNITS = ("townhall-nats.service", "townhall-city.service", "townhall-city-site.service",
              "townhall-nats-leaf.service")

# the city service and the city site: one shape, told apart by what they run
CITY_UNIT = """\
[Unit]
Description=$what
After=$after
Wants=network-online.target

[Service]
Type=simple
User=$user
Group=$user
ExecStart=$python -m counter_server.cli city $command
Restart=on-failure
RestartSec=3
$hardening
SyslogIdentifier=$name

[Install]
WantedBy=multi-user.target
"""

NATS_SERVICE = """\
[Unit]
Description=$what
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
DynamicUser=yes
StateDirectory=$name
ExecStart=/usr/sbin/nats-server -c $config_dir/$name.conf
ExecReload=/bin/kill -s HUP $$MAINPID
Restart=on-failure
RestartSec=2
LimitNOFILE=65536
$hardening
SyslogIdentifier=$name

[Install]
WantedBy=multi-user.target
"""

LEAF_CONF = """\
# written by `townhall install --city-leaf`: this office's NATS leaf node; the office's
# [city] nats_url is nats://127.0.0.1:4222 with jetstream_domain = "city" (the hub's JetStream)
listen: "127.0.0.1:4222"
leafnodes {
  remotes [ { url: "$remote" } ]
}
"""

NATS_CONF = """\
# written by `townhall install city`: the city's NATS server
listen: "$nats_listen"
server_name: "townhall-city"
jetstream {
  store_dir: "/var/lib/townhall-nats"
  domain: "city"
}
# each office's leaf node connects here (its remote url: nats-leaf://CITY:$leaf_port)
leafnodes {
  listen: "0.0.0.0:$leaf_port"
}
"""


HUB = "NATS server of the townhall-queue city (JetStream, leaf nodes of the offices)"
LEAF = "NATS leaf node of this townhall-queue office (to the city's NATS)"


def city_units(config: Path, settings: units.Settings) -> dict[str, dict[str, str]]:
    """Unit name -> what fills CITY_UNIT for it."""
    return {
        "townhall-city": {
            "what": "townhall-queue city service: every office's events into PostgreSQL",
            "after": "network-online.target postgresql.service townhall-nats.service",
            "command": f"--config {config} --log-level info"},
        "townhall-city-site": {
            "what": "townhall-queue city booking site (earliest free time in any office)",
            "after": "network-online.target",
            "command": f"serve --config {config} --host {settings.host} --port {settings.port}"},
    }


def leaf_steps(settings: units.Settings, remote: str) -> tuple[list[Step], dict[str, str]]:
    """An office's own NATS leaf node: its config file, and its unit (enable it with the others)."""
    conf = units.render(LEAF_CONF, settings, remote=remote)
    unit = units.render(NATS_SERVICE, settings, name="townhall-nats-leaf", what=LEAF)
    return [write_file(Path(settings.config_dir) / "townhall-nats-leaf.conf", conf, 0o644)], \
        {"townhall-nats-leaf.service": unit}


def add_parser(targets: argparse._SubParsersAction[argparse.ArgumentParser],
               common: Callable[[argparse.ArgumentParser], None]) -> argparse.ArgumentParser:
    city = targets.add_parser("city", help="the city's services: streams into PostgreSQL, city booking site")
    common(city)
    city.add_argument("--config", required=True, help="city.toml ([nats], [postgres], offices)")
    city.add_argument("--host", default="0.0.0.0", help="the city site's address (0.0.0.0)")
    city.add_argument("--port", type=int, default=8100, help="the city site's port (8100)")
    city.add_argument("--nats-server", action="store_true",
                      help="also run the city's NATS server here (JetStream on, leaf-node port for the offices)")
    city.add_argument("--nats-listen", default="127.0.0.1:4222", help="with --nats-server: client address")
    city.add_argument("--leaf-port", type=int, default=7422, help="with --nats-server: the offices' leaf port")
    city.add_argument("--create-db", metavar="NAME",
                      help="create the local PostgreSQL role (the user) and database NAME when missing")
    return city


def _create_db(user: str, database: str) -> None:
    def psql(sql: str) -> str:
        return subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-tAc", sql], check=True,
                              capture_output=True, text=True).stdout.strip()

    if not psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'"):
        subprocess.run(["runuser", "-u", "postgres", "--", "createuser", user], check=True)
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):
        subprocess.run(["runuser", "-u", "postgres", "--", "createdb", "--owner", user, database], check=True)


def _readable_by(config: Path, user: str) -> None:
    os.chown(config, -1, grp.getgrnam(user).gr_gid)
    config.chmod(0o640)


def city_steps(args: argparse.Namespace) -> list[Step]:
    user = args.user or USER
    config = Path(args.config).resolve()
    settings = units.Settings(python=sys.executable, user=user, host=args.host, port=args.port)
    files = {f"{name}.service": units.render(CITY_UNIT, settings, name=name, **fields)
             for name, fields in city_units(config, settings).items()}
    steps = add_user(user, "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin")
    steps.append(Step(f"{config}: group {user}, mode 640 (it holds the offices' tokens)",
                      lambda: _readable_by(config, user)))
    enable = []
    if args.nats_server:
        conf = units.render(NATS_CONF, settings, nats_listen=args.nats_listen, leaf_port=str(args.leaf_port))
        steps.append(write_file(Path(settings.config_dir) / "townhall-nats.conf", conf, 0o644))
        files["townhall-nats.service"] = units.render(NATS_SERVICE, settings, name="townhall-nats", what=HUB)
        enable.append("townhall-nats.service")
    if args.create_db:
        steps.append(Step(f"PostgreSQL: role {user} and database {args.create_db} (only when missing)",
                          lambda: _create_db(user, args.create_db)))
    steps += [write_file(Path("/etc/systemd/system") / name, text, 0o644) for name, text in files.items()]
    steps.append(command("systemctl", "daemon-reload"))
    steps += [command("systemctl", "enable", "--now", name) for name in enable]
    steps.append(command("runuser", "-u", user, "--", sys.executable, "-m", "counter_server.cli", "city", "init",
                         "--config", str(config)))
    return steps + [command("systemctl", "enable", "--now", name)
                    for name in ("townhall-city.service", "townhall-city-site.service")]
