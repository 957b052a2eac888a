"""city.toml: the offices the city's booking site asks, each with its address and a booking token.

    [city]
    name = "Stadt Musterstadt"
    timezone = "Europe/Berlin"
    search_days = 28      # how far ahead a search looks, in days
    timeout_s = 5         # an office that does not answer in time is named unreachable

    [[offices]]
    id = "mitte"
    name = "Bürgeramt Mitte"
    url = "http://10.1.0.10:8000"
    token = "..."         # a device token of role booking at that office (or token_file = "...")
    district = "Mitte"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CITY_FIELDS = ("name", "timezone", "search_days", "timeout_s")
OFFICE_FIELDS = ("id", "name", "url", "token", "token_file", "district")


class CityConfigError(ValueError):
    """city.toml cannot be used; the message names the file, the field and the reason."""


@dataclass(frozen=True)
class CityOffice:
    id: str
    name: str
    url: str
    token: str
    district: str = ""


@dataclass(frozen=True)
class CityDirectory:
    name: str
    timezone: str
    search_days: int
    timeout_s: float
    offices: tuple[CityOffice, ...]

    @property
    def districts(self) -> list[str]:
        return sorted({o.district for o in self.offices if o.district})

    def office(self, office_id: str) -> CityOffice | None:
        return next((o for o in self.offices if o.id == office_id), None)

    def in_district(self, district: str | None) -> list[CityOffice]:
        return [o for o in self.offices if not district or o.district == district]


def _get(table: dict[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    value = table.get(key, default)
    if value is None:
        raise CityConfigError(f"{where}.{key} is missing")
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise CityConfigError(f"{where}.{key} must be a {kind.__name__}, not {value!r}")
    return value


def _reject_unknown(table: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise CityConfigError(f"{where}: unknown field(s) {', '.join(unknown)}")


def _office(table: dict[str, Any], index: int, base: Path) -> CityOffice:
    where = f"offices[{index}]"
    _reject_unknown(table, OFFICE_FIELDS, where)
    url = _get(table, "url", str, where).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise CityConfigError(f"{where}.url must start with http:// or https://, not {url!r}")
    if "token_file" in table:
        path = base / _get(table, "token_file", str, where)
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise CityConfigError(f"{where}.token_file: {error}") from None
    else:
        token = _get(table, "token", str, where)
    return CityOffice(id=_get(table, "id", str, where), name=_get(table, "name", str, where), url=url,
                      token=token, district=_get(table, "district", str, where, ""))


def parse_directory(text: str, base: Path = Path(".")) -> CityDirectory:
    try:
        root = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CityConfigError(str(error)) from None
    city = root.get("city", {})
    _reject_unknown(city, CITY_FIELDS, "city")
    offices = tuple(_office(t, i, base) for i, t in enumerate(root.get("offices", [])))
    if not offices:
        raise CityConfigError("offices: at least one [[offices]] entry is needed")
    if len({o.id for o in offices}) != len(offices):
        raise CityConfigError("offices: every office needs its own id")
    timezone = _get(city, "timezone", str, "city", "Europe/Berlin")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CityConfigError(f"city.timezone: unknown time zone {timezone!r}") from None
    days = _get(city, "search_days", int, "city", 28)
    timeout = _get(city, "timeout_s", float, "city", 5.0)
    if not 1 <= days <= 366 or not 0 < timeout <= 60:
        raise CityConfigError("city.search_days must be 1-366 and city.timeout_s 0-60")
    return CityDirectory(name=_get(city, "name", str, "city", "Stadt"), timezone=timezone,
                         search_days=days, timeout_s=timeout, offices=offices)


def load_directory(path: Path) -> CityDirectory:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CityConfigError(f"{path}: {error}") from None
    try:
        return parse_directory(text, path.parent)
    except CityConfigError as error:
        raise CityConfigError(f"{path}: {error}") from None
