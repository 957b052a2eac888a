"""office.toml edited from the console: the change made on the file's own document (tomlkit,
so comments and layout stay), checked by the very parser that checks it at start, written
atomically with the previous version kept, and applied without a restart.

A value the parser refuses raises its ConfigError (the same field and words as at start)
and nothing is written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import tomlkit
from tomlkit import TOMLDocument

from .. import files
from ..config import ConfigError, OfficeConfig, load_config, parse_text
from ..context import Context
from ..queue.counters import sync_counters
from ..uow import Work
from .audit import Actor, record

Edit = Callable[[TOMLDocument], None]


def document(path: Path) -> TOMLDocument:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except tomlkit.exceptions.ParseError as error:
        raise ConfigError(path, "-", f"not valid TOML: {error}") from None


def previous_path(path: Path) -> Path:
    return path.with_name(path.name + ".prev")


def write_atomically(path: Path, text: str) -> None:
    """The previous file kept as office.toml.prev; the new one in place by one rename."""
    if path.exists():
        shutil.copy2(path, previous_path(path))
        os.chmod(previous_path(path), 0o600)
    files.write_atomically(path, text.encode("utf-8"), 0o600)


async def _announce(ctx: Context, actor: Actor, action: str, what: str) -> None:
    def write(work: Work) -> None:
        sync_counters(work)
        record(work.db, work.now, actor, action, what)
        work.emit("office.changed", {"sections": [what]})

    await ctx.write(write)


async def apply_edit(ctx: Context, actor: Actor, what: str, edit: Edit) -> OfficeConfig:
    """Change office.toml as `edit` says; ConfigError (nothing written) when the result is refused."""
    path = ctx.config.path
    doc = document(path)
    edit(doc)
    text = tomlkit.dumps(doc)
    config = parse_text(path, text)
    write_atomically(path, text)
    ctx.replace_config(config)
    await _announce(ctx, actor, "office.edit", what)
    return config


def changed_on_disk(ctx: Context) -> tuple[bool, str]:
    """Whether the file now says something else than the running office, and its error if any."""
    try:
        return load_config(ctx.config.path) != ctx.config, ""
    except ConfigError as error:
        return True, str(error)


async def reload_from_file(ctx: Context, actor: Actor) -> OfficeConfig:
    config = load_config(ctx.config.path)
    ctx.replace_config(config)
    await _announce(ctx, actor, "office.reload", "file")
    return config
