"""`[office]`, `[hours]`, `[[services]]` and `[[counters]]`: the office the core works with."""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..core.model import WEEKDAYS, Counter, Interval, Office, OpeningHours, Service
from .reader import Reader, unique

LANGUAGES = ("de", "en", "tr", "ar", "uk", "ru")
OFFICE_FIELDS = frozenset({"id", "name", "timezone", "languages", "public_url"})
HOURS_FIELDS = frozenset({*WEEKDAYS, "closed_dates", "last_walk_in_min"})
SERVICE_FIELDS = frozenset(
    {"id", "names", "prefix", "duration_min", "walk_in", "daily_walk_in_cap", "slot_min", "slots",
     "bring", "online_url",  # the booking site's (config/booking.py)
     "leika", "fim"}  # the errand's LeiKa key and FIM id, as the city's catalogue gives them (city/catalogue.py)
)
COUNTER_FIELDS = frozenset({"id", "label", "room", "skills", "languages"})
_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def slug(r: Reader, key: str) -> str:
    value: str = r.get(key, str)
    if not _SLUG.match(value):
        raise r.fail(key, f"{value!r} must be a short slug (a-z, 0-9, - and _)")
    return value


def _time(r: Reader, key: str, text: str) -> Interval:
    match = _SPAN.match(text)
    if not match:
        raise r.fail(key, f"{text!r} is not a span like '08:00-12:30'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise r.fail(key, f"{text!r} is not a valid time span")
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        raise r.fail(key, f"{text!r} ends before it starts")
    return Interval(start, end)


def _span(interval: Interval) -> str:
    return f"{interval.start:%H:%M}-{interval.end:%H:%M}"


def _hours(r: Reader) -> OpeningHours:
    r.reject_unknown(HOURS_FIELDS)
    weekly: dict[int, tuple[Interval, ...]] = {}
    for index, day in enumerate(WEEKDAYS):
        spans = r.get(day, list, [])
        weekly[index] = tuple(sorted((_time(r, day, str(s)) for s in spans), key=lambda i: i.start))
        for earlier, later in zip(weekly[index], weekly[index][1:], strict=False):
            if later.start < earlier.end:
                raise r.fail(day, f"'{_span(earlier)}' and '{_span(later)}' overlap")
    closed: set[date] = set()
    for text in r.get("closed_dates", list, []):
        try:
            closed.add(date.fromisoformat(str(text)))
        except ValueError:
            raise r.fail("closed_dates", f"{text!r} is not a date like 2026-12-24") from None
    last = r.get("last_walk_in_min", int, 30)
    if not 0 <= last <= 240:
        raise r.fail("last_walk_in_min", "must be between 0 and 240")
    return OpeningHours(weekly=weekly, closed_dates=frozenset(closed), last_walk_in_min=last)


def _names(r: Reader) -> dict[str, str]:
    names = r.get("names", dict)
    if "de" not in names or not str(names["de"]).strip():
        raise r.fail("names", "needs at least a German name (de)")
    for lang, text in names.items():
        if lang not in LANGUAGES:
            raise r.fail(f"names.{lang}", f"unknown language (known: {', '.join(LANGUAGES)})")
        if not isinstance(text, str) or not text.strip():
            raise r.fail(f"names.{lang}", "must be a non-empty text")
    return {str(k): str(v) for k, v in names.items()}


def _service(r: Reader) -> Service:
    r.reject_unknown(SERVICE_FIELDS)
    service_id = slug(r, "id")
    prefix = r.get("prefix", str)
    if not re.fullmatch(r"[A-Z]", prefix):
        raise r.fail("prefix", f"{prefix!r} must be one capital letter A-Z")
    duration = r.get("duration_min", (int, float))
    if not 1 <= duration <= 240:
        raise r.fail("duration_min", "must be between 1 and 240 minutes")
    cap = r.get("daily_walk_in_cap", int, None)
    if cap is not None and cap < 0:
        raise r.fail("daily_walk_in_cap", "must not be negative")
    for key in ("leika", "fim"):  # identifiers only: checked for form at the city (city/catalogue.py)
        r.get(key, str, "")
    slot_min = r.get("slot_min", int, 15)
    slots = r.get("slots", int, 1)
    if not 5 <= slot_min <= 240 or not 1 <= slots <= 8:
        raise r.fail("slot_min", "slot_min must be 5-240 and slots 1-8")
    return Service(
        id=service_id,
        names=_names(r),
        prefix=prefix,
        duration_min=float(duration),
        walk_in=r.get("walk_in", bool, True),
        daily_walk_in_cap=cap,
        slot_min=slot_min,
        slots=slots,
    )


def _counter(r: Reader, service_ids: set[str]) -> Counter:
    r.reject_unknown(COUNTER_FIELDS)
    counter_id = slug(r, "id")
    skills = r.get("skills", dict)
    if not skills:
        raise r.fail("skills", "needs at least one service")
    for service_id, level in skills.items():
        if service_id not in service_ids:
            raise r.fail(f"skills.{service_id}", "is not a configured service")
        if level not in (1, 2) or isinstance(level, bool):
            raise r.fail(f"skills.{service_id}", "level must be 1 (primary) or 2 (secondary)")
    languages = r.get("languages", list, [])
    return Counter(
        id=counter_id,
        label=r.get("label", str, f"Schalter {counter_id}"),
        room=r.get("room", str, ""),
        skills={str(k): int(v) for k, v in skills.items()},
        languages=tuple(str(lang) for lang in languages),
    )




def _languages(r: Reader) -> tuple[str, ...]:
    languages = tuple(r.get("languages", list, list(LANGUAGES)))
    for lang in languages:
        if lang not in LANGUAGES:
            raise r.fail("languages", f"{lang!r} is not supported ({', '.join(LANGUAGES)})")
    return languages


def _timezone(r: Reader) -> str:
    timezone: str = r.get("timezone", str, "Europe/Berlin")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise r.fail("timezone", f"{timezone!r} is not a known time zone") from None
    return timezone


def parse_office(root: Reader) -> Office:
    office = root.sub("office")
    office.reject_unknown(OFFICE_FIELDS)
    timezone, languages = _timezone(office), _languages(office)
    root.get("services", list)
    services = [_service(r) for r in root.tables("services")]
    if not services:
        raise root.fail("services", "needs at least one service")
    unique(root.path, services, "id", "services")
    unique(root.path, services, "prefix", "services")
    ids = {s.id for s in services}
    root.get("counters", list)
    counters = [_counter(r, ids) for r in root.tables("counters")]
    if not counters:
        raise root.fail("counters", "needs at least one counter")
    unique(root.path, counters, "id", "counters")
    return Office(
        id=slug(office, "id"),
        name=office.get("name", str),
        timezone=timezone,
        languages=languages,
        hours=_hours(root.sub("hours")),
        services=tuple(services),
        counters=tuple(counters),
    )
