"""city.toml's places, postcodes, statistics and booking limits; distances and the nearest office first."""

from __future__ import annotations

import pytest

from counter_server.city.directory import CityConfigError, CityOffice, parse_directory
from counter_server.city.near import BadPlace, distances, nearest_first, place_of
from counter_server.city.offices import OfficeSlots
from counter_server.config.open_data import CC_BY_4
from counter_server.core.geo import distance_km

OFFICE = '[[offices]]\nid = "{id}"\nname = "{id}"\nurl = "http://127.0.0.1:1"\ntoken = "t"\n{more}\n'


def city(city_keys: str = "", tables: str = "", **places: str) -> str:
    offices = "".join(OFFICE.format(id=i, more=more) for i, more in (places or {"mitte": ""}).items())
    return f"[city]\n{city_keys}\n{tables}\n{offices}"


def test_defaults_and_the_new_keys() -> None:
    plain = parse_directory(city())
    assert (plain.postgres, plain.licence, plain.postcodes, plain.offices[0].place) == ("", CC_BY_4, {}, None)
    assert (plain.booking.bookings_per_hour, plain.booking.bookings_per_hour_without_js) == (10, 3)
    full = parse_directory(city('bookings_per_hour = 4\nbookings_per_hour_without_js = 0\n',
                                '[postgres]\ndsn = "dbname=city"\n[postcodes]\n"10115" = [52.53, 13.38]\n', mitte="lat = 52.52\nlon = 13"))
    assert full.postgres == "dbname=city" and full.postcodes == {"10115": (52.53, 13.38)}
    assert full.offices[0].place == (52.52, 13.0)
    assert (full.booking.bookings_per_hour, full.booking.bookings_per_hour_without_js) == (4, 0)


@pytest.mark.parametrize(("text", "says"), [
    (city(mitte="lat = 52.5"), "latitude and longitude"),
    (city(mitte="lat = 95\nlon = 13"), "-90..90"),
    (city(mitte='lat = "52"\nlon = 13'), "must be numbers"),
    (city(tables='[postcodes]\n"10115" = [52.5]\n'), "postcodes.10115"),
    ("postcodes = 3\n" + city(), "postcodes must be a table"),
    (city("bookings_per_hour = 0\n"), "bookings_per_hour must be 1-1000"),
    (city('licence = "CC-BY"\n'), "city.licence"),
])
def test_a_wrong_value_names_the_field(text: str, says: str) -> None:
    with pytest.raises(CityConfigError, match=says):
        parse_directory(text)


def test_distances_and_the_nearest_office_first() -> None:
    assert distance_km((52.52, 13.405), (48.137, 11.575)) == pytest.approx(504, abs=2)  # Berlin - Munich
    assert distance_km((0, 0), (0, 0)) == 0
    directory = parse_directory(city(tables='[postcodes]\n"13437" = [52.588, 13.332]\n',
                                     nord="lat = 52.59\nlon = 13.33", sued="lat = 52.43\nlon = 13.45", ost=""))
    assert place_of(directory, " 13437 ", "", "") == (52.588, 13.332)
    assert place_of(directory, "13437", "52.43", "13.45") == (52.43, 13.45)  # the location wins
    assert place_of(directory, "", "", "") is None
    for postcode, lat, lon, key in (("99999", "", "", "unknown_postcode"), ("", "inf", "1", "bad_location"),
                                    ("", "1", "", "bad_location"), ("", "-91", "0", "bad_location")):
        with pytest.raises(BadPlace) as bad:
            place_of(directory, postcode, lat, lon)
        assert bad.value.key == key
    nord, sued, ost = directory.offices
    found = [OfficeSlots(ost, "found"), OfficeSlots(sued, "unreachable"), OfficeSlots(nord, "found")]
    km = distances(found, (52.43, 13.45))
    assert set(km) == {"nord", "sued"}
    assert [f.office.id for f in nearest_first(found, km)] == ["nord", "ost", "sued"]  # with times, placed first


def test_an_office_without_a_place_is_not_given_a_distance() -> None:
    office = CityOffice(id="x", name="x", url="http://x", token="t")
    assert distances([OfficeSlots(office, "none")], (52.0, 13.0)) == {}
