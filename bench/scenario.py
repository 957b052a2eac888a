"""A town-hall day as a scenario file (see /work/shared/scenarios/standard-day.toml).

`load_scenario` reads the file as is and checks it; `draw_day` draws one day's
visitors from it. Every visitor carries their own service time, so all
policies replay the very same day (common random numbers).
"""

from __future__ import annotations

import math
import random
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from counter_server.core.model import Counter, CounterState, Service


class ScenarioError(ValueError):
    """The scenario file is missing a field or has a wrong value."""


@dataclass(frozen=True)
class ServiceMix:
    id: str
    name: str
    share: float
    mean_min: float
    cv: float
    # "lognormal" (default) or "exponential" (cv is then 1; for the Erlang C check)
    distribution: str = "lognormal"


@dataclass(frozen=True)
class Scenario:
    name: str
    timezone: str
    open_min: float  # minutes after midnight, local
    close_min: float
    last_walk_in_min: float
    walk_ins: float
    profile: tuple[float, ...]
    appointments: int
    no_show: float
    offset_mean_min: float
    offset_sd_min: float
    early_window_min: float
    late_window_min: float
    services: tuple[ServiceMix, ...]
    counters: tuple[Counter, ...]
    walk_up_min: float
    no_show_wait_min: float

    def core_services(self) -> tuple[Service, ...]:
        """The services as the office configures them: durations include the walk-up."""
        return tuple(
            Service(id=s.id, names={"de": s.name}, prefix=s.id[0].upper(),
                    duration_min=s.mean_min + self.walk_up_min)
            for s in self.services
        )


@dataclass(frozen=True)
class Visitor:
    """One visitor of a drawn day; minutes count from opening."""

    index: int
    service_id: str
    arrives_min: float
    service_min: float
    slot_min: float | None = None  # booked visitors only


@dataclass(frozen=True)
class Booking:
    """A booked slot, whether or not the visitor comes."""

    service_id: str
    slot_min: float
    visitor: int | None  # index into the day's visitors; None for a no-show


@dataclass(frozen=True)
class Day:
    visitors: tuple[Visitor, ...]
    bookings: tuple[Booking, ...]


def _clock(value: Any, field: str) -> float:
    try:
        hours, minutes = str(value).split(":")
        return int(hours) * 60 + int(minutes)
    except ValueError:
        raise ScenarioError(f"{field}: expected HH:MM, got {value!r}") from None


def _number(table: Mapping[str, Any], key: str, where: str, *, low: float = 0.0) -> float:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}{key}: expected a number, got {value!r}")
    if value < low:
        raise ScenarioError(f"{where}{key}: must be at least {low}, got {value!r}")
    return float(value)


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ScenarioError(f"[{key}]: missing table")
    return value


def _distribution(row: Mapping[str, Any], where: str) -> str:
    value = str(row.get("distribution", "lognormal"))
    if value not in ("lognormal", "exponential"):
        raise ScenarioError(f"{where}distribution: expected lognormal or exponential, got {value!r}")
    return value


def _services(data: Mapping[str, Any]) -> tuple[ServiceMix, ...]:
    rows = data.get("services")
    if not isinstance(rows, list) or not rows:
        raise ScenarioError("[[services]]: at least one service is needed")
    found = []
    for i, row in enumerate(rows):
        where = f"services[{i}]."
        found.append(ServiceMix(
            id=str(row.get("id") or ""), name=str(row.get("name") or row.get("id")),
            share=_number(row, "share", where), mean_min=_number(row, "mean_min", where, low=0.1),
            cv=_number(row, "cv", where) if "cv" in row else 1.0,
            distribution=_distribution(row, where),
        ))
    if any(not s.id for s in found):
        raise ScenarioError("services[].id: every service needs an id")
    if sum(s.share for s in found) <= 0:
        raise ScenarioError("services[].share: shares must add up to more than 0")
    return tuple(found)


