"""`[city]` in office.toml: absent means alone; a wrong value names the field."""

from __future__ import annotations

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
