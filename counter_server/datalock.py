"""One server per data directory: an exclusive `flock` on `townhall.lock`, held while it runs.

The kernel drops the lock when the process ends, however it ends, so a crash never
leaves a stale lock behind. `townhall restore` asks the same lock before it writes.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from .paths import StartRefused

LOCK_FILE = "townhall.lock"


def lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_FILE


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    pid = handle.read().strip()
    return f" (pid {pid})" if pid else ""


def hold(data_dir: Path) -> IO[str]:
    """Take the data directory's lock for this process; keep the returned file open."""
    handle = lock_path(data_dir).open("a+", encoding="ascii")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(handle)
        handle.close()
        raise StartRefused(
            f"{data_dir}: another townhall server{holder} already runs on this data directory;"
            " stop it first (two servers on one database would hand out the same numbers)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def held_by(data_dir: Path) -> str | None:
    """None when no process holds the lock; else a short description of the holder."""
    path = lock_path(data_dir)
    if not path.exists():
        return None
    with path.open("r", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return "a running townhall server" + _holder(handle)
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None
