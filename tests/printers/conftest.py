"""Fixtures for printer tests: a real ESC/POS emulator on a free port of 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from printers.emulator import Emulator

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "printers"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    printer = Emulator(out_dir=tmp_path / "emulator", port=0).start()
    try:
        yield printer
    finally:
        printer.stop()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
