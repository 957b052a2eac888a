"""`townhall city`: the city service (the offices' streams into PostgreSQL)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any


def cmd_city(args: argparse.Namespace) -> int:
    from .consumer import Options, run

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = Options(nats_url=args.nats, dsn=args.postgres, batch=args.batch, ack_wait_s=args.ack_wait,
                      durable=args.durable, credentials=args.credentials)
    asyncio.run(run(options))
    return 0


def add_parser(sub: Any) -> None:
    city = sub.add_parser("city", help="the city service: every office's events into PostgreSQL")
    city.add_argument("--nats", required=True, help="the city's NATS server, e.g. nats://127.0.0.1:4222")
    city.add_argument("--postgres", required=True, help="the read model's PostgreSQL DSN")
    city.add_argument("--batch", type=int, default=200, help="events per transaction (200)")
    city.add_argument("--ack-wait", type=float, default=30.0,
                      help="seconds before an unacknowledged batch is delivered again (30)")
    city.add_argument("--durable", default="city", help="name of the durable consumers (city)")
    city.add_argument("--credentials", help="a NATS .creds file")
    city.add_argument("--log-level", default="warning")
    city.set_defaults(handler=cmd_city)