def _counters(data: Mapping[str, Any], services: Sequence[ServiceMix]) -> tuple[Counter, ...]:
    rows = data.get("counters")
    if not isinstance(rows, list) or not rows:
        raise ScenarioError("[[counters]]: at least one counter is needed")
    known = {s.id for s in services}
    found = []
    for i, row in enumerate(rows):
        skills = {str(k): int(v) for k, v in dict(row.get("skills") or {}).items()}
        unknown = set(skills) - known
        if unknown or any(v not in (1, 2) for v in skills.values()):
            raise ScenarioError(f"counters[{i}].skills: unknown services {sorted(unknown)} or levels not 1/2")
        found.append(Counter(id=str(row.get("id", i + 1)), label=f"Schalter {row.get('id', i + 1)}",
                             skills=skills, state=CounterState.OPEN,
                             languages=tuple(row.get("languages", ()))))
    return tuple(found)


SkillChange = tuple[str, dict[str, int]]  # counter id -> {service id: 1 main, 2 secondary, 0 no longer}


def parse_skills(text: str) -> SkillChange:
    """`6:abholung=2,pass=0` -> ("6", {"abholung": 2, "pass": 0}); ValueError on anything else."""
    wrong = ValueError(f"expected COUNTER:ERRAND=LEVEL[,ERRAND=LEVEL...] with levels 0, 1 or 2, got {text!r}")
    counter, colon, changes = (part.strip() for part in text.partition(":"))
    if not (counter and colon):
        raise wrong
    found: dict[str, int] = {}
    for change in changes.split(","):
        service, equals, level = (part.strip() for part in change.partition("="))
        if not (service and equals and level in ("0", "1", "2")):
            raise wrong
        found[service] = int(level)
    return counter, found


def with_skills(scenario: Scenario, changes: Sequence[SkillChange]) -> Scenario:
    """The scenario with these counters' skills changed (level 0 takes one away); its name says how."""
    if not changes:
        return scenario
    counters = {c.id: c for c in scenario.counters}
    services = {s.id for s in scenario.services}
    for counter_id, skills in changes:
        if counter_id not in counters:
            raise ScenarioError(f"--skills: no counter {counter_id!r} (known: {', '.join(counters)})")
        if unknown := sorted(set(skills) - services):
            raise ScenarioError(f"--skills: unknown errands {unknown} (known: {', '.join(sorted(services))})")
        merged = {**counters[counter_id].skills, **skills}
        counters[counter_id] = replace(counters[counter_id], skills={k: v for k, v in merged.items() if v})
    said = "; ".join(f"{c} " + ",".join(f"{k}={v}" for k, v in skills.items()) for c, skills in changes)
    return replace(scenario, name=f"{scenario.name}, skills changed: {said}", counters=tuple(counters.values()))


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; ScenarioError names the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ScenarioError(f"{path}: {error}") from None
    return scenario_from_mapping(data)


def scenario_from_mapping(data: Mapping[str, Any]) -> Scenario:
    walk_in = _table(data, "walk_in")
    booked = _table(data, "appointments")
    clerk = data.get("clerk", {})
    profile = tuple(float(x) for x in walk_in.get("profile", [1.0]))
    if not profile or min(profile) < 0 or sum(profile) <= 0:
        raise ScenarioError("walk_in.profile: expected non-negative rates, not all zero")
    services = _services(data)
    open_min, close_min = _clock(data.get("open"), "open"), _clock(data.get("close"), "close")
    if close_min <= open_min:
        raise ScenarioError("close: must be after open")
    return Scenario(
        name=str(data.get("name", "scenario")), timezone=str(data.get("timezone", "Europe/Berlin")),
        open_min=open_min, close_min=close_min,
        last_walk_in_min=_clock(data.get("last_walk_in", data.get("close")), "last_walk_in"),
        walk_ins=_number(walk_in, "visitors", "walk_in."), profile=profile,
        appointments=int(_number(booked, "visitors", "appointments.")),
        no_show=_number(booked, "no_show", "appointments."),
        offset_mean_min=float(booked.get("arrival_offset_mean_min", 0)),
        offset_sd_min=_number(booked, "arrival_offset_sd_min", "appointments."),
        early_window_min=_number(booked, "early_window_min", "appointments."),
        late_window_min=_number(booked, "late_window_min", "appointments."),
        services=services, counters=_counters(data, services),
        walk_up_min=_number(clerk, "walk_up_s", "clerk.") / 60 if "walk_up_s" in clerk else 0.5,
        no_show_wait_min=_number(clerk, "no_show_wait_s", "clerk.") / 60 if "no_show_wait_s" in clerk else 2.0,
    )


