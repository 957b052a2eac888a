"""`[alerts]`: when the supervisor view raises an alert (issue 17)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from .reader import Reader

# key -> (type, default)
FIELDS: dict[str, tuple[type, Any]] = {
    "walk_in_wait_min": (int, 30),
    "booked_late_min": (int, 10),
    "printer_out_of_paper": (bool, True),
    "kiosk_offline_min": (int, 5),
}


@dataclass(frozen=True)
class AlertSettings:
    """A walk-in waiting longer than `walk_in_wait_min`, a booked visitor not checked in
    `booked_late_min` after their slot, a printer out of paper (when `printer_out_of_paper`),
    a kiosk not heard from for `kiosk_offline_min`."""

    walk_in_wait_min: int = 30
    booked_late_min: int = 10
    printer_out_of_paper: bool = True
    kiosk_offline_min: int = 5
    # e-mail addresses each alert is mailed to once when it is crossed (through [mail]'s outbox)
    mail_to: tuple[str, ...] = ()


def _mail_to(r: Reader) -> tuple[str, ...]:
    found: list[Any] = r.get("mail_to", list, [])
    for index, entry in enumerate(found):
        address = parseaddr(entry)[1] if isinstance(entry, str) else ""
        if "@" not in address or " " in address or address != str(entry).strip():
            raise r.fail(f"mail_to[{index}]", f"{entry!r} is not an e-mail address such as leitung@musterstadt.de")
    return tuple(str(entry).strip() for entry in found)


def parse_alerts(r: Reader, *, mail: bool) -> AlertSettings:
    """`mail`: the office has a `[mail]` section (alerts can be mailed only then)."""
    r.reject_unknown(frozenset(FIELDS) | {"mail_to"})
    values: dict[str, Any] = {}
    for key, (kind, default) in FIELDS.items():
        value = r.get(key, kind, default)
        if kind is int and not 1 <= value <= 600:
            raise r.fail(key, "must be between 1 and 600 minutes")
        values[key] = value
    mail_to = _mail_to(r)
    if mail_to and not mail:
        raise r.fail("mail_to", "needs a [mail] section (the SMTP server that sends the alerts)")
    return AlertSettings(**values, mail_to=mail_to)
