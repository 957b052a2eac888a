"""`[open_data]`: the licence the office publishes its open data under."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .reader import Reader

# DCAT-AP.de names licences by these URIs (https://www.dcat-ap.de/def/licenses/)
CC_BY_4 = "http://dcat-ap.de/def/licenses/cc-by/4.0"
FIELDS: dict[str, tuple[type, Any]] = {"licence": (str, CC_BY_4), "publisher": (str, "")}


@dataclass(frozen=True)
class OpenDataSettings:
    licence: str = CC_BY_4
    publisher: str = ""  # who publishes (the town); the office's name when empty


def parse_open_data(r: Reader) -> OpenDataSettings:
    r.reject_unknown(frozenset(FIELDS))
    licence = r.get("licence", str, CC_BY_4).strip()
    if not licence.startswith(("http://", "https://")):
        raise r.fail("licence", f"must be a licence URI such as {CC_BY_4}, not {licence!r}")
    return OpenDataSettings(licence=licence, publisher=r.get("publisher", str, "").strip())
