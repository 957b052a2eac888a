"""Typed access to office.toml tables, reporting the dotted field name on error."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """office.toml has a value the office cannot run with."""

    def __init__(self, path: Path | str, field_name: str, reason: str) -> None:
        super().__init__(f"{path}: {field_name}: {reason}")
        self.path = str(path)
        self.field = field_name
        self.reason = reason


class Reader:
    """One TOML table and where it sits in the file, for error messages."""

    def __init__(self, path: Path, table: Mapping[str, Any], where: str) -> None:
        self.path, self.table, self.where = path, table, where

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.path, self.name(key), reason)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.fail(key, "is missing")
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise self.fail(key, f"must be a number, not {value!r}")
        if not isinstance(value, kind):
            expected = kind.__name__ if isinstance(kind, type) else "number"
            raise self.fail(key, f"must be of type {expected}, not {type(value).__name__}")
        return value

    def sub(self, key: str, index: int | None = None) -> Reader:
        value = self.get(key, (dict, list))
        where = self.name(key) + (f"[{index}]" if index is not None else "")
        item = value[index] if index is not None else value
        if not isinstance(item, dict):
            raise ConfigError(self.path, where, "must be a table")
        return Reader(self.path, item, where)

    def optional_sub(self, key: str) -> Reader:
        """A table that may be left out: an empty one then."""
        if key not in self.table:
            return Reader(self.path, {}, self.name(key))
        return self.sub(key)

    def tables(self, key: str) -> list[Reader]:
        """An array of tables (`[[key]]`), possibly empty."""
        items = self.get(key, list, [])
        return [self.sub(key, index) for index in range(len(items))]

    def reject_unknown(self, allowed: set[str] | frozenset[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, f"unknown setting (allowed: {', '.join(sorted(allowed))})")


def unique(path: Path, items: list[Any], attr: str, where: str) -> None:
    """No two entries of `[[where]]` share `attr`."""
    seen: set[str] = set()
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            raise ConfigError(path, f"{where}[{index}].{attr}", f"{value!r} is used twice")
        seen.add(value)
