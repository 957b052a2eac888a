"""The city's errands merged into one office's office.toml document (tomlkit: comments and
layout stay), keeping what the office decides itself.

Taken from the catalogue: names, duration, and each of slot_min, slots, leika, fim, bring and
online_url the catalogue gives. Kept by the office: its counters and their skills, hours,
ticket letters, walk-in switches and caps, its own errands, and every errand it lists in
`[city] skip_errands`. An errand new to the office gets the catalogue's ticket letter (or the
first free one) and starts with `walk_in = false`: no counter serves it until the office
gives one the skill and opens it for walk-ins.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit import TOMLDocument
from tomlkit.items import AoT, Table

from .catalogue import OPTIONAL, Errand


@dataclass
class Merged:
    version: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)  # the office's own errands, not in the catalogue

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed)

    def data(self) -> dict[str, Any]:
        return {"version": self.version, "added": self.added, "changed": self.changed,
                "unchanged": self.unchanged, "skipped": self.skipped, "local": self.local}


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update(value)
        return table
    return value


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _fill(table: Table, errand: Errand) -> bool:
    """Set the catalogue's values on the office's table; whether any of them was different."""
    different = False
    for key in ("names", "duration_min", *OPTIONAL):
        if key in errand and (key not in table or _plain(table[key]) != errand[key]):
            table[key] = _value(errand[key])
            different = True
    return different


def _free_prefix(wanted: str, used: set[str]) -> str:
    free = [letter for letter in string.ascii_uppercase if letter not in used]
    return wanted if wanted not in used else (free[0] if free else wanted)  # none free: the parser refuses


def _services(doc: TOMLDocument) -> AoT:
    if "services" not in doc:
        doc.append("services", tomlkit.aot())
    found = doc["services"]
    assert isinstance(found, AoT)
    return found


def merge(doc: TOMLDocument, version: int, errands: list[Errand], skip: set[str]) -> Merged:
    services = _services(doc)
    by_id = {str(table.get("id")): table for table in services}
    used = {str(table.get("prefix")) for table in services}
    merged = Merged(version, local=sorted(set(by_id) - {e["id"] for e in errands}))
    for errand in errands:
        if errand["id"] in skip:
            merged.skipped.append(errand["id"])
        elif errand["id"] in by_id:
            (merged.changed if _fill(by_id[errand["id"]], errand) else merged.unchanged).append(errand["id"])
        else:
            table = tomlkit.table()
            table["id"] = errand["id"]
            table["prefix"] = _free_prefix(errand["prefix"], used)
            table["walk_in"] = False
            used.add(str(table["prefix"]))
            _fill(table, errand)
            services.append(table)
            merged.added.append(errand["id"])
    return merged
