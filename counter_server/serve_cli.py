"""`townhall serve`: the counter server, one per data directory, with a structured log."""

from __future__ import annotations

import argparse
import asyncio
import gc
from importlib import metadata
from pathlib import Path
from typing import Any

from . import backup, datalock, migrations, request_log
from .clock import Clock
from .config import load_config
from .logs import hide_tokens
from .paths import DataDir, StartRefused
from .tls import TlsFiles

DEFAULT_PORT = 8000
GRACEFUL_SHUTDOWN_S = 3
PRE_MIGRATION_KEEP = 5
# A collection of the youngest objects after this many allocations (Python's default: 700).
# Under load the server allocates that many in well under a millisecond; its collections
# then ran about 25 times a second and took 2-3 s of every minute, their full ones up to
# 100 ms each (bench/RESULTS.md, "Flat cost (issue 14), stop 28"). Most garbage is freed at once by
# reference counting; the collector is only for cycles, which can wait a little longer.
GC_YOUNG_THRESHOLD = 20_000


def version() -> str:
    try:
        return metadata.version("townhall-queue")
    except metadata.PackageNotFoundError:
        return "unknown"


def steady_collector() -> None:
    """Before serving: what is loaded by now (modules, routes, schemas, the office) lives as
    long as the process, so the collector's full passes stop visiting it (`gc.freeze`), and
    the young generation is collected less often (GC_YOUNG_THRESHOLD)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="run the counter server")
    serve.add_argument("--data-dir", required=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--clock", help="start the office clock at this local time, e.g. 2026-12-01T09:00")
    serve.add_argument("--log-level", default="warning", help="uvicorn's own messages")
    serve.add_argument("--log-json", action="store_true", help="the server's log as JSON lines")
    serve.add_argument("--no-request-log", action="store_true", help="no line per request and event")
    serve.add_argument("--public-port", type=int, help="a second listener serving only the public pages")
    serve.add_argument("--public-host", help="its address (default: --host)")
    serve.add_argument("--tls", action="store_true",
                       help="HTTPS with the certificate from `townhall tls init` (both listeners)")
    serve.add_argument("--status-streams", type=_positive,
                       help="at most this many visitors' status pages follow their ticket live (500); more poll")
    serve.set_defaults(handler=run)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def _urls(args: argparse.Namespace) -> dict[str, str]:
    scheme = "https" if args.tls else "http"
    urls = {"url": f"{scheme}://{args.host}:{args.port}"}
    if args.public_port is not None:
        urls["public_url"] = f"{scheme}://{args.public_host or args.host}:{args.public_port}"
    return urls


def tls_options(data_dir: Path, enabled: bool) -> dict[str, str]:
    """uvicorn's certificate and key files, or nothing for plain HTTP."""
    if not enabled:
        return {}
    files = TlsFiles.of(data_dir)
    if not files.ready():
        raise StartRefused(f"--tls: no server certificate in {files.folder}; run `townhall tls init` first")
    return {"ssl_certfile": str(files.server_cert), "ssl_keyfile": str(files.server_key)}


def backup_before_migrating(data_dir: Path) -> Path | None:
    """Back the office up into `D/backups/` before the server changes its schema."""
    db = DataDir(data_dir).db
    applied = backup.applied_migrations(db) if db.exists() else []
    todo = migrations.pending(applied)
    if not applied or not todo or set(applied) - {m.__name__ for m in migrations.MIGRATIONS}:
        return None  # a new database, nothing to do, or one the migration step refuses
    made = backup.backup(data_dir, data_dir / "backups", keep=PRE_MIGRATION_KEEP)
    request_log.info("backup before migrating", path=str(made.path), migrations=",".join(todo))
    return made.path


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app, open_context
    from .public import PublicOnly, serve_both

    data_dir = Path(args.data_dir).expanduser().resolve()
    request_log.setup(as_json=args.log_json, requests=not args.no_request_log)
    config = load_config(DataDir(data_dir).config)
    https = tls_options(data_dir, args.tls)  # refused before anything changes
    lock = datalock.hold(data_dir)  # noqa: F841 - held until the process ends
    clock = Clock.starting_at(args.clock, config.office.timezone) if args.clock else Clock()
    backup_before_migrating(data_dir)
    ctx = open_context(data_dir, clock)
    limits = {"max_status_streams": args.status_streams} if args.status_streams else {}
    app = create_app(ctx, **limits)
    common: dict[str, Any] = dict(
        log_level=args.log_level, ws_ping_interval=20, ws_ping_timeout=20, access_log=False,
        # visitors' status streams never end by themselves: a stop must not wait for them
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        # one event goes to hundreds of screens: compressing it per socket cost more than it saved
        ws_per_message_deflate=False,
        **https,
    )
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, **common))
    # after uvicorn set its loggers up: the websocket's handshake line carries ?token=
    hide_tokens("uvicorn", "uvicorn.error", "uvicorn.access")
    request_log.info("starting", version=version(), data_dir=str(data_dir), **_urls(args))
    steady_collector()
    if args.public_port is None:
        server.run()
    else:
        public = uvicorn.Config(
            PublicOnly(app), host=args.public_host or args.host, port=args.public_port, lifespan="off", **common)
        asyncio.run(serve_both(server, public))
    return 0
