"""`townhall`: the one command an office's IT admin needs."""

from __future__ import annotations

import argparse
import importlib
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from . import keys, tls_cli
from .auth import DeviceError, add_device
from .config import CONFIG_TEMPLATE, ConfigError, load_config
from .paths import DataDir, StartRefused
from .store import Store, Tx

# each command's module and the function that adds its parser. A module is imported only when its
# command runs (all of them for --help): `serve` does not load the kiosk, the printers, the city
# layer or the installer, and starts about a second sooner on a small PC
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("counter_server.serve_cli", "add_parser"),
    "backup": ("counter_server.backup_cli", "add_parsers"),
    "restore": ("counter_server.backup_cli", "add_parsers"),
    "install": ("counter_server.install.cli", "add_parsers"),
    "uninstall": ("counter_server.install.cli", "add_parsers"),
    "doctor": ("counter_server.doctor", "add_parser"),
    "demo": ("counter_server.demo", "add_parser"),
    "keys": ("counter_server.keys_cli", "add_parser"),
    "tls": ("counter_server.tls_cli", "add_parser"),
    "staff": ("counter_server.staff_cli", "add_parser"),
    "simulate": ("bench.cli", "add_parser"),
    "kiosk": ("kiosk.cli", "add_parser"),
    "printer": ("printers.cli", "add_parser"),
    "stats": ("counter_server.stats.cli", "add_parser"),
    "city": ("counter_server.city.cli", "add_parser"),
}


def _data_dir(text: str) -> Path:
    return Path(text).expanduser().resolve()


def init_data_dir(data_dir: Path, *, demo_office: bool) -> bool:
    """Create office.toml, the database and the keys; return False when it existed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    files = DataDir(data_dir)
    config_path = files.config
    created = not config_path.exists()
    if created:
        template = (
            resources.files("counter_server").joinpath("demo_office.toml").read_text(encoding="utf-8")
            if demo_office else CONFIG_TEMPLATE
        )
        config_path.write_text(template, encoding="utf-8")
    load_config(config_path)
    files.db.touch(mode=0o600)  # SQLite gives the WAL and SHM files the database's mode
    Store(files.db).close()
    keys.ensure_keys(data_dir)
    files.secure()
    return created


def cmd_init(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args.data_dir)
    created = init_data_dir(data_dir, demo_office=args.demo)
    state = "created" if created else "kept the existing"
    files = DataDir(data_dir)
    print(f"{state} {files.config}; database {files.db} is ready")
    if args.tls:
        return tls_cli.make_certificates(data_dir, args)
    return 0


def new_device_tokens(data_dir: Path, devices: list[tuple[str, str, str | None]]) -> list[str]:
    """Add devices (role, name, counter id) to an office's database; their new tokens."""
    files = DataDir(data_dir)
    counter_ids = {c.id for c in load_config(files.config).office.counters}
    store = Store(files.db)

    def add_all(tx: Tx) -> list[str]:
        return [
            add_device(tx.db, role=role, name=name, now=tx.now, counter_id=counter, counter_ids=counter_ids)[1]
            for role, name, counter in devices
        ]

    try:
        return store.write_sync(add_all, now=datetime.now(UTC))
    finally:
        store.close()


def cmd_device_add(args: argparse.Namespace) -> int:
    try:
        [token] = new_device_tokens(_data_dir(args.data_dir), [(args.role, args.name or "", args.counter)])
    except DeviceError as error:
        print(f"townhall device add: {error}", file=sys.stderr)
        return 2
    print(f"new {args.role} device; its token (shown only now):")
    print(token)
    return 0


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `command` only what that command needs."""
    parser = argparse.ArgumentParser(prog="townhall", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="create office.toml, the database and the keys")
    init.add_argument("--data-dir", required=True)
    init.add_argument("--demo", action="store_true", help="a realistic demo Bürgeramt")
    init.add_argument("--tls", action="store_true", help="also a CA and a server certificate (townhall tls init)")
    tls_cli.add_name_options(init)
    init.set_defaults(handler=cmd_init)

    device = sub.add_parser("device", help="device tokens").add_subparsers(dest="action", required=True)
    add = device.add_parser("add", help="create a device; prints its token as the last line")
    add.add_argument("--data-dir", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--counter")
    add.add_argument("--name")
    add.set_defaults(handler=cmd_device_add)

    if command in ("init", "device"):
        return parser
    wanted = [COMMANDS[command]] if command in COMMANDS else list(COMMANDS.values())
    for module, adder in dict.fromkeys(wanted):
        getattr(importlib.import_module(module), adder)(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return int(args.handler(args))
    except ConfigError as error:
        print(f"townhall: configuration error: {error}", file=sys.stderr)
        return 2
    except keys.KeyFileError as error:
        print(f"townhall: signing key: {error}", file=sys.stderr)
        return 2
    except StartRefused as error:
        print(f"townhall: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
