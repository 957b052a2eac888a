"""The office clock: real time, or real time shifted to start at a chosen local moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """Aware UTC time, optionally offset so that demos and tests can run a Tuesday at 09:00."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    @classmethod
    def starting_at(cls, local_iso: str, timezone: str) -> Clock:
        """A clock that reads `local_iso` (office local time unless it has an offset) now."""
        start = datetime.fromisoformat(local_iso)
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo(timezone))
        return cls(start.astimezone(UTC) - datetime.now(UTC))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset
