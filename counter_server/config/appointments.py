"""`[appointments]`: how much counter time is bookable, the arrival window, contact retention."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.appointments import ArrivalWindow
from ..core.slots import SlotRules
from .reader import ConfigError, Reader

# key -> (type, default)
FIELDS: dict[str, tuple[type, Any]] = {
    "share": (float, 0.5),
    "window_min": (int, 120),
    "early_window_min": (int, 15),
    "late_window_min": (int, 15),
    "contact_retention_days": (int, 2),
}


@dataclass(frozen=True)
class AppointmentSettings:
    """office.toml `[appointments]`, validated."""

    slots: SlotRules = field(default_factory=SlotRules)
    window: ArrivalWindow = field(default_factory=ArrivalWindow)
    contact_retention_days: int = 2


def _number(r: Reader, key: str) -> Any:
    kind, default = FIELDS[key]
    value = r.table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise r.fail(key, f"must be a number, not {value!r}")
    if kind is int and value != int(value):
        raise r.fail(key, "must be a whole number")
    return kind(value)


def parse_appointments(r: Reader) -> AppointmentSettings:
    r.reject_unknown(frozenset(FIELDS))
    values = {key: _number(r, key) for key in FIELDS}
    if not 0 <= values["contact_retention_days"] <= 365:
        raise r.fail("contact_retention_days", "must be 0-365")
    try:
        return AppointmentSettings(
            slots=SlotRules(share=values["share"], window_min=values["window_min"]),
            window=ArrivalWindow(
                early_min=values["early_window_min"], late_min=values["late_window_min"]
            ),
            contact_retention_days=values["contact_retention_days"],
        )
    except ValueError as error:
        raise ConfigError(r.path, r.where, str(error)) from None
