"""The city's errand catalogue: maintained once (a TOML file named in city.toml), checked by
one set of rules at the city before it is published and again at each office on receipt.

    [[errands]]
    id = "ausweis"                 # the errand's id in every office.toml
    prefix = "A"                   # the ticket letter an office takes when it adds the errand
    duration_min = 18
    slot_min = 20                  # optional, like slots, bring and online_url
    leika = "99102001000000"       # optional: LeiKa key (14 digits)
    fim = "L100001"                # optional: FIM service id
    names = { de = "...", en = "...", tr = "...", ar = "...", uk = "...", ru = "..." }

On the wire (`townhall.city.catalogue`) it is `{"version": N, "errands": [...]}`, the
errands as these tables; a catalogue with an unknown field, a missing name or a wrong
value is refused as a whole with the field and the reason, and changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config.office import LANGUAGES, slug
from ..config.reader import ConfigError, Reader

ERRAND_FIELDS = frozenset({"id", "names", "prefix", "duration_min", "slot_min", "slots", "leika", "fim",
                           "bring", "online_url"})
OPTIONAL = ("slot_min", "slots", "leika", "fim", "bring", "online_url")  # left to the office when absent
_LEIKA = re.compile(r"^\d{14}$")
_FIM = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
Errand = dict[str, Any]


def _texts(r: Reader, key: str, *, every: bool) -> dict[str, str]:
    texts = r.get(key, dict)
    for lang, text in texts.items():
        if lang not in LANGUAGES:
            raise r.fail(f"{key}.{lang}", f"unknown language (known: {', '.join(LANGUAGES)})")
        if not isinstance(text, str) or not text.strip():
            raise r.fail(f"{key}.{lang}", "must be a non-empty text")
    missing = [lang for lang in LANGUAGES if lang not in texts] if every else []
    if missing or "de" not in texts:
        raise r.fail(key, f"needs a text in every language; missing: {', '.join(missing or ['de'])}")
    return {lang: str(texts[lang]) for lang in LANGUAGES if lang in texts}


def _number(r: Reader, key: str, kind: type | tuple[type, ...], low: int, high: int) -> Any:
    value = r.get(key, kind)
    if not low <= value <= high:
        raise r.fail(key, f"must be between {low} and {high}")
    return value


def _pattern(r: Reader, key: str, pattern: re.Pattern[str], what: str) -> str:
    value: str = r.get(key, str)
    if not pattern.match(value):
        raise r.fail(key, f"{value!r} is not {what}")
    return value


def _errand(r: Reader) -> Errand:
    r.reject_unknown(ERRAND_FIELDS)
    errand: Errand = {"id": slug(r, "id"), "names": _texts(r, "names", every=True)}
    errand["prefix"] = _pattern(r, "prefix", re.compile(r"^[A-Z]$"), "one capital letter A-Z")
    errand["duration_min"] = _number(r, "duration_min", (int, float), 1, 240)
    checks: dict[str, Callable[[], Any]] = {
        "slot_min": lambda: _number(r, "slot_min", int, 5, 240),
        "slots": lambda: _number(r, "slots", int, 1, 8),
        "leika": lambda: _pattern(r, "leika", _LEIKA, "a LeiKa key (14 digits)"),
        "fim": lambda: _pattern(r, "fim", _FIM, "a FIM id (letters, digits, _ . : -)"),
        "bring": lambda: _texts(r, "bring", every=False),
        "online_url": lambda: _pattern(r, "online_url", re.compile(r"^https?://\S+$"), "an http(s) address"),
    }
    for key, check in checks.items():
        if key in r.table:
            errand[key] = check()
    return errand


def parse_errands(path: Path | str, root: dict[str, Any]) -> list[Errand]:
    """The catalogue's errands, each checked; ConfigError names the field that is wrong."""
    top = Reader(Path(path), root, "")
    top.reject_unknown(frozenset({"errands"}))
    errands = [_errand(r) for r in top.tables("errands")]
    if not errands:
        raise top.fail("errands", "the catalogue lists no errand")
    for key in ("id", "prefix"):
        seen: set[str] = set()
        for index, errand in enumerate(errands):
            if errand[key] in seen:
                raise ConfigError(path, f"errands[{index}].{key}", f"{errand[key]!r} is used twice")
            seen.add(errand[key])
    return errands


def load_file(path: Path) -> list[Errand]:
    try:
        root = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(path, "-", str(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, "-", f"not valid TOML: {error}") from None
    return parse_errands(path, root)


def digest(errands: list[Errand]) -> str:
    return hashlib.sha256(json.dumps(errands, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def encode(version: int, errands: list[Errand]) -> bytes:
    return json.dumps({"version": version, "errands": errands}, ensure_ascii=False).encode()


def version_of(raw: bytes) -> int:
    """The version a message claims, even when the rest of it is bad (0: none)."""
    with contextlib.suppress(ValueError, UnicodeDecodeError, AttributeError):
        version = json.loads(raw).get("version")
        if isinstance(version, int) and not isinstance(version, bool):
            return version
    return 0


def decode(raw: bytes) -> tuple[int, list[Errand]]:
    """The version and the checked errands of a published catalogue; ConfigError when it is bad."""
    try:
        root = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError("catalogue", "-", f"not JSON: {error}") from None
    if not isinstance(root, dict):
        raise ConfigError("catalogue", "-", "must be a JSON object")
    version = root.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError("catalogue", "version", f"must be a whole number from 1, not {version!r}")
    return version, parse_errands("catalogue", {k: v for k, v in root.items() if k != "version"})
