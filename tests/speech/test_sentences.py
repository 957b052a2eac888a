"""The spoken call in the listener's language: grammatical, and without German words in it."""

from __future__ import annotations

import io
import shutil
import wave

import pytest

from speech import call_sentence, synthesise


def test_german_names_the_counter_as_the_office_labels_it() -> None:
    assert call_sentence(number="A042", counter_label="Schalter 2", lang="de") == (
        "Nummer A 0 4 2, bitte zu Schalter 2."
    )
    assert call_sentence(number="A042", counter_label="Platz 3", lang="de") == (
        "Nummer A 0 4 2, bitte zu Platz 3."
    )


def test_turkish_sends_the_visitor_to_the_counter_in_the_dative() -> None:
    text = call_sentence(number="B007", counter_label="Schalter 2", lang="tr")
    assert text == "Numara B 0 0 7, lütfen 2 numaralı gişeye gelin."
    assert "Schalter" not in text


def test_arabic_names_the_counter_in_arabic() -> None:
    text = call_sentence(number="A042", counter_label="Schalter 2", lang="ar")
    assert text == "الرقم A 0 4 2، يرجى التوجه إلى الشباك رقم 2."
    assert "Schalter" not in text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Number A 0 0 1, please go to counter 5."),
        ("uk", "Номер A 0 0 1, підійдіть, будь ласка, до віконця номер 5."),
        ("ru", "Номер A 0 0 1, пройдите, пожалуйста, к окну номер 5."),
    ],
)
def test_the_other_languages_name_the_counter_in_their_words(lang: str, expected: str) -> None:
    assert call_sentence(number="A001", counter_label="Schalter 5", lang=lang) == expected


def test_a_counter_with_a_name_is_spoken_as_named() -> None:
    assert call_sentence(number="C003", counter_label="Standesamt", lang="tr") == (
        "Numara C 0 0 3, lütfen Standesamt gişesine gelin."
    )


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("lang", ["tr", "ar"])
def test_espeak_speaks_the_sentence(lang: str) -> None:
    wav = synthesise(text=call_sentence(number="A042", counter_label="Schalter 2", lang=lang), lang=lang)
    with wave.open(io.BytesIO(wav)) as clip:
        assert clip.getnframes() / clip.getframerate() > 2.0
