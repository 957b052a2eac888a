"""The emulator's printer states, apart from the emulator: `townhall printer emulate --status`
lists them without importing the emulator (and Pillow) into every `townhall` command."""

from __future__ import annotations

from enum import StrEnum


class EmulatedStatus(StrEnum):
    """What the emulated printer answers to DLE EOT."""

    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    SILENT = "silent"
