"""`[city]` in office.toml: absent means alone; a wrong value names the field."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from counter_server.city import payload
from counter_server.config import ConfigError, parse_text

DEMO = resources.files("counter_server").joinpath("demo_office.toml").read_text(encoding="utf-8")


def test_no_city_section_means_no_city() -> None:
    assert parse_text(Path("office.toml"), DEMO).city is None


def test_city_section_with_defaults() -> None:
    city = parse_text(Path("office.toml"), DEMO + '\n[city]\nnats_url = "nats://10.0.0.1:4222"\n').city
    assert city is not None and city.stream == "TOWNHALL_BUERGERAMT_MUSTERSTADT" and city.credentials is None


@pytest.mark.parametrize(("extra", "field"), [
    ('nats_url = "http://x"', "city.nats_url"),
    ('nats_url = "nats://x:4222"\nstream = "a.b"', "city.stream"),
    ('nats_url = "nats://x:4222"\ncredentials = "/nonexistent.creds"', "city.credentials"),
    ('nats_url = "nats://x:4222"\nsubject = "x"', "city"),
])
def test_a_wrong_city_value_names_the_field(extra: str, field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        parse_text(Path("office.toml"), DEMO + f"\n[city]\n{extra}\n")


def test_scrub_removes_private_keys_at_any_depth() -> None:
    data = {"ticket": {"id": "t", "public_id": "secret", "number": "A001"},
            "rows": [{"email": "a@b.example", "service_id": "ausweis"}]}
    assert payload.scrub(data) == {"ticket": {"id": "t", "number": "A001"}, "rows": [{"service_id": "ausweis"}]}


CITY_TOML = """
[city]
name = "Stadt Musterstadt"
search_days = 14

[[offices]]
id = "mitte"
name = "Bürgeramt Mitte"
url = "http://127.0.0.1:8001/"
token_file = "mitte.token"
district = "Mitte"

[[offices]]
id = "nord"
name = "Bürgeramt Nord"
url = "https://nord.example"
token = "t-nord"
"""


def test_city_toml_lists_the_offices(tmp_path: Path) -> None:
    from counter_server.city.directory import parse_directory

    (tmp_path / "mitte.token").write_text("t-mitte\n", encoding="utf-8")
    city = parse_directory(CITY_TOML, tmp_path)
    assert [(o.id, o.url, o.token, o.district) for o in city.offices] == [
        ("mitte", "http://127.0.0.1:8001", "t-mitte", "Mitte"), ("nord", "https://nord.example", "t-nord", "")]
    assert city.districts == ["Mitte"] and city.search_days == 14 and city.timeout_s == 5.0
    assert [o.id for o in city.in_district("Mitte")] == ["mitte"]


@pytest.mark.parametrize(("change", "named"), [
    (('url = "https://nord.example"', 'url = "ftp://nord"'), "offices[1].url"),
    (('token = "t-nord"', ""), "offices[1].token"),
    (("search_days = 14", "search_days = 0"), "city.search_days"),
    (("search_days = 14", "colour = 1"), "city: unknown field"),
    (('id = "nord"', 'id = "mitte"'), "own id"),
    (('token_file = "mitte.token"', 'token_file = "missing.token"'), "offices[0].token_file"),
])
def test_a_wrong_city_toml_names_the_field(tmp_path: Path, change: tuple[str, str], named: str) -> None:
    from counter_server.city.directory import CityConfigError, parse_directory

    (tmp_path / "mitte.token").write_text("t-mitte\n", encoding="utf-8")
    with pytest.raises(CityConfigError, match=re.escape(named)):
        parse_directory(CITY_TOML.replace(*change, 1), tmp_path)
