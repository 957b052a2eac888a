"""office.toml: one typed, validated object; a wrong value names file, field and reason."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .core.model import WEEKDAYS, Counter, Interval, Office, OpeningHours, Service
from .core.policy import Rules

LANGUAGES = ("de", "en", "tr", "ar", "uk", "ru")
SECTIONS = {"office", "hours", "services", "counters", "queue", "appointments", "printers"}
_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class ConfigError(Exception):
    """office.toml has a value the office cannot run with."""

    def __init__(self, path: Path | str, field_name: str, reason: str) -> None:
        super().__init__(f"{path}: {field_name}: {reason}")
        self.path = str(path)
        self.field = field_name
        self.reason = reason


@dataclass(frozen=True)
class OfficeConfig:
    """The whole office.toml, validated."""

    path: Path
    office: Office
    rules: Rules
    public_url: str
    sections: Mapping[str, Any] = field(default_factory=dict)


class _Reader:
    """Typed access to a TOML table that reports the dotted field name on error."""

    def __init__(self, path: Path, table: Mapping[str, Any], where: str) -> None:
        self.path, self.table, self.where = path, table, where

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.path, self.name(key), reason)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., ) -> Any:
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

    def sub(self, key: str, index: int | None = None) -> _Reader:
        value = self.get(key, (dict, list))
        where = self.name(key) + (f"[{index}]" if index is not None else "")
        item = value[index] if index is not None else value
        if not isinstance(item, dict):
            raise ConfigError(self.path, where, "must be a table")
        return _Reader(self.path, item, where)

    def reject_unknown(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, f"unknown setting (allowed: {', '.join(sorted(allowed))})")


def _time(r: _Reader, key: str, text: str) -> Interval:
    match = _SPAN.match(text)
    if not match:
        raise r.fail(key, f"{text!r} is not a span like '08:00-12:30'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise r.fail(key, f"{text!r} is not a valid time span")
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        raise r.fail(key, f"{text!r} ends before it starts")
    return Interval(start, end)


def _hours(r: _Reader) -> OpeningHours:
    r.reject_unknown(set(WEEKDAYS) | {"closed_dates", "last_walk_in_min"})
    weekly: dict[int, tuple[Interval, ...]] = {}
    for index, day in enumerate(WEEKDAYS):
        spans = r.get(day, list, [])
        weekly[index] = tuple(sorted((_time(r, day, str(s)) for s in spans), key=lambda i: i.start))
    closed: set[date] = set()
    for text in r.get("closed_dates", list, []):
        try:
            closed.add(date.fromisoformat(str(text)))
        except ValueError:
            raise r.fail("closed_dates", f"{text!r} is not a date like 2026-12-24") from None
    last = r.get("last_walk_in_min", int, 30)
    if not 0 <= last <= 240:
        raise r.fail("last_walk_in_min", "must be between 0 and 240")
    return OpeningHours(weekly=weekly, closed_dates=frozenset(closed), last_walk_in_min=last)


def _names(r: _Reader, languages: tuple[str, ...]) -> dict[str, str]:
    names = r.get("names", dict)
    if "de" not in names or not str(names["de"]).strip():
        raise r.fail("names", "needs at least a German name (de)")
    for lang, text in names.items():
        if lang not in LANGUAGES:
            raise r.fail(f"names.{lang}", f"unknown language (known: {', '.join(LANGUAGES)})")
        if not isinstance(text, str) or not text.strip():
            raise r.fail(f"names.{lang}", "must be a non-empty text")
    return {str(k): str(v) for k, v in names.items()}


def _service(r: _Reader, languages: tuple[str, ...]) -> Service:
    r.reject_unknown(
        {"id", "names", "prefix", "duration_min", "walk_in", "daily_walk_in_cap", "slot_min", "slots"}
    )
    service_id = r.get("id", str)
    if not _SLUG.match(service_id):
        raise r.fail("id", f"{service_id!r} must be a short slug (a-z, 0-9, - and _)")
    prefix = r.get("prefix", str)
    if not re.fullmatch(r"[A-Z]", prefix):
        raise r.fail("prefix", f"{prefix!r} must be one capital letter A-Z")
    duration = r.get("duration_min", (int, float))
    if not 1 <= duration <= 240:
        raise r.fail("duration_min", "must be between 1 and 240 minutes")
    cap = r.get("daily_walk_in_cap", int, None)
    if cap is not None and cap < 0:
        raise r.fail("daily_walk_in_cap", "must not be negative")
    slot_min = r.get("slot_min", int, 15)
    slots = r.get("slots", int, 1)
    if not 5 <= slot_min <= 240 or not 1 <= slots <= 8:
        raise r.fail("slot_min", "slot_min must be 5-240 and slots 1-8")
    return Service(
        id=service_id,
        names=_names(r, languages),
        prefix=prefix,
        duration_min=float(duration),
        walk_in=r.get("walk_in", bool, True),
        daily_walk_in_cap=cap,
        slot_min=slot_min,
        slots=slots,
    )


def _counter(r: _Reader, service_ids: set[str]) -> Counter:
    r.reject_unknown({"id", "label", "room", "skills", "languages"})
    counter_id = r.get("id", str)
    if not _SLUG.match(counter_id):
        raise r.fail("id", f"{counter_id!r} must be a short slug (a-z, 0-9, - and _)")
    skills = r.get("skills", dict)
    if not skills:
        raise r.fail("skills", "needs at least one service")
    for service_id, level in skills.items():
        if service_id not in service_ids:
            raise r.fail(f"skills.{service_id}", "is not a configured service")
        if level not in (1, 2) or isinstance(level, bool):
            raise r.fail(f"skills.{service_id}", "level must be 1 (primary) or 2 (secondary)")
    languages = r.get("languages", list, [])
    return Counter(
        id=counter_id,
        label=r.get("label", str, f"Schalter {counter_id}"),
        room=r.get("room", str, ""),
        skills={str(k): int(v) for k, v in skills.items()},
        languages=tuple(str(lang) for lang in languages),
    )


def _unique(path: Path, items: list[Any], attr: str, where: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            raise ConfigError(path, f"{where}[{index}].{attr}", f"{value!r} is used twice")
        seen.add(value)


def _rules(path: Path, table: Mapping[str, Any]) -> Rules:
    from .core import policy

    parse = getattr(policy, "rules_from_mapping", None)
    if parse is None:
        return Rules()
    try:
        rules: Rules = parse(table)
    except ValueError as error:
        raise ConfigError(path, "queue", str(error)) from None
    return rules


def parse_config(path: Path, data: Mapping[str, Any]) -> OfficeConfig:
    root = _Reader(path, data, "")
    root.reject_unknown(SECTIONS)
    office = root.sub("office")
    office.reject_unknown({"id", "name", "timezone", "languages", "public_url"})
    timezone = office.get("timezone", str, "Europe/Berlin")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise office.fail("timezone", f"{timezone!r} is not a known time zone") from None
    languages = tuple(office.get("languages", list, list(LANGUAGES)))
    for lang in languages:
        if lang not in LANGUAGES:
            raise office.fail("languages", f"{lang!r} is not supported ({', '.join(LANGUAGES)})")
    service_list = root.get("services", list)
    services = [_service(root.sub("services", i), languages) for i in range(len(service_list))]
    if not services:
        raise root.fail("services", "needs at least one service")
    _unique(path, services, "id", "services")
    counter_list = root.get("counters", list)
    ids = {s.id for s in services}
    counters = [_counter(root.sub("counters", i), ids) for i in range(len(counter_list))]
    if not counters:
        raise root.fail("counters", "needs at least one counter")
    _unique(path, counters, "id", "counters")
    office_id = office.get("id", str)
    if not _SLUG.match(office_id):
        raise office.fail("id", f"{office_id!r} must be a short slug (a-z, 0-9, - and _)")
    model = Office(
        id=office_id,
        name=office.get("name", str),
        timezone=timezone,
        languages=languages,
        hours=_hours(root.sub("hours")),
        services=tuple(services),
        counters=tuple(counters),
    )
    return OfficeConfig(
        path=path,
        office=model,
        rules=_rules(path, data.get("queue", {})),
        public_url=office.get("public_url", str, "").rstrip("/"),
        sections={k: v for k, v in data.items() if k in {"queue", "appointments", "printers"}},
    )


CONFIG_TEMPLATE = """\
# office.toml — the one config file of a townhall-queue office (see the README).
[office]
id = "buergeramt"
name = "Bürgeramt"
timezone = "Europe/Berlin"
languages = ["de", "en", "tr", "ar", "uk", "ru"]
public_url = ""

[hours]
mon = ["08:00-16:00"]
tue = ["08:00-16:00"]
wed = ["08:00-12:00"]
thu = ["08:00-18:00"]
fri = ["08:00-12:00"]
last_walk_in_min = 30

[[services]]
id = "allgemein"
prefix = "A"
duration_min = 10
names = { de = "Allgemeine Anliegen", en = "General matters" }

[[counters]]
id = "1"
label = "Schalter 1"
skills = { allgemein = 1 }
"""


def load_config(path: Path) -> OfficeConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "-", "file not found (run `townhall init`)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, "-", f"not valid TOML: {error}") from None
    return parse_config(path, data)
