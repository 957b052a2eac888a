"""Shared fixtures: a real counter server on 127.0.0.1 over a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.harness import LiveServer
from counter_server.cli import init_data_dir

__all__ = ["LiveServer", "ServerFactory"]

# A Tuesday morning, inside the demo office's opening hours (08:00-18:00).
DEFAULT_CLOCK = "2026-12-01T09:00"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


ServerFactory = Callable[..., LiveServer]


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers with their own data dir; `edit_config(text) -> text` changes office.toml first."""
    started: list[LiveServer] = []

    def make(clock: str | None = DEFAULT_CLOCK, edit_config: Callable[[str], str] | None = None,
             start: bool = True) -> LiveServer:
        data_dir = tmp_path / f"office{len(started)}"
        init_data_dir(data_dir, demo_office=True)
        if edit_config is not None:
            path = data_dir / "office.toml"
            path.write_text(edit_config(path.read_text(encoding="utf-8")), encoding="utf-8")
        server = LiveServer.prepare(data_dir, clock)
        started.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def live_server(server_factory: ServerFactory) -> LiveServer:
    return server_factory()


@pytest.fixture
def artifacts() -> Path:
    """Where tests save screenshots and rendered tickets for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
