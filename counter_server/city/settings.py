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
from typing import Any

from .directory import CityConfigError, CityDirectory, load_directory

NATS_FIELDS = ("url", "credentials")
POSTGRES_FIELDS = ("dsn",)
CATALOGUE_FIELDS = ("file",)
TABLES = {"nats": NATS_FIELDS, "postgres": POSTGRES_FIELDS, "catalogue": CATALOGUE_FIELDS}


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


def _table(root: dict[str, Any], name: str) -> dict[str, Any]:
    table = root.get(name, {})
    if not isinstance(table, dict):
        raise CityConfigError(f"[{name}] must be a table")
    unknown = sorted(set(table) - set(TABLES[name]))
    if unknown:
        raise CityConfigError(f"{name}: unknown field(s) {', '.join(unknown)}")
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise CityConfigError(f"{name}.{key} must be a non-empty text, not {value!r}")
    return table


def parse_engines(text: str, base: Path) -> CityEngines:
    try:
        root = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CityConfigError(str(error)) from None
    nats, postgres, catalogue = (_table(root, name) for name in TABLES)
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
