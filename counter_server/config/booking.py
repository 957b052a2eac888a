"""`[booking]`, `[privacy]` and the booking site's keys of `[[services]]`.

The citizens' booking site reads its limits, the privacy notice's facts and per
errand what to bring and where it can be done online from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .office import LANGUAGES
from .reader import Reader

# key -> (default, lowest, highest)
FIELDS: dict[str, tuple[int, int, int]] = {
    "weeks": (4, 1, 26),
    "max_open_per_email": (3, 1, 50),
    "bookings_per_hour": (10, 1, 10_000),
    "bookings_per_hour_without_js": (3, 0, 10_000),
    "proof_of_work_max_number": (50_000, 1_000, 5_000_000),
    "waitlist_hold_min": (15, 5, 240),
}
# key -> default of the yes/no settings
FLAGS: dict[str, bool] = {"calendar_contact": False}
PRIVACY_FIELDS = frozenset({"controller", "address", "contact", "officer", "authority"})
SERVICE_SITE_FIELDS = frozenset({"bring", "online_url"})


@dataclass(frozen=True)
class ServiceSite:
    """What the booking site says about one errand."""

    bring: dict[str, str] = field(default_factory=dict)
    online_url: str = ""

    def bring_in(self, lang: str) -> str:
        return self.bring.get(lang) or self.bring.get("de", "")


@dataclass(frozen=True)
class Privacy:
    """office.toml `[privacy]`: who answers for the data (the office when left out)."""

    controller: str = ""
    address: str = ""
    contact: str = ""
    officer: str = ""
    authority: str = ""


@dataclass(frozen=True)
class BookingSettings:
    """office.toml `[booking]`, `[privacy]` and the site keys of each service, validated."""

    weeks: int = 4
    max_open_per_email: int = 3
    bookings_per_hour: int = 10
    bookings_per_hour_without_js: int = 3
    proof_of_work_max_number: int = 50_000
    waitlist_hold_min: int = 15
    # the clerks' calendar feeds show the booker's name (never e-mail or phone) only when true
    calendar_contact: bool = False
    privacy: Privacy = field(default_factory=Privacy)
    services: dict[str, ServiceSite] = field(default_factory=dict)

    def service(self, service_id: str) -> ServiceSite:
        return self.services.get(service_id) or ServiceSite()


def _whole(r: Reader, key: str) -> int:
    default, low, high = FIELDS[key]
    value: int = r.get(key, int, default)
    if not low <= value <= high:
        raise r.fail(key, f"must be {low}-{high}")
    return value


def _bring(r: Reader) -> dict[str, str]:
    texts: dict[str, Any] = r.get("bring", dict, {})
    for lang, text in texts.items():
        if lang not in LANGUAGES:
            raise r.fail(f"bring.{lang}", f"unknown language (known: {', '.join(LANGUAGES)})")
        if not isinstance(text, str):
            raise r.fail(f"bring.{lang}", "must be a text")
    return {str(k): str(v) for k, v in texts.items()}


def _service_site(r: Reader) -> tuple[str, ServiceSite]:
    url: str = r.get("online_url", str, "")
    if url and not url.startswith(("https://", "http://")):
        raise r.fail("online_url", f"{url!r} must start with https://")
    return str(r.table.get("id", "")), ServiceSite(bring=_bring(r), online_url=url)


def _privacy(r: Reader) -> Privacy:
    r.reject_unknown(PRIVACY_FIELDS)
    return Privacy(**{key: r.get(key, str, "") for key in sorted(PRIVACY_FIELDS)})


def parse_booking(root: Reader) -> BookingSettings:
    r = root.optional_sub("booking")
    r.reject_unknown(frozenset(FIELDS) | frozenset(FLAGS))
    values = {key: _whole(r, key) for key in FIELDS}
    return BookingSettings(
        **values,
        calendar_contact=r.get("calendar_contact", bool, FLAGS["calendar_contact"]),
        privacy=_privacy(root.optional_sub("privacy")),
        services=dict(_service_site(s) for s in root.tables("services")),
    )