def _service_time(mix: ServiceMix, rng: random.Random) -> float:
    if mix.distribution == "exponential":
        return rng.expovariate(1 / mix.mean_min)
    sigma = math.sqrt(math.log1p(mix.cv**2))
    return rng.lognormvariate(math.log(mix.mean_min) - sigma * sigma / 2, sigma)


def _walk_in_times(scenario: Scenario, rng: random.Random) -> list[float]:
    """Non-homogeneous Poisson arrivals (thinning) until the last walk-in time.

    The profile gives one relative rate per hour from opening; it is scaled so
    that the expected number of walk-ins is `walk_in.visitors`.
    """
    span = scenario.last_walk_in_min - scenario.open_min
    rates = [scenario.profile[min(int(m // 60), len(scenario.profile) - 1)] for m in range(int(span))]
    scale = scenario.walk_ins / sum(rates)
    peak = max(rates) * scale
    times: list[float] = []
    t = 0.0
    while True:
        t += rng.expovariate(peak)
        if t >= span:
            return times
        if rng.random() * peak < rates[int(t)] * scale:
            times.append(t)


def _pick_service(scenario: Scenario, rng: random.Random) -> ServiceMix:
    return rng.choices(scenario.services, weights=[s.share for s in scenario.services])[0]


def _booked_slots(scenario: Scenario, rng: random.Random) -> list[float]:
    """Slots spread evenly over the opening hours (one stratum each), on a 5-minute grid."""
    span = scenario.last_walk_in_min - scenario.open_min
    n = scenario.appointments
    return sorted(5 * math.floor((i + rng.random()) * span / n / 5) for i in range(n))


def draw_day(scenario: Scenario, rng: random.Random) -> Day:
    """One day's visitors, in arrival order, with their service times drawn up front."""
    raw: list[tuple[float, str, float, float | None]] = []
    for t in _walk_in_times(scenario, rng):
        mix = _pick_service(scenario, rng)
        raw.append((t, mix.id, _service_time(mix, rng), None))
    bookings: list[tuple[str, float, int | None]] = []
    for slot in _booked_slots(scenario, rng):
        mix = _pick_service(scenario, rng)
        service_min = _service_time(mix, rng)
        offset = rng.gauss(scenario.offset_mean_min, scenario.offset_sd_min)
        comes = rng.random() >= scenario.no_show and offset <= scenario.late_window_min
        if not comes:
            bookings.append((mix.id, slot, None))
            continue
        # the kiosk refuses check-in before the early window and before opening
        arrives = max(slot + offset, slot - scenario.early_window_min, 0.0)
        bookings.append((mix.id, slot, len(raw)))
        raw.append((arrives, mix.id, service_min, slot))
    order = sorted(range(len(raw)), key=lambda i: raw[i][0])
    position = {old: new for new, old in enumerate(order)}
    visitors = tuple(
        Visitor(index=new, service_id=raw[old][1], arrives_min=raw[old][0],
                service_min=raw[old][2], slot_min=raw[old][3])
        for new, old in enumerate(order)
    )
    return Day(
        visitors=visitors,
        bookings=tuple(Booking(s, slot, None if v is None else position[v]) for s, slot, v in bookings),
    )
