"""The simulator on the office's own history (the statistics tables and office.toml).

`townhall simulate --from-history --data-dir D [--weekday mon] [--day D ...] [--counters N]`
replays the recorded days themselves: every visitor arrives at the recorded minute for the
recorded errand and takes the recorded service time; booked visitors keep their slots,
booked visitors who never came stay empty slots. `--counters N` runs the same days with N
counters (the first N of office.toml; more than configured repeat their skills): "how many
counters on Monday mornings?" (`--weekday mon --hours 8-12`: only the visitors who arrived
in that window, the figures over that window). `--sample` draws new days from the recorded rates instead
(arrivals per hour, bookings per day, no-show share, service times per errand).
"""

from __future__ import annotations

import sqlite3
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from counter_server.config import load_config
from counter_server.paths import DataDir

from .scenario import Booking, Day, Scenario, ScenarioError, Visitor, scenario_from_mapping

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(t: Any) -> float:
    return float(t.hour * 60 + t.minute)


def history_mapping(data_dir: Path, weekday: str | None = None, counters: int | None = None) -> dict[str, Any]:
    files = DataDir(data_dir)
    config = load_config(files.config)
    office = config.office
    where, args = "1 = 1", []
    if weekday is not None:
        where, args = "weekday = ?", [WEEKDAYS.index(weekday)]
    db = sqlite3.connect(f"file:{files.db}?mode=ro", uri=True)
    try:
        rows = db.execute(
            f"SELECT office_day, hour, service_id, kind, outcome, service_s FROM stats_visits WHERE {where}", args
        ).fetchall()
    finally:
        db.close()
    days = sorted({r[0] for r in rows})
    if not days:
        raise ScenarioError(f"{files.db}: no recorded visits{' on ' + weekday if weekday else ''}"
                            " (run `townhall stats rebuild` first)")
    spans = [span for d in range(7) if weekday is None or d == WEEKDAYS.index(weekday)
             for span in office.hours.weekly.get(d, ())]
    if not spans:
        raise ScenarioError(f"office.toml: the office is closed on {weekday}")
    open_min = min(_minutes(s.start) for s in spans)
    close_min = max(_minutes(s.end) for s in spans)
    first_hour = int(open_min // 60)
    came = [r for r in rows if r[4] not in ("absent", "cancelled")]
    walk_ins = [r for r in came if r[3] == "walk_in"]
    booked = [r for r in rows if r[3] != "walk_in" and r[4] != "cancelled"]
    profile = [sum(r[1] == h for r in walk_ins) + 0.01 for h in range(first_hour, int(close_min // 60) + 1)]
    services = []
    for service in office.services:
        times = [r[5] / 60 for r in came if r[2] == service.id and r[5]]
        share = sum(r[2] == service.id for r in came)
        if not share:
            continue
        mean = statistics.fmean(times) if times else float(service.duration_min)
        cv = statistics.pstdev(times) / mean if len(times) > 1 and mean > 0 else 1.0
        services.append({"id": service.id, "name": service.name("de"), "share": share,
                         "mean_min": max(0.5, mean), "cv": max(0.05, cv)})
    known = {s["id"] for s in services}
    return {
        "name": f"history of {office.name}{' on ' + weekday if weekday else ''} ({len(days)} days,"
                f" {counters or len(office.counters)} counters)",
        "timezone": office.timezone,
        "open": f"{int(open_min // 60):02d}:{int(open_min % 60):02d}",
        "close": f"{int(close_min // 60):02d}:{int(close_min % 60):02d}",
        "last_walk_in": f"{int((close_min - config.office.hours.last_walk_in_min) // 60):02d}:"
                        f"{int((close_min - config.office.hours.last_walk_in_min) % 60):02d}",
        "walk_in": {"visitors": len(walk_ins) / len(days), "profile": profile},
        "appointments": {
            "visitors": round(len(booked) / len(days)),
            "no_show": sum(r[4] == "absent" for r in booked) / max(1, len(booked)),
            "arrival_offset_sd_min": 5, "early_window_min": config.appointments.window.early_min,
            "late_window_min": config.appointments.window.late_min,
        },
        "services": services,
        "counters": _counters(office.counters, counters, known),
    }


def _counters(configured: Sequence[Any], n: int | None, known: set[str]) -> list[dict[str, Any]]:
    """The first `n` counters of office.toml; past its end, copies of its counters in turn."""
    n = n or len(configured)
    return [{"id": configured[i].id if i < len(configured) else f"extra-{i + 1}",
             "skills": {k: v for k, v in configured[i % len(configured)].skills.items() if k in known}}
            for i in range(n)]


def scenario_from_history(data_dir: Path, weekday: str | None = None, counters: int | None = None) -> Scenario:
    return scenario_from_mapping(history_mapping(data_dir, weekday, counters))


# --- replaying the recorded days ------------------------------------------------------------

_COLUMNS = "office_day, service_id, kind, outcome, service_s, arrived_min, slot_min"


Window = tuple[float, float]  # minutes after local midnight, [start, end)


def parse_hours(text: str) -> Window:
    """`8-12` or `08:30-12:00`: the window [start, end) in minutes after local midnight."""
    try:
        start, end = (_clock_text(part) for part in text.split("-"))
    except ValueError:
        raise ValueError(f"--hours: expected e.g. 8-12 or 08:30-12:00, got {text!r}") from None
    if not 0 <= start < end <= 24 * 60:
        raise ValueError(f"--hours: the window must end after it starts, within the day, got {text!r}")
    return start, end


def _clock_text(part: str) -> float:
    hours, _, minutes = part.strip().partition(":")
    return float(int(hours) * 60 + (int(minutes) if minutes else 0))


def window_scenario(scenario: Scenario, window: Window | None) -> Scenario:
    """The scenario's day cut to the window: counters open from its start to its end."""
    if window is None:
        return scenario
    start, end = window
    return replace(scenario, name=f"{scenario.name}, {_hhmm(start)}-{_hhmm(end)}", open_min=start,
                   close_min=end, last_walk_in_min=min(max(scenario.last_walk_in_min, start), end))


def _hhmm(minutes: float) -> str:
    return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}"


def _rows(data_dir: Path, weekday: str | None, days: Sequence[str],
          window: Window | None = None) -> list[tuple[Any, ...]]:
    where, args = ["outcome NOT IN ('cancelled', 'superseded')"], list[Any]()
    if window is not None:  # arrived in the window (a booking that never came: its slot)
        where.append("COALESCE(arrived_min, slot_min) >= ? AND COALESCE(arrived_min, slot_min) < ?")
        args += list(window)
    if weekday is not None:
        where.append("weekday = ?")
        args.append(WEEKDAYS.index(weekday))
    if days:
        where.append(f"office_day IN ({', '.join('?' for _ in days)})")
        args += list(days)
    db = sqlite3.connect(f"file:{DataDir(data_dir).db}?mode=ro", uri=True)
    try:
        return db.execute(f"SELECT {_COLUMNS} FROM stats_visits WHERE {' AND '.join(where)}"
                          " ORDER BY office_day, arrived_min, slot_min", args).fetchall()
    finally:
        db.close()


def _service_min(scenario: Scenario, service: str, outcome: str, service_s: int | None) -> float:
    """The recorded service time; a no-show holds the clerk for the scenario's wait; a visit
    never served (expired) the errand's recorded mean."""
    if outcome == "no_show":
        return scenario.no_show_wait_min
    if service_s:
        return max(0.0, service_s / 60 - scenario.walk_up_min)
    means = {s.id: s.mean_min for s in scenario.services}
    return means.get(service, statistics.fmean(means.values()) if means else 5.0)


def _day(scenario: Scenario, rows: Sequence[tuple[Any, ...]]) -> Day:
    came: list[tuple[float, str, float, float | None]] = []
    absent: list[tuple[str, float]] = []
    for _, service, kind, outcome, service_s, arrived, slot in rows:
        slot_min = None if slot is None or kind == "walk_in" else float(slot) - scenario.open_min
        if outcome == "absent":
            if slot_min is not None:
                absent.append((service, slot_min))
            continue
        # before opening is at opening: the simulated counters open then
        came.append((max(0.0, float(arrived) - scenario.open_min), service,
                     _service_min(scenario, service, outcome, service_s), slot_min))
    came.sort(key=lambda v: v[0])
    visitors = tuple(Visitor(index=i, service_id=s, arrives_min=a, service_min=m, slot_min=slot)
                     for i, (a, s, m, slot) in enumerate(came))
    bookings = [Booking(v.service_id, v.slot_min, v.index) for v in visitors if v.slot_min is not None]
    bookings += [Booking(service, slot, None) for service, slot in absent]
    return Day(visitors=visitors, bookings=tuple(sorted(bookings, key=lambda b: b.slot_min)))


def recorded_days(data_dir: Path, scenario: Scenario, weekday: str | None = None,
                  days: Sequence[str] = (), window: Window | None = None) -> dict[str, Day]:
    """Each recorded office day (of `weekday`, or the `days` named) as the simulator's day;
    with `window`, only the visitors who arrived in it (pass `window_scenario`'s scenario)."""
    rows = _rows(data_dir, weekday, days, window)
    if any(r[5] is None and r[3] != "absent" for r in rows):
        raise ScenarioError("the statistics lack arrival minutes (built before this version):"
                            " run `townhall stats rebuild` first")
    by_day: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_day.setdefault(row[0], []).append(row)
    missing = sorted(set(days) - set(by_day))
    if missing or not by_day:
        raise ScenarioError(f"no recorded visits on {', '.join(missing) or weekday or 'any day'}"
                            f"{' in ' + _hhmm(window[0]) + '-' + _hhmm(window[1]) if window else ''} (run `townhall stats rebuild` first)")
    return {name: _day(scenario, day_rows) for name, day_rows in sorted(by_day.items())}


def replay(days: Mapping[str, Day], scenario: Scenario, policies: Mapping[str, Any], rules: Any) -> dict[str, list[Any]]:
    """Every recorded day under every policy; estimates under ours only (as `run_days`)."""
    from .simulator import simulate_day

    return {name: [simulate_day(scenario=scenario, day=day, policy=policy, rules=rules, estimating=name == "ours")
                   for day in days.values()] for name, policy in policies.items()}
