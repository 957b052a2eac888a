"""`townhall`: the one command an office's IT admin needs."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from bench import cli as bench_cli
from kiosk import cli as kiosk_cli
from printers import cli as printers_cli

from . import backup_cli, demo, doctor, keys, keys_cli, serve_cli, staff_cli, tls_cli
from .auth import DeviceError, add_device
from .city import cli as city_cli
from .config import CONFIG_TEMPLATE, ConfigError, load_config
from .install import cli as install_cli
from .paths import DataDir, StartRefused
from .stats import cli as stats_cli
from .store import Store, Tx

DEFAULT_PORT = serve_cli.DEFAULT_PORT


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


def build_parser() -> argparse.ArgumentParser:
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

    serve_cli.add_parser(sub)
    backup_cli.add_parsers(sub)
    install_cli.add_parsers(sub)
    doctor.add_parser(sub)
    demo.add_parser(sub)
    keys_cli.add_parser(sub)
    tls_cli.add_parser(sub)
    staff_cli.add_parser(sub)
    bench_cli.add_parser(sub)
    kiosk_cli.add_parser(sub)
    printers_cli.add_parser(sub)
    stats_cli.add_parser(sub)
    city_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
