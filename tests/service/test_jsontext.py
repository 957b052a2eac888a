"""Answers and frames are encoded by orjson: the same JSON text as the standard encoder's
compact UTF-8 form, and what orjson refuses is still encoded, never a failed answer."""

from __future__ import annotations

import json
from typing import Any

from counter_server.api.answer import JsonAnswer
from counter_server.jsontext import encode, text


def _standard(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_the_same_text_as_the_standard_encoder() -> None:
    value = {
        "number": "A017", "names": {"de": "Führerschein", "ar": "رخصة", "uk": "Посвідчення"},
        "eta_min": 12, "low": 3.5, "waiting": [{"id": "x", "called_at": None, "urgent": True}], "empty": {},
        "quote": 'a "b" \\ c\n', 1: "key that is a number",
    }
    assert text(value) == _standard(value)
    assert encode(value) == _standard(value).encode()


def test_what_orjson_refuses_is_encoded_by_the_standard_encoder() -> None:
    value = {"n": 10**30, "list": [2**70]}
    assert text(value) == _standard(value)


def test_the_http_answer_carries_that_text() -> None:
    answer = JsonAnswer({"ticket": {"number": "B003", "lang": "tr"}}, status_code=201)
    assert answer.body == _standard({"ticket": {"number": "B003", "lang": "tr"}}).encode()
    assert answer.headers["content-type"] == "application/json"
