"""The city tests' own engines start: JetStream answers and PostgreSQL takes a query."""

from __future__ import annotations

import asyncio

import nats
import psycopg

from .conftest import Nats, Postgres


def test_nats_has_jetstream(nats_server: Nats) -> None:
    async def check() -> int:
        nc = await nats.connect(nats_server.url)
        try:
            info = await nc.jetstream().account_info()
            return int(info.streams)
        finally:
            await nc.close()

    assert asyncio.run(check()) == 0


def test_postgres_answers(postgres: Postgres) -> None:
    with psycopg.connect(postgres.dsn) as conn:
        row = conn.execute("SELECT 1 + 1").fetchone()
    assert row == (2,)
