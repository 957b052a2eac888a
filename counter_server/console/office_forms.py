"""The console's forms turned into edits of office.toml's document.

Values go into the document as the form gives them, converted only where a field is a number
or a yes/no; a value that does not fit is left for the parser to refuse, so the console says
exactly what the server says at start.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import tomlkit
from tomlkit import TOMLDocument
from tomlkit.items import AoT, Table

from ..config import LANGUAGES
from ..config.alerts import FIELDS as ALERT_FIELDS
from ..config.appointments import FIELDS as APPOINTMENT_FIELDS
from ..config.clerk import ClerkSettings
from ..config.offline import FIELDS as OFFLINE_FIELDS
from ..core.model import WEEKDAYS
from ..core.policy import Rules
from .office_file import Edit

Form = dict[str, Any]
_INT = re.compile(r"^-?\d+$")
_FLOAT = re.compile(r"^-?\d+\.\d+$")


def number(text: str) -> Any:
    text = text.strip()
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def typed(text: str, default: Any) -> Any:
    if isinstance(default, list):
        return _words(text) or None
    if isinstance(default, bool):
        return {"true": True, "false": False}.get(text.strip().lower(), text)
    if isinstance(default, int | float):
        return number(text)
    return text.strip()


def _words(text: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,;\n]", text) if w.strip()]


def _set(table: Any, key: str, value: Any) -> None:
    if value == "" or value is None:
        if key in table:
            del table[key]
    else:
        table[key] = value


def _array_of_tables(doc: TOMLDocument, key: str) -> AoT:
    if key not in doc:
        doc.append(key, tomlkit.aot())
    found = doc[key]
    assert isinstance(found, AoT)
    return found


def _entry(doc: TOMLDocument, key: str, index: str) -> Table:
    tables = _array_of_tables(doc, key)
    if index == "":
        tables.append(tomlkit.table())
        return tables[-1]
    return tables[int(index)]


def per_language(form: Form, field: str, *, keep_de: bool = False) -> Any:
    """The form's `{field}_{lang}` texts as an inline table, the languages left empty left out
    (German kept even when empty where it is required, for the parser to say so)."""
    texts = tomlkit.inline_table()
    for lang in LANGUAGES:
        text = " ".join(str(form.get(f"{field}_{lang}", "")).split())
        if text or (keep_de and lang == "de"):
            texts[lang] = text
    return texts


def service_edit(form: Form) -> Edit:
    def edit(doc: TOMLDocument) -> None:
        table = _entry(doc, "services", str(form.get("index", "")))
        table["id"] = str(form.get("id", "")).strip()
        table["prefix"] = str(form.get("prefix", "")).strip()
        table["duration_min"] = number(str(form.get("duration_min", "")))
        table["walk_in"] = form.get("walk_in") == "on"
        _set(table, "daily_walk_in_cap", number(str(form.get("daily_walk_in_cap", ""))))
        _set(table, "slot_min", number(str(form.get("slot_min", ""))))
        _set(table, "slots", number(str(form.get("slots", ""))))
        table["names"] = per_language(form, "name", keep_de=True)
        _set(table, "bring", per_language(form, "bring") or None)
        _set(table, "online_url", str(form.get("online_url", "")).strip())

    return edit


def counter_edit(form: Form) -> Edit:
    def edit(doc: TOMLDocument) -> None:
        table = _entry(doc, "counters", str(form.get("index", "")))
        table["id"] = str(form.get("id", "")).strip()
        table["label"] = str(form.get("label", "")).strip()
        _set(table, "room", str(form.get("room", "")).strip())
        skills = tomlkit.inline_table()
        for part in _words(str(form.get("skills", ""))):
            key, _, level = part.partition("=")
            skills[key.strip()] = number(level) if level.strip() else ""
        table["skills"] = skills
        _set(table, "languages", _words(str(form.get("languages", ""))) or None)

    return edit


def printer_edit(form: Form) -> Edit:
    def edit(doc: TOMLDocument) -> None:
        table = _entry(doc, "printers", str(form.get("index", "")))
        table["id"] = str(form.get("id", "")).strip()
        _set(table, "name", str(form.get("name", "")).strip())
        table["paper_mm"] = number(str(form.get("paper_mm", "")))
        table["kiosks"] = _words(str(form.get("kiosks", "")))
        _set(table, "agent", str(form.get("agent", "")).strip())
        table["max_job_age_min"] = number(str(form.get("max_job_age_min", "")))
        table["mode"] = str(form.get("mode", "agent")).strip()

    return edit


def delete_edit(key: str, index: int) -> Edit:
    def edit(doc: TOMLDocument) -> None:
        del _array_of_tables(doc, key)[index]

    return edit


def hours_edit(form: Form) -> Edit:
    def edit(doc: TOMLDocument) -> None:
        hours = doc["hours"]
        for day in WEEKDAYS:
            hours[day] = _words(str(form.get(day, "")))
        hours["last_walk_in_min"] = number(str(form.get("last_walk_in_min", "30")))

    return edit


def closed_edit(add: list[str], remove: list[str]) -> Edit:
    def edit(doc: TOMLDocument) -> None:
        hours = doc["hours"]
        dates = [str(d) for d in hours.get("closed_dates", []) if str(d) not in remove]
        dates += [d.strip() for d in add if d.strip() and d.strip() not in dates]
        hours["closed_dates"] = sorted(dates)

    return edit


def _policy_defaults() -> dict[str, Any]:
    clerk = ClerkSettings()
    return {**{f.name: f.default for f in dataclasses.fields(Rules)},
            "next_on_called": clerk.next_on_called, "undo_s": clerk.undo_s}


# section -> key -> default: the settings the console edits as plain key/value forms
SETTINGS: dict[str, dict[str, Any]] = {
    "appointments": {k: d for k, (_, d) in APPOINTMENT_FIELDS.items()},
    "queue": _policy_defaults(),
    "offline": {k: d for k, (_, d) in OFFLINE_FIELDS.items()},
    "alerts": {**{k: d for k, (_, d) in ALERT_FIELDS.items()}, "mail_to": []},
}
SETTING_TITLES = {"appointments": "Termine", "queue": "Regeln der Warteschlange", "offline": "Ohne Server (Kiosk)",
                  "alerts": "Warnungen der Aufsicht"}


def settings_edit(section: str, form: Form) -> Edit:
    defaults = SETTINGS[section]

    def edit(doc: TOMLDocument) -> None:
        if section not in doc:
            doc.append(section, tomlkit.table())
        table = doc[section]
        for key, default in defaults.items():
            _set(table, key, typed(str(form.get(key, "")), default))

    return edit


SCREEN_TEXTS = {"kiosk_notice": "Zeile auf dem Startbildschirm des Kiosks",
                "display_notice": "Zeile auf der Anzeige im Wartebereich"}


def texts_edit(form: Form) -> Edit:
    """office.toml `[texts]`: each screen's line per language; emptied, the key leaves the file."""
    def edit(doc: TOMLDocument) -> None:
        if "texts" not in doc:
            doc.append("texts", tomlkit.table())
        table = doc["texts"]
        for key in SCREEN_TEXTS:
            _set(table, key, per_language(form, key) or None)

    return edit


def office_edit(form: Form) -> Edit:
    def edit(doc: TOMLDocument) -> None:
        office = doc["office"]
        office["name"] = str(form.get("name", "")).strip()
        office["languages"] = _words(str(form.get("languages", "")))
        office["public_url"] = str(form.get("public_url", "")).strip()

    return edit
