"""The one catalogue: every key in all six languages, same placeholders, CLDR plural forms."""

from __future__ import annotations

import string

import pytest

from i18n import (
    FALLBACK_LANG,
    Catalog,
    Entry,
    UnknownLanguage,
    available_languages,
    counter_name,
    load,
    plural_categories,
    plural_category,
    room_name,
    rtl_languages,
)

LANGS = ("de", "en", "tr", "ar", "uk", "ru")
NAMESPACES = {"kiosk", "display", "ticket_page", "speech", "place", "ticket", "book", "mail", "open_wait", "city"}


def placeholders(entry: Entry) -> set[str]:
    texts = [entry] if isinstance(entry, str) else list(entry.values())
    found = {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}
    return found - {"n"}  # a plural form may spell its count out ("دقيقتين", "1 Person")


def test_the_six_languages_are_there() -> None:
    assert set(available_languages()) == set(LANGS)
    assert rtl_languages() == {"ar"}


def test_keys_are_namespaced() -> None:
    for key in load(FALLBACK_LANG):
        assert key == "language_name" or key.split(".", 1)[0] in NAMESPACES, key


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_is_in_every_language_with_the_same_placeholders(lang: str) -> None:
    german, other = load(FALLBACK_LANG), load(lang)
    assert set(other) == set(german), set(other) ^ set(german)
    for key, entry in german.items():
        assert isinstance(other[key], str) == isinstance(entry, str), key
        assert placeholders(other[key]) == placeholders(entry), (lang, key)


@pytest.mark.parametrize("lang", LANGS)
def test_every_plural_entry_has_the_forms_its_language_needs(lang: str) -> None:
    needed = plural_categories(lang)
    for key, entry in load(lang).items():
        if isinstance(entry, dict):
            assert needed <= set(entry), (lang, key, needed - set(entry))
            assert set(entry) <= {"zero", "one", "two", "few", "many", "other"}, (lang, key)


def test_plural_categories_come_from_cldr() -> None:
    assert [plural_category("ru", n) for n in (1, 2, 5, 11, 21, 22, 25, 111)] == [
        "one", "few", "many", "many", "one", "few", "many", "many"]
    assert [plural_category("uk", n) for n in (1, 3, 12, 14, 101, 104)] == [
        "one", "few", "many", "many", "one", "few"]
    assert [plural_category("ar", n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103)] == [
        "zero", "one", "two", "few", "few", "many", "many", "other", "other", "few"]
    assert [plural_category("de", n) for n in (0, 1, 2)] == ["other", "one", "other"]


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("de", 1, "1 Person ist vor Ihnen."),
        ("de", 4, "4 Personen sind vor Ihnen."),
        ("ru", 21, "Перед вами 21 человек."),
        ("ru", 3, "Перед вами 3 человека."),
        ("uk", 5, "Перед вами 5 людей."),
        ("ar", 2, "أمامك شخصان."),
        ("ar", 5, "أمامك 5 أشخاص."),
        ("ar", 11, "أمامك 11 شخصًا."),
    ],
)
def test_plural_texts_read_right(lang: str, n: int, expected: str) -> None:
    assert Catalog(lang, "kiosk").plural("ahead_count", n) == expected


def test_display_plurals() -> None:
    assert Catalog("ar", "display").plural("eta_minutes", 5) == "حوالي 5 دقائق"
    assert Catalog("ar", "display").plural("eta_minutes", 15) == "حوالي 15 دقيقة"
    assert Catalog("ru", "display").plural("counters_open", 2) == "2 окна открыто"
    assert Catalog("de", "display").plural("counters_open", 1) == "1 Schalter geöffnet"


def test_a_namespace_hands_out_its_entries_by_full_key() -> None:
    entries = Catalog("ar").entries("display")
    assert entries["display.now_title"] == "يتم النداء الآن"
    assert all(key.startswith("display.") for key in entries)
    assert Catalog("ar").rtl and Catalog("ar").direction == "rtl" and Catalog("tr").direction == "ltr"


def test_an_unknown_language_or_key_is_named() -> None:
    with pytest.raises(UnknownLanguage):
        Catalog("fr")
    with pytest.raises(KeyError, match="kiosk.no_such_text"):
        Catalog("de", "kiosk").text("no_such_text")


def test_counters_and_rooms_are_named_in_the_visitors_language() -> None:
    assert counter_name("Schalter 2", "de") == "Schalter 2"
    assert counter_name("Platz 3", "de") == "Platz 3"
    assert counter_name("Schalter 2", "ar") == "الشباك 2"
    assert counter_name("Schalter 12", "tr") == "Gişe 12"
    assert counter_name("Standesamt", "en") == "Standesamt"  # a name stays a name
    assert room_name("Raum E.01", "ru") == "Кабинет E.01"
    assert room_name("Raum E.01", "de") == "Raum E.01"
