"""The files of a data directory, named in one place."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "office.toml"
DB_FILE = "townhall.db"
KEYS_DIR = "keys"


class StartRefused(Exception):
    """The data directory is not one the server can run an office from; the message says why."""


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

    def private_files(self) -> list[Path]:
        """What only the server's user may read: config, database with its WAL and SHM, keys."""
        database = [self.db, self.db.with_name(DB_FILE + "-wal"), self.db.with_name(DB_FILE + "-shm")]
        keys = sorted(p for p in self.keys.rglob("*") if p.is_file()) if self.keys.is_dir() else []
        return [p for p in (self.config, *database, *keys) if p.exists()]

    def secure(self) -> None:
        """Directory 0700, files 0600: contact data and keys are nobody else's business."""
        self.root.chmod(0o700)
        for path in self.private_files():
            path.chmod(0o600)

    def too_open(self) -> list[Path]:
        """The data directory and files others may read or write."""
        loose = stat.S_IRWXG | stat.S_IRWXO
        paths = [self.root, *self.private_files()]
        return [p for p in paths if p.stat().st_mode & loose]
