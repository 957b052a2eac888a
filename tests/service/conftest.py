"""In-process service tests: commands and views over a real SQLite file in tmp_path,
without HTTP (as sqlite-utils' own tests run against a file)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from counter_server.auth import Device, add_device
from counter_server.cli import init_data_dir
from counter_server.config import OfficeConfig, load_config
from counter_server.keys import keyring_for
from counter_server.paths import DataDir
from counter_server.store import Event, Store
from counter_server.uow import Work

T = TypeVar("T")
# A Tuesday morning, inside the demo office's opening hours (08:00-18:00).
TUESDAY_0930 = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Europe/Berlin"))
PRINTER = """
[[printers]]
id = "eingang"
name = "Drucker Eingang"
kiosks = ["kiosk-1"]
"""


@dataclass
class Office:
    """One office's data directory, opened in this process, with a clock the test moves."""

    config: OfficeConfig
    store: Store
    data_dir: Path
    now: datetime
    published: list[Event]

    def write(self, command: Callable[[Work], T]) -> T:
        def run(tx: Any) -> T:
            result = command(Work(tx=tx, config=self.config, keyring=keyring_for(self.data_dir)))
            self.published.extend(tx.events)
            return result

        return self.store.write_sync(run, now=self.now)

    def read(self, view: Callable[[sqlite_utils.Database], T]) -> T:
        return self.store.read_sync(view)

    def later(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)

    def device(self, role: str, name: str = "", counter_id: str | None = None) -> Device:
        return self.write(lambda w: add_device(w.db, role=role, name=name, now=w.now, counter_id=counter_id)[0])

    def types(self) -> list[str]:
        return [e.type for e in self.published]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    data_dir = tmp_path / "office"
    init_data_dir(data_dir, demo_office=True)
    files = DataDir(data_dir)
    files.config.write_text(files.config.read_text(encoding="utf-8") + PRINTER, encoding="utf-8")
    store = Store(files.db)
    opened = Office(load_config(files.config), store, data_dir, TUESDAY_0930, [])
    from counter_server.app import day_end

    opened.write(day_end)
    yield opened
    store.close()
