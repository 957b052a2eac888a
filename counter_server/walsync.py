"""The writer's own sync of the WAL file: a commit's events go out while the disk writes it.

With `synchronous=FULL` SQLite syncs the WAL inside `COMMIT`, so a Next reached the displays
only after the disk had written it, on a slow disk many milliseconds later. The writer
connection commits with `synchronous=NORMAL` instead (in WAL mode: the WAL is written at
commit and synced at checkpoints, and the database is never corrupted) and then syncs the
WAL file itself with `WalSync`, after it has handed the commit's events to the hub and
before it gives the answer. So nobody is told "done" before the change is on disk, exactly
as with FULL, and the screens hear of it while the disk writes.

What a power cut in that moment can lose is a change nobody was told is done: the screens
may have shown it, and on reconnecting they ask for events after a seq the database no
longer has, which gets them a snapshot of what it does have (`events.events_after`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class WalSync:
    """fsync of `<database>-wal` (any descriptor of a file syncs all its written data)."""

    def __init__(self, database: Path) -> None:
        self.path = Path(f"{database}-wal")
        self._fd: int | None = None
        self._inode = 0

    def __call__(self) -> None:
        """Sync what the last commit wrote; a failure is the database's own kind of error."""
        try:
            inode = os.stat(self.path).st_ino
            if self._fd is None or inode != self._inode:
                self._open(inode)
            assert self._fd is not None
            os.fsync(self._fd)
        except OSError as error:
            # committed but perhaps not on disk: answered as a refused write (503); a retry
            # with the same Idempotency-Key gets the stored answer
            raise sqlite3.OperationalError(f"disk I/O error: the WAL file could not be synced: {error}") from error

    def _open(self, inode: int) -> None:
        self.close()
        self._fd, self._inode = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC), inode
        # a new file's name must be on disk too (SQLite syncs the directory on a WAL's first sync)
        directory = os.open(self.path.parent, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
