"""Documentation that can be checked is checked (as Datasette's tests/test_docs.py does):
every event type, error code, office.toml key and command is in the README."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import counter_server
from counter_server import event_types
from counter_server.config import SECTIONS
from counter_server.config.alerts import FIELDS as ALERT_FIELDS
from counter_server.config.appointments import FIELDS as APPOINTMENT_FIELDS
from counter_server.config.booking import FIELDS as BOOKING_FIELDS
from counter_server.config.booking import FLAGS as BOOKING_FLAGS
from counter_server.config.booking import PRIVACY_FIELDS
from counter_server.config.city import FIELDS as CITY_FIELDS
from counter_server.config.clerk import FIELDS as CLERK_FIELDS
from counter_server.config.mail import FIELDS as MAIL_FIELDS
from counter_server.config.office import COUNTER_FIELDS, HOURS_FIELDS, OFFICE_FIELDS, SERVICE_FIELDS
from counter_server.config.offline import FIELDS as OFFLINE_FIELDS
from counter_server.config.printers import FIELDS as PRINTER_FIELDS
from counter_server.core.errors import DomainError
from counter_server.core.policy import Rules
from counter_server.errors import status_of

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def _documented(text: str) -> set[str]:
    return set(re.findall(r"`([a-z_.]+)`", text))


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _domain_errors() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(counter_server.__path__, "counter_server."):
        importlib.import_module(module.name)
    return list(_subclasses(DomainError))


def _edge_codes() -> set[str]:
    """Codes the HTTP edge raises itself (ApiError, respond, bad_request(code=...))."""
    found: set[str] = set()
    pattern = re.compile(r'(?:ApiError\(\d+, |respond\(\d+, |code=)"([a-z_]+)"|\d{3}: "([a-z_]+)"')
    for path in (ROOT / "counter_server").rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_event_type_is_documented() -> None:
    missing = set(event_types.EVENTS) - _documented(_section("Events"))
    assert not missing, f"event types missing from README ## Events: {sorted(missing)}"


def test_every_emitted_event_type_is_in_the_catalogue() -> None:
    emitted = set()
    for path in (ROOT / "counter_server").rglob("*.py"):
        emitted |= set(re.findall(r'\bemit\(\s*"([a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert emitted and emitted <= set(event_types.EVENTS)


def test_every_domain_error_code_is_documented_with_its_status() -> None:
    rows = {
        int(m.group(1)): _documented(m.group(2))
        for m in re.finditer(r"^\| (\d{3}) \| (.*) \|$", _section("Error codes"), re.MULTILINE)
    }
    for error in _domain_errors():
        status = status_of(error.__new__(error))
        assert error.code in rows.get(status, set()), f"{error.code} ({status}) not in README ## Error codes"


@pytest.mark.parametrize("code", sorted(_edge_codes()))
def test_every_edge_error_code_is_documented(code: str) -> None:
    assert code in _documented(_section("Error codes"))


def test_every_office_toml_key_is_documented() -> None:
    documented = _documented(_section("Configuration"))
    keys = (
        set(SECTIONS) | OFFICE_FIELDS | HOURS_FIELDS | SERVICE_FIELDS | COUNTER_FIELDS
        | PRINTER_FIELDS | set(APPOINTMENT_FIELDS) | set(ALERT_FIELDS) | set(OFFLINE_FIELDS) | set(BOOKING_FIELDS)
        | set(BOOKING_FLAGS) | MAIL_FIELDS | PRIVACY_FIELDS | CLERK_FIELDS | set(CITY_FIELDS)
        | {f.name for f in dataclasses.fields(Rules)}
    )
    missing = keys - documented - {f"[{s}]" for s in SECTIONS}
    assert not {k for k in missing if f"[{k}]" not in README and f"[[{k}]]" not in README and k not in documented}


def test_every_command_is_documented() -> None:
    from counter_server.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices
    for name in commands:
        assert f"townhall {name}" in README or f"dev {name}" in README, f"townhall {name} is not in the README"
