"""city.toml's operations tables: the city's NATS, its PostgreSQL and its errand catalogue.

    [nats]
    url = "nats://127.0.0.1:4222"   # the city's NATS server (JetStream on)
    credentials = "city.creds"      # optional, relative to city.toml

    [postgres]
    dsn = "host=/var/run/postgresql dbname=townhall_city"

    [catalogue]
    file = "errands.toml"           # the errand catalogue, relative to city.toml

The same file's `[city]` and `[[offices]]` are the directory (directory.py); a wrong value
here names the file, the table and the field as it does there.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .directory import ENGINE_TABLES, CityConfigError, CityDirectory, engine_table, load_directory


@dataclass(frozen=True)
class CityEngines:
    nats_url: str
    dsn: str
    credentials: Path | None = None
    catalogue: Path | None = None


@dataclass(frozen=True)
class CityFile:
    path: Path
    directory: CityDirectory
    engines: CityEngines


def parse_engines(text: str, base: Path) -> CityEngines:
    try:
        root = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CityConfigError(str(error)) from None
    nats, postgres, catalogue = (engine_table(root, name) for name in ENGINE_TABLES)
    url = str(nats.get("url", "")).strip()
    if not url.startswith(("nats://", "tls://")):
        raise CityConfigError(f"nats.url must be a NATS URL such as nats://127.0.0.1:4222, not {url!r}")
    if "dsn" not in postgres:
        raise CityConfigError("postgres.dsn is missing (e.g. \"host=/var/run/postgresql dbname=townhall_city\")")
    credentials = base / nats["credentials"] if "credentials" in nats else None
    if credentials is not None and not credentials.is_file():
        raise CityConfigError(f"nats.credentials: {credentials}: no such file")
    file = base / catalogue["file"] if "file" in catalogue else None
    return CityEngines(nats_url=url, dsn=str(postgres["dsn"]), credentials=credentials, catalogue=file)


def load_city(path: Path) -> CityFile:
    """city.toml with the directory and the engines; CityConfigError names what is wrong."""
    directory = load_directory(path)
    try:
        engines = parse_engines(path.read_text(encoding="utf-8"), path.parent)
    except CityConfigError as error:
        raise CityConfigError(f"{path}: {error}") from None
    return CityFile(path=path, directory=directory, engines=engines)
