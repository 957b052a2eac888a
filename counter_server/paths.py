"""The files of a data directory, named in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "office.toml"
DB_FILE = "townhall.db"
KEYS_DIR = "keys"


@dataclass(frozen=True)
class DataDir:
    """An office's data directory: office.toml, the database and the signing keys."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def db(self) -> Path:
        return self.root / DB_FILE

    @property
    def keys(self) -> Path:
        return self.root / KEYS_DIR
