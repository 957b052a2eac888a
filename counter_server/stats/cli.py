"""`townhall stats rebuild [--day D]`: build the statistics from the event log on demand."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import load_config
from ..core.numbering import office_day
from ..paths import DataDir
from ..store import Store, Tx
from . import job


def add_parser(subparsers: Any) -> None:
    stats = subparsers.add_parser("stats", help="statistics from the event log").add_subparsers(
        dest="action", required=True
    )
    rebuild = stats.add_parser("rebuild", help="rebuild a day's statistics (default: every day) from the events")
    rebuild.add_argument("--data-dir", required=True)
    rebuild.add_argument("--day", help="the office day, YYYY-MM-DD (default: every day from the first event)")
    rebuild.set_defaults(handler=cmd_rebuild)


def _days(store: Store, timezone: str, day: str | None) -> list[date]:
    if day:
        try:
            return [date.fromisoformat(day)]
        except ValueError:
            raise SystemExit(f"townhall stats rebuild: --day {day!r} is not a date YYYY-MM-DD") from None
    first = store.read_sync(lambda db: job.first_event_day(db, timezone))
    if first is None:
        return []
    today = office_day(datetime.now(UTC), timezone)
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def rebuild(data_dir: Path, day: str | None = None) -> list[job.Built]:
    """Rebuild the given day, or every day; one transaction per day."""
    files = DataDir(data_dir)
    timezone = load_config(files.config).office.timezone
    store = Store(files.db)
    try:
        built = []
        for one in _days(store, timezone, day):
            def write(tx: Tx, one: date = one) -> job.Built:
                return job.rebuild_day(tx.db, one, timezone, now=tx.now)

            built.append(store.write_sync(write, now=datetime.now(UTC)))
        return built
    finally:
        store.close()


def cmd_rebuild(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).expanduser().resolve()
    if not DataDir(data_dir).db.exists():
        print(f"townhall stats rebuild: no database in {data_dir}", file=sys.stderr)
        return 2
    built = rebuild(data_dir, args.day)
    for one in built:
        print(f"{one.office_day}: {one.visits} visits, {one.refusals} refused walk-ins")
    print(f"rebuilt {len(built)} day(s)")
    return 0
