"""The supervisor's alerts: thresholds of office.toml `[alerts]` crossed. Pure: it reads the
view's state and says what is wrong, in German. Each alert has a `key` naming what it is about
(the ticket, booking, printer or kiosk), so a crossing is told once (alert_mail.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config.alerts import AlertSettings

PAPER_OUT = ("paper_out",)


@dataclass(frozen=True)
class Alert:
    kind: str  # walk_in_wait, booked_late, printer_paper, kiosk_offline
    text: str
    key: str = ""  # kind:subject, the same for as long as the threshold stays crossed


def alerts_for(settings: AlertSettings, *, walk_ins: list[tuple[str, int]], state: dict[str, Any]) -> list[Alert]:
    found = [
        Alert("walk_in_wait", f"Nummer {number} wartet seit {minutes} Minuten (Grenze {settings.walk_in_wait_min})",
              f"walk_in_wait:{number}")
        for number, minutes in walk_ins if minutes >= settings.walk_in_wait_min
    ]
    names = state["services"]
    found += [
        Alert("booked_late", f"Termin {due['start']} ({names.get(due['service_id'], due['service_id'])}) "
                             f"seit {due['late_min']} Minuten überfällig, nicht eingecheckt",
              f"booked_late:{due['id']}")
        for due in state["due"] if due["late_min"] >= settings.booked_late_min
    ]
    if settings.printer_out_of_paper:
        found += [Alert("printer_paper", f"Drucker {p['name']}: kein Papier", f"printer_paper:{p['id']}")
                  for p in state["printers"] if p["status"] in PAPER_OUT]
    found += [
        Alert("kiosk_offline", f"Kiosk {k['name']} seit {k['silent_min']} Minuten nicht erreichbar",
              f"kiosk_offline:{k['id']}")
        for k in state["kiosks"]
        if not k["online"] and k["silent_min"] is not None and k["silent_min"] >= settings.kiosk_offline_min
    ]
    return found
