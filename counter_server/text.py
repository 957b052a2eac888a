"""Text from outside, checked once: valid Unicode that SQLite can store, and JSON of sane depth.

A lone UTF-16 surrogate ("\\ud800") is valid in JSON but has no UTF-8 form: stored
as is, it would fail deep inside a write. Nesting 100,000 levels deep exhausts the
parser's recursion. Both are refused at the edge with a clear error.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


class BadText(ValueError):
    """A text from outside that cannot be stored: it names where."""


def plain(text: str, where: str = "text") -> str:
    """`text` itself, when it is valid Unicode (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadText(f"{where} contains a character that is not valid text") from None
    return text


def check_value(value: Any, where: str = "body", depth: int = 0) -> None:
    """Every string in a parsed JSON value is plain text, and it nests at most MAX_DEPTH deep."""
    if depth > MAX_DEPTH:
        raise BadText(f"{where} nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        plain(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            plain(str(key), where)
            check_value(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, f"{where}[{index}]", depth + 1)


def loads(raw: bytes | str) -> Any:
    """Parse JSON from outside; json.JSONDecodeError or BadText when it cannot be used."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise BadText(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    check_value(value)
    return value
