"""`townhall city init` and `townhall city catalogue publish|status`: the city's operations,
all from city.toml ([nats], [postgres], [catalogue] and the offices)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import nats
import psycopg

from ..config import ConfigError
from . import catalogue, catalogue_city, migrations, streams
from .directory import CityConfigError
from .settings import CityEngines, CityFile, load_city

CONNECT_S = 10.0
STREAM_NOT_FOUND = 10059  # JetStream's error code (a missing message is another)


class OpsFailed(RuntimeError):
    """An engine cannot be reached or is not ready; the message says what to do."""


def _city(args: argparse.Namespace) -> CityFile:
    return load_city(Path(args.config).expanduser())


def _pg(engines: CityEngines) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(engines.dsn, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise OpsFailed(f"cannot reach PostgreSQL ({engines.dsn}): {str(error).strip()}") from None


async def _nats(engines: CityEngines) -> Any:
    extra: dict[str, Any] = {"user_credentials": str(engines.credentials)} if engines.credentials else {}
    async def quiet(error: Exception) -> None:
        return None

    try:
        return await asyncio.wait_for(nats.connect(
            engines.nats_url, connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=1,
            error_cb=quiet, name="townhall-city-ops", **extra), CONNECT_S)
    except Exception as error:
        raise OpsFailed(f"cannot reach NATS at {engines.nats_url}: {error or type(error).__name__}") from None


def init_schema(engines: CityEngines) -> list[str]:
    with _pg(engines) as conn:
        fresh = migrations.migrate(conn)
    if not fresh:
        return [f"PostgreSQL: schema up to date (migration {migrations.MIGRATIONS[-1].version})"]
    return [f"PostgreSQL: applied migration {m.version}: {m.name}" for m in fresh]


async def init_streams(city: CityFile) -> list[str]:
    nc = await _nats(city.engines)
    try:
        made = await streams.ensure_city(nc.jetstream(timeout=10), [o.id for o in city.directory.offices])
    except Exception as error:
        raise OpsFailed(f"JetStream at {city.engines.nats_url}: {error} (is JetStream on? nats-server -js)") from None
    finally:
        await nc.close()
    return [f"NATS: stream {name} {'created' if now else 'exists'}" for name, now in made]


def cmd_init(args: argparse.Namespace) -> int:
    city = _city(args)
    lines = init_schema(city.engines) + asyncio.run(init_streams(city))
    if city.engines.catalogue is not None:
        lines.append(f"catalogue {city.engines.catalogue}: {len(catalogue.load_file(city.engines.catalogue))}"
                     " errands, valid (not published: townhall city catalogue publish)")
    print("\n".join(lines))
    return 0


def _no_stream() -> OpsFailed:
    return OpsFailed(f"no stream {streams.CATALOGUE_STREAM}: run townhall city init first")


async def _on_stream(engines: CityEngines) -> int:
    """The version of the newest catalogue on the stream (0: none), so a new one is always above it."""
    nc = await _nats(engines)
    try:
        last = await nc.jetstream(timeout=10).get_last_msg(streams.CATALOGUE_STREAM, streams.CATALOGUE_SUBJECT)
        return catalogue.version_of(bytes(last.data or b""))
    except nats.js.errors.NotFoundError as error:
        if error.err_code == STREAM_NOT_FOUND:
            raise _no_stream() from None
        return 0
    finally:
        await nc.close()


async def _publish(engines: CityEngines, version: int, errands: list[catalogue.Errand]) -> None:
    nc = await _nats(engines)
    try:
        await nc.jetstream(timeout=10).publish(
            streams.CATALOGUE_SUBJECT, catalogue.encode(version, errands),
            headers={"Nats-Msg-Id": f"catalogue:{version}"})
    except nats.js.errors.NoStreamResponseError:
        raise _no_stream() from None
    finally:
        await nc.close()


def cmd_publish(args: argparse.Namespace) -> int:
    city = _city(args)
    path = Path(args.file) if args.file else city.engines.catalogue
    if path is None:
        raise CityConfigError(f"{city.path}: no [catalogue] file (or give --file)")
    errands = catalogue.load_file(path)
    on_stream = asyncio.run(_on_stream(city.engines))
    with _pg(city.engines) as conn:
        if migrations.pending(conn):
            raise OpsFailed("the city's PostgreSQL schema is not up to date: run townhall city init first")
        version, new = catalogue_city.record_version(conn, errands, on_stream=on_stream)
    asyncio.run(_publish(city.engines, version, errands))
    again = "" if new else " again (unchanged since the last publish)"
    print(f"published catalogue version {version} ({len(errands)} errands) on {streams.CATALOGUE_SUBJECT}{again}")
    return 0


def status_rows(city: CityFile) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    with _pg(city.engines) as conn:
        newest = catalogue_city.newest_version(conn)
        reports = catalogue_city.reports(conn)
    offices = [o.id for o in city.directory.offices] + sorted(set(reports) - {o.id for o in city.directory.offices})
    rows = []
    for office in offices:
        report = reports.get(office)
        row: dict[str, Any] = {"office": office, "state": "no report", "version": None}
        if report is not None:
            row = {**report.__dict__, "at": report.at.isoformat()}
            if report.state == "applied" and newest is not None and report.version < newest[0]:
                row["state"] = "behind"
        rows.append(row)
    head = {"version": newest[0], "errands": newest[1], "published_at": newest[2].isoformat()} if newest else None
    return head, rows


def _line(row: dict[str, Any]) -> str:
    if row["version"] is None:
        return f"{row['office']:<16} no report yet"
    counts = ", ".join(f"{len(row[k])} {k}" for k in ("added", "changed", "unchanged", "skipped"))
    detail = row["reason"] if row["state"] == "refused" else counts
    return f"{row['office']:<16} version {row['version']:<4} {row['state']:<8} {detail}  ({row['at']})"


def cmd_status(args: argparse.Namespace) -> int:
    head, rows = status_rows(_city(args))
    if args.json:
        print(json.dumps({"published": head, "offices": rows}, ensure_ascii=False, indent=1))
        return 0
    print(f"catalogue version {head['version']} ({head['errands']} errands), published {head['published_at']}"
          if head else "no catalogue published yet")
    print("\n".join(_line(row) for row in rows))
    return 0


def _guarded(handler: Any) -> Any:
    """A bad city.toml or catalogue: exit 2 with its reason; an engine away: exit 1."""
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except (CityConfigError, ConfigError) as error:
            print(f"townhall city: refused: {error}; nothing changed", file=sys.stderr)
            return 2
        except OpsFailed as error:
            print(f"townhall city: {error}", file=sys.stderr)
            return 1
    return run


def add_parsers(sub: Any) -> None:
    init = sub.add_parser("init", help="the city's JetStream streams and PostgreSQL schema (re-runnable)")
    init.add_argument("--config", required=True, help="city.toml")
    init.set_defaults(handler=_guarded(cmd_init))
    cat = sub.add_parser("catalogue", help="the errand catalogue: publish it to every office, see what they applied")
    actions = cat.add_subparsers(dest="catalogue_command", required=True)
    publish = actions.add_parser("publish", help="check the catalogue file and publish it over NATS")
    publish.add_argument("--config", required=True, help="city.toml")
    publish.add_argument("--file", help="the catalogue (default: [catalogue] file of city.toml)")
    publish.set_defaults(handler=_guarded(cmd_publish))
    status = actions.add_parser("status", help="per office: the version it applied, added/changed/skipped errands")
    status.add_argument("--config", required=True, help="city.toml")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_guarded(cmd_status))
