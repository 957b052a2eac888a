"""What the supervisor view shows (issue 17): every counter live, the waiting per errand with
the longest wait and the estimate, booked visitors due in the next 30 minutes, printers and
kiosks, and the alerts of office.toml `[alerts]`. One read over committed state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from i18n import Catalog

from ..config import OfficeConfig
from ..core.model import CounterState, Ticket, TicketKind, TicketState
from ..core.numbering import office_day
from ..printing.status import printer_health
from ..queue import rows
from ..queue.counters import counters_now
from ..queue.stops import stopped_services
from ..queue.views import waiting_per_service
from .alerts import Alert, alerts_for

DUE_WITHIN = timedelta(minutes=30)


def _minutes(since: datetime | None, now: datetime) -> int | None:
    return None if since is None else max(0, int((now - since).total_seconds() // 60))


def _counters(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> list[dict[str, Any]]:
    updated = dict(db.execute("SELECT id, updated_at FROM counters").fetchall())
    result = []
    for counter in counters_now(db, config.office):
        current = rows.current_ticket(db, counter.id)
        since = (current.started_at or current.called_at) if current else None
        changed = updated.get(counter.id)
        result.append({
            "id": counter.id, "label": counter.label, "room": counter.room, "state": counter.state.value,
            "skills": counter.skills,
            "paused_min": _minutes(datetime.fromisoformat(changed), now)
            if counter.state is CounterState.PAUSED and changed else None,
            "current": None if current is None else {
                "id": current.id, "number": current.number, "service_id": current.service_id,
                "state": current.state.value, "minutes": _minutes(since, now)},
        })
    return result


def estimate_text(entry: dict[str, Any], zone: ZoneInfo) -> str:
    """The estimate of an errand as the display tells it: not served now when no open counter
    serves it (its minutes would mean nothing), the minutes otherwise, "–" when none are known."""
    if not entry["served_now"]:
        text = Catalog("de", "display").text("not_served_now")
        if entry["opens_at"]:
            opening = datetime.fromisoformat(entry["opens_at"]).astimezone(zone)
            text += f" (öffnet {opening:%H:%M} Uhr)"
        return text
    return "–" if entry["eta_min"] is None else f"{entry['eta_min']} Min."


def _waiting(db: sqlite_utils.Database, config: OfficeConfig, now: datetime,
             waiting: list[Ticket]) -> list[dict[str, Any]]:
    stopped = stopped_services(db, office_day(now, config.office.timezone))
    result = []
    for entry in waiting_per_service(db, config, now):
        mine = [t for t in waiting if t.service_id == entry["service_id"]]
        longest = min((t.arrived_at for t in mine), default=None)
        result.append({**entry, "longest_min": _minutes(longest, now),
                       "estimate": estimate_text(entry, ZoneInfo(config.office.timezone)),
                       "walk_in_stopped": entry["service_id"] in stopped})
    return result


def _due(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> list[dict[str, Any]]:
    """Booked visitors of today not yet checked in, from those past their slot to 30 minutes ahead."""
    day = office_day(now, config.office.timezone).isoformat()
    found = db.execute(
        "SELECT id, service_id, counter_id, start, status FROM appointments"
        " WHERE office_day = ? AND status = 'booked' AND start <= ? ORDER BY start",
        [day, (now + DUE_WITHIN).isoformat()],
    ).fetchall()
    zone = ZoneInfo(config.office.timezone)
    return [
        {"id": id_, "service_id": service_id, "counter_id": counter_id,
         "start": datetime.fromisoformat(start).astimezone(zone).strftime("%H:%M"),
         "late_min": _minutes(datetime.fromisoformat(start), now) if datetime.fromisoformat(start) < now else 0}
        for id_, service_id, counter_id, start, _ in found
    ]


def _kiosks(db: sqlite_utils.Database, now: datetime, seen: dict[str, tuple[str, str]],
            online: set[str]) -> list[dict[str, Any]]:
    found = db.execute(
        "SELECT id, name, last_seen_at FROM devices WHERE role = 'kiosk' AND revoked_at IS NULL ORDER BY name"
    ).fetchall()
    kiosks = []
    for id_, name, stored_seen in found:
        last = seen.get(id_, (stored_seen, ""))[0]
        kiosks.append({"id": id_, "name": name, "online": id_ in online,
                       "silent_min": _minutes(datetime.fromisoformat(last), now) if last else None})
    return kiosks


def supervisor_state(db: sqlite_utils.Database, config: OfficeConfig, now: datetime, *,
                     seen: dict[str, tuple[str, str]], online: set[str]) -> dict[str, Any]:
    open_now = rows.open_tickets(db)
    waiting = [t for t in open_now if t.state is TicketState.WAITING]
    state: dict[str, Any] = {
        "now": now.astimezone(ZoneInfo(config.office.timezone)).strftime("%H:%M"),
        "counters": _counters(db, config, now),
        "waiting": _waiting(db, config, now, waiting),
        "tickets": [{"id": t.id, "number": t.number, "service_id": t.service_id,
                     "target_counter_id": t.target_counter_id, "waited_min": _minutes(t.arrived_at, now)}
                    for t in waiting],
        "due": _due(db, config, now),
        "printers": printer_health(db, config),
        "kiosks": _kiosks(db, now, seen, online),
        "services": {s.id: s.names["de"] for s in config.office.services},
    }
    walk_ins = [(t.number, _minutes(t.arrived_at, now) or 0) for t in waiting if t.kind is TicketKind.WALK_IN]
    found: list[Alert] = alerts_for(config.alerts, walk_ins=walk_ins, state=state)
    state["alerts"] = [{"kind": a.kind, "text": a.text, "key": a.key} for a in found]
    return state
