"""city.toml: the offices the city's booking site asks, each with its address and a booking token.

    [city]
    name = "Stadt Musterstadt"
    timezone = "Europe/Berlin"
    search_days = 28      # how far ahead a search looks, in days
    timeout_s = 5         # an office that does not answer in time is named unreachable
    licence = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"   # of the open data (CC BY 4.0 when unset)
    bookings_per_hour = 10             # bookings per client address and hour (as an office's [booking])
    bookings_per_hour_without_js = 3   # of those, without the page's proof of work
    proof_of_work_max_number = 50000

    [postgres]            # the read model (as `townhall city` writes it): statistics and open data (optional)
    dsn = "host=/var/run/postgresql dbname=townhall_city"

    [postcodes]           # the city's postcodes and their centroids, for "nearest office"
    "10115" = [52.5323, 13.3846]

    [[offices]]
    id = "mitte"
    name = "Bürgeramt Mitte"
    url = "http://10.1.0.10:8000"
    token = "..."         # a device token of role booking at that office (or token_file = "...")
    district = "Mitte"
    lat = 52.5200         # where the office is (optional; "nearest office" needs it)
    lon = 13.4050
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config.booking import BookingSettings
from ..config.open_data import CC_BY_4

CITY_FIELDS = ("name", "timezone", "search_days", "timeout_s", "licence", "bookings_per_hour",
               "bookings_per_hour_without_js", "proof_of_work_max_number")
# city.toml's operations tables (settings.py): the city service's engines and its catalogue
ENGINE_TABLES = {"nats": ("url", "credentials"), "postgres": ("dsn",), "catalogue": ("file",)}
OFFICE_FIELDS = ("id", "name", "url", "token", "token_file", "district", "lat", "lon")
Place = tuple[float, float]  # latitude, longitude in degrees


class CityConfigError(ValueError):
    """city.toml cannot be used; the message names the file, the field and the reason."""


@dataclass(frozen=True)
class CityOffice:
    id: str
    name: str
    url: str
    token: str
    district: str = ""
    place: Place | None = None


@dataclass(frozen=True)
class CityDirectory:
    name: str
    timezone: str
    search_days: int
    timeout_s: float
    offices: tuple[CityOffice, ...]
    postgres: str = ""
    licence: str = CC_BY_4
    postcodes: dict[str, Place] = field(default_factory=dict)
    booking: BookingSettings = field(default_factory=BookingSettings)

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
                      token=token, district=_get(table, "district", str, where, ""), place=_place(table, where))


def _checked_place(lat: Any, lon: Any, where: str) -> Place:
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        raise CityConfigError(f"{where}: latitude and longitude must be numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CityConfigError(f"{where}: latitude must be -90..90 and longitude -180..180")
    return float(lat), float(lon)


def _place(table: dict[str, Any], where: str) -> Place | None:
    if "lat" not in table and "lon" not in table:
        return None
    return _checked_place(table.get("lat"), table.get("lon"), where)


def _postcodes(table: Any) -> dict[str, Place]:
    if not isinstance(table, dict):
        raise CityConfigError("postcodes must be a table of \"code\" = [lat, lon]")
    found = {}
    for code, value in table.items():
        if not isinstance(value, list) or len(value) != 2:
            raise CityConfigError(f"postcodes.{code} must be [latitude, longitude]")
        found[str(code).strip()] = _checked_place(value[0], value[1], f"postcodes.{code}")
    return found


def _booking(city: dict[str, Any]) -> BookingSettings:
    """The bot limits of the city's booking form, with an office's defaults and bounds."""
    default = BookingSettings()
    values = {key: _get(city, key, int, "city", getattr(default, key))
              for key in ("bookings_per_hour", "bookings_per_hour_without_js", "proof_of_work_max_number")}
    if not (1 <= values["bookings_per_hour"] <= 1000 and 0 <= values["bookings_per_hour_without_js"] <= 1000
            and 1000 <= values["proof_of_work_max_number"] <= 10_000_000):
        raise CityConfigError("city.bookings_per_hour must be 1-1000, bookings_per_hour_without_js 0-1000"
                              " and proof_of_work_max_number 1000-10000000")
    return BookingSettings(**values)


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
    licence = _get(city, "licence", str, "city", CC_BY_4)
    if not licence.startswith(("http://", "https://")):
        raise CityConfigError("city.licence must be the licence's address (http:// or https://)")
    return CityDirectory(name=_get(city, "name", str, "city", "Stadt"), timezone=timezone,
                         search_days=days, timeout_s=timeout, offices=offices,
                         postgres=str(engine_table(root, "postgres").get("dsn", "")), licence=licence,
                         postcodes=_postcodes(root.get("postcodes", {})), booking=_booking(city))


def engine_table(root: dict[str, Any], name: str) -> dict[str, Any]:
    """One of city.toml's operations tables (settings.py), checked: known fields, non-empty texts."""
    table = root.get(name, {})
    if not isinstance(table, dict):
        raise CityConfigError(f"[{name}] must be a table")
    unknown = sorted(set(table) - set(ENGINE_TABLES[name]))
    if unknown:
        raise CityConfigError(f"{name}: unknown field(s) {', '.join(unknown)}")
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise CityConfigError(f"{name}.{key} must be a non-empty text, not {value!r}")
    return table


def load_directory(path: Path) -> CityDirectory:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CityConfigError(f"{path}: {error}") from None
    try:
        return parse_directory(text, path.parent)
    except CityConfigError as error:
        raise CityConfigError(f"{path}: {error}") from None
