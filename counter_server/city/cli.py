"""`townhall city`: the city service (the offices' streams into PostgreSQL), and
`townhall city serve`: the city's booking site over every office."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from . import ops_cli

CITY_PORT = 8100


def cmd_city(args: argparse.Namespace) -> int:
    from .consumer import Options, run

    if args.config:
        from .directory import CityConfigError
        from .settings import load_city

        try:
            engines = load_city(Path(args.config).expanduser()).engines
        except CityConfigError as error:
            print(f"townhall city: configuration error: {error}", file=sys.stderr)
            return 2
        args.nats = args.nats or engines.nats_url
        args.postgres = args.postgres or engines.dsn
        args.credentials = args.credentials or (str(engines.credentials) if engines.credentials else None)
    if not args.nats or not args.postgres:
        print("townhall city: --config city.toml, or --nats and --postgres, are needed", file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = Options(nats_url=args.nats, dsn=args.postgres, batch=args.batch, ack_wait_s=args.ack_wait,
                      durable=args.durable, credentials=args.credentials)
    asyncio.run(run(options))
    return 0


def cmd_city_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .directory import CityConfigError, load_directory
    from .site import create_city_app

    try:
        directory = load_directory(Path(args.config).expanduser())
    except CityConfigError as error:
        print(f"townhall city serve: configuration error: {error}", file=sys.stderr)
        return 2
    uvicorn.run(create_city_app(directory), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _add_serve(sub: Any) -> None:
    serve = sub.add_parser("serve", help="the city's booking site: earliest free times in any office")
    serve.add_argument("--config", required=True, help="city.toml: the offices, their addresses and tokens")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=CITY_PORT, help=f"({CITY_PORT})")
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(handler=cmd_city_serve)


def add_parser(sub: Any) -> None:
    city = sub.add_parser("city", help="the city service: every office's events into PostgreSQL")
    city.add_argument("--config", help="city.toml: [nats] and [postgres] (the options below override it)")
    city.add_argument("--nats", help="the city's NATS server, e.g. nats://127.0.0.1:4222")
    city.add_argument("--postgres", help="the read model's PostgreSQL DSN")
    city.add_argument("--batch", type=int, default=200, help="events per transaction (200)")
    city.add_argument("--ack-wait", type=float, default=30.0,
                      help="seconds before an unacknowledged batch is delivered again (30)")
    city.add_argument("--durable", default="city", help="name of the durable consumers (city)")
    city.add_argument("--credentials", help="a NATS .creds file")
    city.add_argument("--log-level", default="warning")
    city.set_defaults(handler=cmd_city)
    commands = city.add_subparsers(dest="city_command", required=False)
    _add_serve(commands)
    ops_cli.add_parsers(commands)
