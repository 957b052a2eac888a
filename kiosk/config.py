"""The kiosk's configuration: a small TOML file (section [kiosk]) plus command-line overrides.

A wrong value stops the kiosk at start with the file, the field and what is wrong,
instead of surprising a visitor later.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from counter_server.tls_client import TrustError, ssl_context
from i18n import available_languages
from kiosk.flow import Group, Settings

DEFAULT_SYMBOLS = {
    "ausweis": "☺",
    "pass": "✈",
    "anmeldung": "⌂",
    "abholung": "✔",
    "bescheinigung": "✎",
    "sonstiges": "?",
}


DEFAULT_STATE_DIR = Path.home() / ".local" / "state" / "townhall-kiosk"
MAX_OFFLINE_NUMBERS = 20  # the server's limit per lease


class KioskConfigError(ValueError):
    """The configuration file or a command-line value is wrong; the message names where."""


@dataclass(frozen=True)
class KioskConfig:
    server: str = ""
    token: str = ""
    # the office's CA certificate (from `townhall tls init`) for an https:// server;
    # "" = the system's trusted CAs
    ca: str = ""
    languages: tuple[str, ...] = ("de", "en", "tr", "ar", "uk", "ru")
    default_lang: str = "de"
    idle_timeout_s: float = 60.0
    ticket_timeout_s: float = 30.0
    fullscreen: bool = False
    width: int = 1080
    height: int = 1920
    printer: str = ""
    paper_mm: int = 80
    scanner: bool = True
    camera: int | None = None
    read_aloud: str = "espeak-ng"
    code_alphabet: str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    code_max_length: int = 8
    symbols: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SYMBOLS))
    groups: tuple[Group, ...] = ()
    # at most this many numbers per errand leased for outages (the server sizes the share);
    # 0 = no tickets while it is away
    offline_numbers: int = 20
    # where the kiosk keeps its leased numbers and outbox ("" = ~/.local/state/townhall-kiosk)
    state_dir: str = ""

    @property
    def offline_file(self) -> Path:
        base = Path(self.state_dir) if self.state_dir else DEFAULT_STATE_DIR
        return base / "offline.json"

    def settings(self) -> Settings:
        return Settings(
            languages=self.languages,
            default_lang=self.default_lang,
            code_alphabet=self.code_alphabet,
            code_max_length=self.code_max_length,
            groups=self.groups,
            printer=bool(self.printer),
            offline=self.offline_numbers > 0,
        )


_SIMPLE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "server": str,
    "token": str,
    "ca": str,
    "default_lang": str,
    "idle_timeout_s": (int, float),
    "ticket_timeout_s": (int, float),
    "fullscreen": bool,
    "width": int,
    "height": int,
    "printer": str,
    "paper_mm": int,
    "scanner": bool,
    "camera": int,
    "read_aloud": str,
    "code_alphabet": str,
    "code_max_length": int,
    "offline_numbers": int,
    "state_dir": str,
}


def load_config(path: Path | None, **overrides: Any) -> KioskConfig:
    """The configuration from `path` (if any) with non-None `overrides` applied, validated."""
    config = KioskConfig()
    where = "command line"
    if path is not None:
        where = str(path)
        config = _from_file(path)
    config = replace(config, **{k: v for k, v in overrides.items() if v is not None})
    _validate(config, where)
    return config


def _from_file(path: Path) -> KioskConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KioskConfigError(f"{path}: cannot read: {error}") from None
    section = data.get("kiosk", {})
    if not isinstance(section, dict):
        raise KioskConfigError(f"{path}: [kiosk] must be a table")
    values: dict[str, Any] = {}
    for name, value in section.items():
        values[name] = _field(path, name, value)
    return KioskConfig(**values)


def _field(path: Path, name: str, value: Any) -> Any:
    if name in _SIMPLE_FIELDS:
        expected = _SIMPLE_FIELDS[name]
        if isinstance(value, bool) and expected is not bool:
            raise KioskConfigError(
                f"{path}: kiosk.{name}: expected a number or text, got {value!r}"
            )
        if not isinstance(value, expected):
            raise KioskConfigError(f"{path}: kiosk.{name}: wrong type {type(value).__name__}")
        return value
    if name == "languages":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise KioskConfigError(f"{path}: kiosk.languages: expected a list of language codes")
        return tuple(value)
    if name == "symbols":
        if not isinstance(value, dict):
            raise KioskConfigError(f"{path}: kiosk.symbols: expected a table service_id = symbol")
        return {**DEFAULT_SYMBOLS, **{str(k): str(v) for k, v in value.items()}}
    if name == "groups":
        return tuple(_group(path, i, g) for i, g in enumerate(value))
    raise KioskConfigError(f"{path}: kiosk.{name}: unknown setting")


def _group(path: Path, index: int, raw: Any) -> Group:
    where = f"{path}: kiosk.groups[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise KioskConfigError(f"{where}: needs an id")
    names = raw.get("names", {})
    services = raw.get("services", [])
    if not isinstance(names, dict) or not isinstance(services, list) or len(services) < 2:
        raise KioskConfigError(f"{where}: needs names (a table) and at least two services")
    return Group(
        id=raw["id"],
        names={str(k): str(v) for k, v in names.items()},
        services=tuple(str(s) for s in services),
        symbol=str(raw.get("symbol", "")),
    )


def _validate(config: KioskConfig, where: str) -> None:
    known = set(available_languages())
    if not config.server.startswith(("http://", "https://")):
        raise KioskConfigError(f"{where}: server: expected an http:// or https:// URL")
    if config.ca:
        try:
            ssl_context(config.ca)
        except TrustError as error:
            raise KioskConfigError(f"{where}: ca: {error}") from None
    if not config.token:
        raise KioskConfigError(f"{where}: token: the kiosk's device token is missing")
    unknown = [lang for lang in config.languages if lang not in known]
    if unknown or not config.languages:
        raise KioskConfigError(f"{where}: languages: unknown {unknown}, known are {sorted(known)}")
    if config.default_lang not in config.languages:
        raise KioskConfigError(
            f"{where}: default_lang: {config.default_lang!r} is not in languages"
        )
    if config.idle_timeout_s < 10 or config.ticket_timeout_s < 5:
        raise KioskConfigError(f"{where}: idle_timeout_s >= 10 and ticket_timeout_s >= 5 please")
    if config.width < 320 or config.height < 320:
        raise KioskConfigError(f"{where}: width/height: the screen must be at least 320x320")
    if not 0 <= config.offline_numbers <= MAX_OFFLINE_NUMBERS:
        raise KioskConfigError(
            f"{where}: offline_numbers: 0 (off) to {MAX_OFFLINE_NUMBERS} numbers per errand"
        )
    if config.paper_mm not in (58, 80):
        raise KioskConfigError(f"{where}: paper_mm: 58 or 80")
