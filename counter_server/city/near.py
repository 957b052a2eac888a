"""Where the visitor is (a postcode of city.toml, or the browser's location) and the offices by distance.

No map service and no internet: the postcode's centroid comes from city.toml `[postcodes]`,
the browser's location stays a pair of numbers in the search's address and is not kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.geo import distance_km
from .directory import CityDirectory, Place
from .offices import OfficeSlots

_STATE_ORDER = {"found": 0, "none": 1, "not_offered": 2, "unreachable": 3}


class BadPlace(ValueError):
    """The search's place cannot be used; `key` names the page's explanation."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _coordinate(text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadPlace("bad_location") from None
    if not low <= value <= high:  # also refuses nan and inf
        raise BadPlace("bad_location")
    return value


def place_of(directory: CityDirectory, postcode: str, lat: str, lon: str) -> Place | None:
    """The visitor's place: the browser's location first, else the postcode's centroid; None for neither."""
    if lat or lon:
        if len(lat) > 32 or len(lon) > 32:
            raise BadPlace("bad_location")
        return _coordinate(lat, -90, 90), _coordinate(lon, -180, 180)
    code = postcode.strip()
    if not code:
        return None
    if code not in directory.postcodes:
        raise BadPlace("unknown_postcode")
    return directory.postcodes[code]


def distances(found: Sequence[OfficeSlots], place: Place) -> dict[str, float]:
    """Office id -> km from the place, for offices whose place city.toml gives."""
    return {f.office.id: distance_km(place, f.office.place) for f in found if f.office.place is not None}


def nearest_first(found: Sequence[OfficeSlots], km: dict[str, float]) -> list[OfficeSlots]:
    """Offices with free times by distance (then by their earliest time), then the rest as before;
    an office without a place after those with one."""
    def key(f: OfficeSlots) -> tuple[int, float, float]:
        return (_STATE_ORDER[f.state], km.get(f.office.id, float("inf")), f.first.timestamp() if f.first else 0.0)
    return sorted(found, key=key)
