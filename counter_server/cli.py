"""`townhall`: the one command an office's IT admin needs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from bench import cli as bench_cli
from kiosk import cli as kiosk_cli
from printers import cli as printers_cli

from . import demo, keys, keys_cli, staff_cli
from .auth import DeviceError, add_device
from .city import cli as city_cli
from .clock import Clock
from .config import CONFIG_TEMPLATE, ConfigError, load_config
from .logs import hide_tokens
from .paths import DataDir, StartRefused
from .stats import cli as stats_cli
from .store import Store, Tx

DEFAULT_PORT = 8000
GRACEFUL_SHUTDOWN_S = 3


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


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


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app, open_context
    from .public import PublicOnly, serve_both

    data_dir = _data_dir(args.data_dir)
    config = load_config(DataDir(data_dir).config)
    clock = Clock.starting_at(args.clock, config.office.timezone) if args.clock else Clock()
    ctx = open_context(data_dir, clock)
    limits = {"max_status_streams": args.status_streams} if args.status_streams else {}
    app = create_app(ctx, **limits)
    common: dict[str, Any] = dict(
        log_level=args.log_level, ws_ping_interval=20, ws_ping_timeout=20, access_log=False,
        # visitors' status streams never end by themselves: a stop must not wait for them
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        # one event goes to hundreds of screens: compressing it per socket cost more than it saved
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, **common))
    # after uvicorn set its loggers up: the websocket's handshake line carries ?token=
    hide_tokens("uvicorn", "uvicorn.error", "uvicorn.access")
    if args.public_port is None:
        server.run()
        return 0
    public = uvicorn.Config(
        PublicOnly(app), host=args.public_host or args.host, port=args.public_port, lifespan="off", **common)
    asyncio.run(serve_both(server, public))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="townhall", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="create office.toml, the database and the keys")
    init.add_argument("--data-dir", required=True)
    init.add_argument("--demo", action="store_true", help="a realistic demo Bürgeramt")
    init.set_defaults(handler=cmd_init)

    device = sub.add_parser("device", help="device tokens").add_subparsers(dest="action", required=True)
    add = device.add_parser("add", help="create a device; prints its token as the last line")
    add.add_argument("--data-dir", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--counter")
    add.add_argument("--name")
    add.set_defaults(handler=cmd_device_add)

    serve = sub.add_parser("serve", help="run the counter server")
    serve.add_argument("--data-dir", required=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--clock", help="start the office clock at this local time, e.g. 2026-12-01T09:00")
    serve.add_argument("--log-level", default="warning")
    serve.add_argument("--public-port", type=int, help="a second listener serving only the public pages")
    serve.add_argument("--public-host", help="its address (default: --host)")
    serve.add_argument("--status-streams", type=_positive,
                       help="at most this many visitors' status pages follow their ticket live (500); more poll")
    serve.set_defaults(handler=cmd_serve)

    demo.add_parser(sub)
    keys_cli.add_parser(sub)
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
