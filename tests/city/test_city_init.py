"""`townhall city init`: the streams and the PostgreSQL schema by numbered migrations, made once,
re-runnable, saying what it did; a read model made before the migrations is taken over as it is."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import psycopg

from bench.harness import free_port
from counter_server.city import readmodel

from .conftest import Nats, Postgres
from .ops_helpers import townhall_city, write_city_toml


def stream_names(url: str) -> set[str]:
    async def read() -> set[str]:
        nc = await nats.connect(url)
        try:
            return {str(info.config.name) for info in await nc.jetstream().streams_info()}
        finally:
            await nc.close()

    return asyncio.run(read())


def test_init_makes_streams_and_schema_once_and_says_so(nats_server: Nats, postgres: Postgres,
                                                        tmp_path: Path) -> None:
    config = write_city_toml(tmp_path, nats_server.url, postgres.dsn, {"mitte": None, "nord": None})
    first = townhall_city("init", "--config", str(config)).stdout
    assert "PostgreSQL: applied migration 1: read model" in first
    assert "PostgreSQL: applied migration 2: errand catalogue" in first
    assert "PostgreSQL: applied migration 3: statistics" in first
    for stream in ("TOWNHALL_MITTE", "TOWNHALL_NORD", "TOWNHALL_CATALOGUE"):
        assert f"NATS: stream {stream} created" in first
    assert stream_names(nats_server.url) == {"TOWNHALL_MITTE", "TOWNHALL_NORD", "TOWNHALL_CATALOGUE"}

    again = townhall_city("init", "--config", str(config)).stdout
    assert "PostgreSQL: schema up to date (migration 3)" in again and "created" not in again
    assert "NATS: stream TOWNHALL_CATALOGUE exists" in again
    with psycopg.connect(postgres.dsn) as conn:
        assert [r[0] for r in conn.execute("SELECT version FROM city_migrations ORDER BY version")] == [1, 2, 3]
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"city_events", "tickets", "appointments", "office_stats", "catalogue_versions",
            "catalogue_reports", "city_migrations", "city_stats_visits", "city_stats_days"} <= tables


def test_a_read_model_made_before_migrations_is_kept(nats_server: Nats, postgres: Postgres, tmp_path: Path) -> None:
    with psycopg.connect(postgres.dsn) as conn, conn.transaction():
        for statement in readmodel.SCHEMA:  # what `townhall city` made by itself before there was init
            conn.execute(statement)
        conn.execute("INSERT INTO city_events (office, seq, type, at, data) VALUES ('mitte', 1, 'x', now(), '{}')")
    config = write_city_toml(tmp_path, nats_server.url, postgres.dsn, {"mitte": None})
    out = townhall_city("init", "--config", str(config)).stdout
    assert all(f"applied migration {n}" in out for n in (1, 2, 3))
    with psycopg.connect(postgres.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM city_events").fetchone() == (1,)


def test_init_names_a_wrong_city_toml_and_an_engine_away(nats_server: Nats, postgres: Postgres,
                                                         tmp_path: Path) -> None:
    config = write_city_toml(tmp_path, nats_server.url, postgres.dsn, {"mitte": None})
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[postgres]\ndsn", "[postgres]\ndatabase"), encoding="utf-8")
    wrong = townhall_city("init", "--config", str(config), check=False)
    assert wrong.returncode == 2 and "postgres: unknown field(s) database" in wrong.stderr
    config.write_text(text.replace(nats_server.url, f"nats://127.0.0.1:{free_port()}"), encoding="utf-8")
    away = townhall_city("init", "--config", str(config), check=False)
    assert away.returncode == 1 and "cannot reach NATS at nats://127.0.0.1:" in away.stderr
