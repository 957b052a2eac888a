"""The errand catalogue's rules (one set, at the city and at each office) and its merge into an
office.toml: comments, counters, hours, ticket letters and caps stay the office's own."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
import tomlkit

from counter_server.city import catalogue
from counter_server.city.catalogue_merge import merge
from counter_server.config import ConfigError, parse_text

DATA = Path(__file__).parent / "data"
DEMO = resources.files("counter_server").joinpath("demo_office.toml").read_text(encoding="utf-8")


def errands() -> list[catalogue.Errand]:
    return catalogue.load_file(DATA / "errands.toml")


def test_the_catalogue_file_is_read_and_travels_unchanged() -> None:
    found = errands()
    assert [e["id"] for e in found] == ["ausweis", "pass", "gewerbe", "fuehrerschein"]
    assert found[2]["leika"] == "99050012104000" and found[2]["fim"] == "L100012.104"
    assert catalogue.decode(catalogue.encode(7, found)) == (7, found)
    assert catalogue.digest(found) == catalogue.digest(json.loads(json.dumps(found)))


@pytest.mark.parametrize(("change", "named"), [
    (('duration_min = 25', 'duration_min = 25\ncolour = "red"'), "errands[2].colour: unknown setting"),
    ((', ru = "Заграничный паспорт"', ''), "errands[1].names: needs a text in every language; missing: ru"),
    (('prefix = "P"', 'prefix = "A"'), "errands[1].prefix: 'A' is used twice"),
    (('id = "pass"', 'id = "ausweis"'), "errands[1].id: 'ausweis' is used twice"),
    (('leika = "99102001000000"', 'leika = "991"'), "errands[0].leika: '991' is not a LeiKa key"),
    (('duration_min = 18', 'duration_min = 0'), "errands[1].duration_min: must be between 1 and 240"),
    (('duration_min = 18', 'duration_min = "lang"'), "errands[1].duration_min: must be of type number"),
    (('[[errands]]\nid = "ausweis"', '[[errands]]\nid = "Ausweis!"'), "errands[0].id:"),
    (('# The errand', 'version = 3\n# The errand'), "version: unknown setting"),
    (('[[errands]]', '[[errands'), "not valid TOML"),
])
def test_a_bad_catalogue_is_refused_naming_the_field(tmp_path: Path, change: tuple[str, str], named: str) -> None:
    text = (DATA / "errands.toml").read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / "errands.toml").write_text(text.replace(*change, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(named)):
        catalogue.load_file(tmp_path / "errands.toml")


@pytest.mark.parametrize(("raw", "named"), [
    (b"not json", "not JSON"),
    (b'{"errands": []}', "version"),
    (b'{"version": 2, "errands": []}', "lists no errand"),
    (b'{"version": 2, "errands": [{"id": "x"}]}', "errands[0].names: is missing"),
])
def test_a_bad_message_is_refused(raw: bytes, named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        catalogue.decode(raw)


def test_merge_takes_names_and_durations_and_keeps_the_office_own() -> None:
    doc = tomlkit.parse(DEMO)
    merged = merge(doc, 1, errands(), skip={"pass"})
    assert merged.data() == {
        "version": 1, "added": ["gewerbe", "fuehrerschein"], "changed": ["ausweis"], "unchanged": [],
        "skipped": ["pass"], "local": ["abholung", "anmeldung", "bescheinigung", "sonstiges"]}
    text = tomlkit.dumps(doc)
    config = parse_text(Path("office.toml"), text)
    services = {s.id: s for s in config.office.services}
    assert services["ausweis"].names["de"] == "Personalausweis beantragen"
    assert services["ausweis"].duration_min == 20 and services["ausweis"].prefix == "A"
    assert services["pass"].names["de"] == "Reisepass" and services["pass"].duration_min == 18
    assert services["gewerbe"].prefix == "G" and not services["gewerbe"].walk_in and services["gewerbe"].slot_min == 30
    assert services["fuehrerschein"].prefix == "C"  # F is the office's Führungszeugnis
    assert services["sonstiges"].daily_walk_in_cap == 40
    before = parse_text(Path("office.toml"), DEMO)
    assert config.office.counters == before.office.counters and config.office.hours == before.office.hours
    for comment in re.findall(r"^#.*$", DEMO, re.MULTILINE):
        assert comment in text
    assert 'leika = "99050012104000"' in text and 'fim = "L100012.104"' in text


def test_merge_twice_changes_nothing_more() -> None:
    doc = tomlkit.parse(DEMO)
    merge(doc, 1, errands(), skip=set())
    first = tomlkit.dumps(doc)
    again = merge(doc, 2, errands(), skip=set())
    assert tomlkit.dumps(doc) == first and not again.touched
    assert again.unchanged == ["ausweis", "pass", "gewerbe", "fuehrerschein"]


@pytest.mark.parametrize(("extra", "field"), [
    ('skip_errands = "gewerbe"', "city.skip_errands"),
    ("skip_errands = [1]", "city.skip_errands"),
    ('catalogue = "yes"', "city.catalogue"),
])
def test_the_office_catalogue_keys_are_checked(extra: str, field: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(field)):
        parse_text(Path("office.toml"), DEMO + f'\n[city]\nnats_url = "nats://x:4222"\n{extra}\n')
    city = parse_text(Path("office.toml"), DEMO + '\n[city]\nnats_url = "nats://x:4222"\n'
                      'catalogue = false\nskip_errands = ["gewerbe"]\n').city
    assert city is not None and not city.catalogue and city.skip_errands == ("gewerbe",)


ENGINES = '[nats]\nurl = "nats://127.0.0.1:4222"\n\n[postgres]\ndsn = "dbname=city"\n\n[catalogue]\nfile = "errands.toml"\n'


@pytest.mark.parametrize(("change", "named"), [
    (('url = "nats://127.0.0.1:4222"', 'url = "http://x"'), "nats.url must be a NATS URL"),
    (('dsn = "dbname=city"', 'database = "city"'), "postgres: unknown field(s) database"),
    (('dsn = "dbname=city"', ''), "postgres.dsn is missing"),
    (('file = "errands.toml"', 'file = 3'), "catalogue.file must be a non-empty text"),
    (('[nats]', '[nats]\ncredentials = "none.creds"'), "nats.credentials"),
])
def test_city_toml_engines_are_checked(change: tuple[str, str], named: str, tmp_path: Path) -> None:
    from counter_server.city.directory import CityConfigError
    from counter_server.city.settings import parse_engines

    engines = parse_engines(ENGINES, tmp_path)
    assert engines.nats_url == "nats://127.0.0.1:4222" and engines.catalogue == tmp_path / "errands.toml"
    with pytest.raises(CityConfigError, match=re.escape(named)):
        parse_engines(ENGINES.replace(*change, 1), tmp_path)
