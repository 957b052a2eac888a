"""A simulator scenario from the office's own history (the statistics tables and office.toml).

`townhall simulate --from-history --data-dir D [--weekday mon] [--counters N]`: arrivals
per hour (walk-ins) and booked visitors per day of the recorded days, no-show share and
service times per errand, replayed through the simulator as its scenario; `--counters`
keeps only the first N counters of office.toml ("how many counters on Monday mornings?").
"""

from __future__ import annotations

import sqlite3
import statistics
from pathlib import Path
from typing import Any

from counter_server.config import load_config
from counter_server.paths import DataDir

from .scenario import Scenario, ScenarioError, scenario_from_mapping

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
    chosen = office.counters[:counters] if counters else office.counters
    known = {s["id"] for s in services}
    return {
        "name": f"history of {office.name}{' on ' + weekday if weekday else ''} ({len(days)} days,"
                f" {len(chosen)} counters)",
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
        "counters": [{"id": c.id, "skills": {k: v for k, v in c.skills.items() if k in known}} for c in chosen],
    }


def scenario_from_history(data_dir: Path, weekday: str | None = None, counters: int | None = None) -> Scenario:
    return scenario_from_mapping(history_mapping(data_dir, weekday, counters))
