"""office.toml: one typed, validated object, parsed once at start.

A wrong value names the file, the field and the reason, e.g.
`office.toml: services[2].prefix: 'PP' must be one capital letter A-Z`.
Nothing after start-up reads a raw TOML table: every part takes its settings
from `OfficeConfig`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.model import Office
from ..core.policy import Rules, rules_from_mapping
from .alerts import AlertSettings, parse_alerts
from .appointments import AppointmentSettings, parse_appointments
from .booking import BookingSettings, parse_booking
from .city import CitySettings, parse_city
from .clerk import ClerkSettings, parse_clerk, policy_table
from .ldap import LdapSettings, parse_ldap
from .mail import MailSettings, parse_mail
from .office import LANGUAGES, parse_office
from .offline import OfflineSettings, parse_offline
from .open_data import OpenDataSettings, parse_open_data
from .printers import PrinterConfig, parse_printers
from .reader import ConfigError, Reader
from .screen_texts import ScreenTexts, parse_screen_texts
from .template import CONFIG_TEMPLATE

__all__ = [
    "CONFIG_TEMPLATE", "LANGUAGES", "AlertSettings", "CitySettings", "SECTIONS", "AppointmentSettings",
    "BookingSettings", "ClerkSettings", "ConfigError", "LdapSettings", "MailSettings", "OfficeConfig", "OfflineSettings",
    "PrinterConfig", "load_config", "parse_config",
    "parse_text",
]

SECTIONS = frozenset({
    "office", "hours", "services", "counters", "queue", "appointments", "printers", "offline", "alerts", "open_data",
    "booking", "privacy", "city", "mail", "texts", "ldap",
})


@dataclass(frozen=True)
class OfficeConfig:
    """The whole office.toml, validated."""

    path: Path
    office: Office
    rules: Rules
    public_url: str
    appointments: AppointmentSettings
    printers: tuple[PrinterConfig, ...] = ()
    offline: OfflineSettings = OfflineSettings()
    clerk: ClerkSettings = ClerkSettings()
    alerts: AlertSettings = AlertSettings()
    open_data: OpenDataSettings = OpenDataSettings()
    booking: BookingSettings = BookingSettings()
    city: CitySettings | None = None  # None: the office runs alone, with no city layer
    # None: no [mail], no e-mail is sent and the booking site says so
    mail: MailSettings | None = None
    # None: no [ldap], every staff account has a local password
    ldap: LdapSettings | None = None
    # [texts]: the kiosk's and the display's notice line, per language
    texts: ScreenTexts = ScreenTexts()

    def printer(self, printer_id: str) -> PrinterConfig | None:
        return next((p for p in self.printers if p.id == printer_id), None)

    def agent_printer_for(self, kiosk_name: str) -> PrinterConfig | None:
        """The network printer (fed by print jobs) that prints this kiosk's tickets."""
        return next(
            (p for p in self.printers if p.mode == "agent" and p.serves_kiosk(kiosk_name)), None
        )


def _rules(root: Reader) -> Rules:
    try:
        return rules_from_mapping(policy_table(root.get("queue", dict, {})))
    except ValueError as error:
        raise ConfigError(root.path, "queue", str(error)) from None


def parse_config(path: Path, data: Mapping[str, Any]) -> OfficeConfig:
    root = Reader(path, data, "")
    root.reject_unknown(SECTIONS)
    office = parse_office(root)
    public_url = root.sub("office").get("public_url", str, "").rstrip("/")
    mail = parse_mail(root)
    return OfficeConfig(
        path=path,
        office=office,
        rules=_rules(root),
        public_url=public_url,
        appointments=parse_appointments(root.optional_sub("appointments")),
        printers=parse_printers(root),
        offline=parse_offline(root.optional_sub("offline")),
        clerk=parse_clerk(root.optional_sub("queue")),
        alerts=parse_alerts(root.optional_sub("alerts"), mail="mail" in root.table),
        open_data=parse_open_data(root.optional_sub("open_data")),
        booking=parse_booking(root),
        city=parse_city(root, office.id),
        mail=mail,
        ldap=parse_ldap(root),
        texts=parse_screen_texts(root.optional_sub("texts")),
    )


def load_config(path: Path) -> OfficeConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "-", "file not found (run `townhall init`)") from None
    return parse_text(path, text)


def parse_text(path: Path, text: str) -> OfficeConfig:
    """office.toml's text, validated: the one check for the file at start and the console's edits."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, "-", f"not valid TOML: {error}") from None
    return parse_config(path, data)
