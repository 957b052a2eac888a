"""Backups of a data directory that restore: the database copied online with SQLite's
backup API, `office.toml` and the keys beside it, checked before anyone relies on them.

    DIR/townhall-20261201-230000/   townhall.db, office.toml, keys/, manifest.json

A backup is written as `NAME.partial` and renamed when complete and checked, so a
half-written one never counts. `D/last-backup.json` tells the server (its /metrics)
when the last good one was made.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import datalock, keys
from .config import ConfigError, load_config
from .migrations import MIGRATIONS
from .paths import CONFIG_FILE, DB_FILE, KEYS_DIR, DataDir, StartRefused

PREFIX = "townhall-"
MANIFEST = "manifest.json"
STAMP = "last-backup.json"


class BackupError(Exception):
    """A backup could not be made, or is not one to restore; the message says why."""


@dataclass(frozen=True)
class Made:
    path: Path
    pruned: list[Path]


def _copy_database(source: Path, target: Path) -> None:
    with contextlib.closing(sqlite3.connect(str(source), timeout=30)) as src, \
            contextlib.closing(sqlite3.connect(str(target))) as dst:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst, pages=1024)  # in steps: the server's writer waits only for one step at a time
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file


def integrity(db_path: Path) -> str:
    """'ok', or what SQLite's integrity_check (or opening the file) found wrong."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    found = "; ".join(str(row[0]) for row in rows)
    return found or "no answer from integrity_check"


def applied_migrations(db_path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as db:
        try:
            return [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY rowid")]
        except sqlite3.OperationalError:
            return []


def backup(data_dir: Path, to: Path, *, keep: int | None = None, now: datetime | None = None) -> Made:
    """Copy the office into a new directory under `to`; keep the newest `keep` backups."""
    files = DataDir(data_dir)
    if not files.db.exists():
        raise BackupError(f"{files.db}: no database to back up")
    now = now or datetime.now(UTC)
    to.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = PREFIX + now.strftime("%Y%m%d-%H%M%S")
    while (to / name).exists():
        name += "x"
    partial = to / (name + ".partial")
    partial.mkdir(mode=0o700)
    try:
        _copy_database(files.db, partial / DB_FILE)
        found = integrity(partial / DB_FILE)
        if found != "ok":
            raise BackupError(f"the copy of {files.db} failed integrity_check: {found}")
        shutil.copy2(files.config, partial / CONFIG_FILE)
        if files.keys.is_dir():
            shutil.copytree(files.keys, partial / KEYS_DIR)
        manifest = {"created_at": now.isoformat(), "source": str(data_dir),
                    "migrations": applied_migrations(partial / DB_FILE)}
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        DataDir(partial).secure()
        partial.rename(to / name)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    stamp = data_dir / STAMP
    stamp.write_text(json.dumps({"at": now.isoformat(), "path": str(to / name)}), encoding="utf-8")
    return Made(to / name, prune(to, keep))


def existing(to: Path) -> list[Path]:
    """The complete backups in `to`, oldest first."""
    if not to.is_dir():
        return []
    return sorted(p for p in to.iterdir() if p.is_dir() and p.name.startswith(PREFIX)
                  and not p.name.endswith(".partial") and (p / MANIFEST).exists())


def prune(to: Path, keep: int | None) -> list[Path]:
    if keep is None:
        return []
    old = existing(to)[: max(0, len(existing(to)) - keep)]
    for path in old:
        shutil.rmtree(path)
    return old


def last_backup_at(data_dir: Path) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads((data_dir / STAMP).read_text(encoding="utf-8"))["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def problems(source: Path) -> list[str]:
    """Why `source` is not a backup to restore; empty when it is a good one."""
    found = [f"{source / name}: missing" for name in (DB_FILE, CONFIG_FILE, MANIFEST, KEYS_DIR)
             if not (source / name).exists()]
    if found:
        return found
    check = integrity(source / DB_FILE)
    if check != "ok":
        return [f"{source / DB_FILE}: integrity_check failed: {check}"]
    unknown = set(applied_migrations(source / DB_FILE)) - {m.__name__ for m in MIGRATIONS}
    if unknown:
        found.append(f"made by a newer townhall (migrations {', '.join(sorted(unknown))})")
    try:
        load_config(source / CONFIG_FILE)
        keys.load_signing_key(source)
    except (ConfigError, keys.KeyFileError) as error:
        found.append(str(error))
    return found


def restore(data_dir: Path, source: Path, *, now: datetime | None = None) -> Path | None:
    """Put a checked backup in place; the files it replaces go to `D/before-restore-TIME/`.

    Refused while a server runs on `data_dir`. Returns where the replaced files went, if any.
    """
    holder = datalock.held_by(data_dir)
    if holder:
        raise StartRefused(f"{data_dir}: {holder} uses this data directory; stop it before a restore")
    found = problems(source)
    if found:
        raise BackupError(f"{source} is not a backup to restore: " + "; ".join(found))
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    aside = _move_aside(data_dir, now or datetime.now(UTC))
    _copy_database(source / DB_FILE, data_dir / DB_FILE)
    shutil.copy2(source / CONFIG_FILE, data_dir / CONFIG_FILE)
    shutil.copytree(source / KEYS_DIR, data_dir / KEYS_DIR)
    DataDir(data_dir).secure()
    return aside


def _move_aside(data_dir: Path, now: datetime) -> Path | None:
    names = [DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", CONFIG_FILE, KEYS_DIR]
    present = [data_dir / n for n in names if (data_dir / n).exists()]
    if not present:
        return None
    aside = data_dir / f"before-restore-{now:%Y%m%d-%H%M%S}"
    aside.mkdir(mode=0o700)
    for path in present:
        path.rename(aside / path.name)
    return aside
