"""Read models of the queue: the board, the clerk's view, the services list, a visitor's ticket.

Each runs on a reader connection over committed state and returns the contract JSON.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from ..config import OfficeConfig
from ..core import admission, hours
from ..core.ahead import NO_WAIT, any_counter_open, longest_wait, people_ahead, wait_of
from ..core.model import CounterState, Ticket, TicketState
from ..core.numbering import office_day
from ..events import last_seq
from ..printing.status import printer_health
from . import rows
from .counters import counters_now, find_counter
from .decide import decide_next, why_next
from .estimates import READ_ESTIMATES, estimate_of
from .shapes import counter_json, counter_ref, eta_json, hold_json, iso, reason_json, ticket_json
from .stops import stopped_services


def ticket_status(
    db: sqlite_utils.Database, config: OfficeConfig, ticket: Ticket, now: datetime, *,
    open_now: list[Ticket] | None = None,
) -> dict[str, Any]:
    """Position, people ahead and expected wait of one ticket, as the visitor sees it."""
    if ticket.state is not TicketState.WAITING:
        return eta_json(ticket, None, 0, ahead=0, wait=NO_WAIT)
    estimate, earlier = estimate_of(db, config, ticket, now, open_now=open_now)
    queue = rows.open_tickets(db) if open_now is None else open_now
    ahead = people_ahead(queue, service_id=ticket.service_id, ticket=ticket)
    wait = wait_of(estimate, counters_open=any_counter_open(counters_now(db, config.office)),
                   opens_at=opens_at(config, now))
    return eta_json(ticket, estimate, earlier, ahead=ahead, wait=wait)


def opens_at(config: OfficeConfig, now: datetime) -> datetime | None:
    """When the office opens next, while it is closed now; None while it is open."""
    office = config.office
    if hours.is_open(office.hours, now, office.timezone):
        return None
    return hours.next_opening(office.hours, now, office.timezone)


def waiting_per_service(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> list[dict[str, Any]]:
    """Who waits for what (the people ahead of the next visitor for it, see core/ahead.py),
    how long the last of them is expected to wait, or why that is not known, and whether an
    open counter serves it now (`served_now`)."""
    found = READ_ESTIMATES.get(db, config, now)
    waiting = [t for t in rows.open_tickets(db) if t.state is TicketState.WAITING]
    open_counters = [c for c in counters_now(db, config.office) if c.state is CounterState.OPEN]
    counters_open = any_counter_open(open_counters)
    opening = opens_at(config, now)
    by_service: dict[str, list[Ticket]] = {}
    for ticket in waiting:
        by_service.setdefault(ticket.service_id, []).append(ticket)
    per_service = []
    for service in config.office.services:
        theirs = by_service.get(service.id, [])
        count = people_ahead(theirs, service_id=service.id)
        mine = (found[t.id] for t in theirs if t.id in found)
        wait = longest_wait(mine, waiting=count, counters_open=counters_open, opens_at=opening)
        per_service.append({
            "service_id": service.id,
            "names": service.names,
            "prefix": service.prefix,
            "waiting": count,
            "eta_min": wait.eta_min,
            "eta_reason": wait.eta_reason,
            "opens_at": iso(wait.opens_at),
            "served_now": any(c.can_serve(service.id) for c in open_counters),
        })
    return per_service


def call_json(config: OfficeConfig, ticket: Ticket) -> dict[str, Any]:
    """A call as the board shows it: the number and where to go, never a name."""
    return {
        "number": ticket.number,
        "state": ticket.state.value,
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "call_count": ticket.call_count,
        "counter": counter_ref(config.office, ticket.counter_id),
    }


def recent_calls(db: sqlite_utils.Database, config: OfficeConfig, now: datetime, limit: int) -> list[dict[str, Any]]:
    """The last calls of the day in any state (the board's `calls`, kept for older screens)."""
    day = office_day(now, config.office.timezone)
    return [call_json(config, t) for t in rows.recent_calls(db, day, limit)]


def current_calls(db: sqlite_utils.Database, config: OfficeConfig) -> list[dict[str, Any]]:
    """Every visitor called and not yet finished (called or serving), the newest call first."""
    calls = [t for t in rows.open_tickets(db) if t.state in (TicketState.CALLED, TicketState.SERVING)]
    calls.sort(key=lambda t: (t.called_at.timestamp() if t.called_at else 0.0, t.number), reverse=True)
    return [call_json(config, t) for t in calls]


def recently_served(db: sqlite_utils.Database, config: OfficeConfig, now: datetime, limit: int) -> list[dict[str, Any]]:
    """The last visits of the day that ended served (done), the newest call first; no-shows,
    parked and cancelled tickets were not served and are left out."""
    day = office_day(now, config.office.timezone)
    return [call_json(config, t) for t in rows.recently_done(db, day, limit)]


def board(db: sqlite_utils.Database, config: OfficeConfig, now: datetime, *, calls: int = 10,
          recent: int = 8) -> dict[str, Any]:
    """What a waiting-room screen shows: the current calls, the last served, who waits for what."""
    office = config.office
    per_service = waiting_per_service(db, config, now)
    counters = counters_now(db, office)
    return {
        "seq": last_seq(db),
        "office": {"id": office.id, "name": office.name},
        "now": now.isoformat(),
        "calls": recent_calls(db, config, now, calls),
        "current": current_calls(db, config),
        "recent": recently_served(db, config, now, recent),
        "waiting": per_service,
        "waiting_total": sum(s["waiting"] for s in per_service),
        "counters_open": sum(1 for c in counters if c.state is CounterState.OPEN),
        "printers": printer_health(db, config),
        # office.toml [texts] display_notice: language -> the line the display shows (may be empty)
        "notice": dict(config.texts.display_notice),
    }


def counters_list(db: sqlite_utils.Database, config: OfficeConfig) -> list[dict[str, Any]]:
    return [counter_json(c, rows.current_ticket(db, c.id)) for c in counters_now(db, config.office)]


def snapshot(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> dict[str, Any]:
    """Everything a (re)connecting screen needs when replaying missed events is not enough."""
    return {
        "board": board(db, config, now),
        "counters": counters_list(db, config),
        "tickets": [ticket_json(t) for t in rows.open_tickets(db)],
    }


def counter_view(db: sqlite_utils.Database, config: OfficeConfig, counter_id: str, now: datetime) -> dict[str, Any]:
    """The clerk's picture: their counter, its current ticket, its queue, its parked tickets.

    No estimate: its reads are a few lookups and one pass over the open tickets."""
    office = config.office
    counters = counters_now(db, office)
    counter = find_counter(counters, counter_id)
    open_now = rows.open_tickets(db)
    waiting = [t for t in open_now if t.state is TicketState.WAITING and counter.can_serve(t.service_id)
               and t.target_counter_id in (None, counter_id)]
    # the whole queue, as call_next sees it: other counters' booked visitors take their time too
    as_open = replace(counter, state=CounterState.OPEN)
    proposed = decide_next(db, config=config, counter=as_open, counters=counters, open_now=open_now, now=now)
    why = why_next(config, counter=as_open, counters=counters, open_now=open_now, now=now, decision=proposed)
    parked = [t for t in open_now if t.state is TicketState.PARKED and t.target_counter_id == counter_id]
    return {
        "counter": counter_json(counter, rows.current_ticket(db, counter_id)),
        "next": ticket_json(proposed.ticket) if proposed.ticket else None,
        "next_reason": reason_json(office, why) if why else None,
        "held_for": hold_json(office, proposed.held_for) if proposed.held_for else None,
        # what Next does with a visitor called but not started, and how long Undo is offered
        "next_on_called": config.clerk.next_on_called,
        "undo_s": config.clerk.undo_s,
        # the office clock (a training clock need not be the browser's): when a hold ends
        "now": now.astimezone(ZoneInfo(office.timezone)).isoformat(),
        "timezone": office.timezone,
        # How long each has waited, not when each will be called: the clerk page shows the
        # one, and the other would make every clerk's refetch after an event an estimate of
        # the whole queue (bench/RESULTS.md, stop 32).
        "waiting": [{**ticket_json(t), "waited_min": round((now - t.arrived_at).total_seconds() / 60)} for t in waiting],
        "parked": [ticket_json(t) for t in parked],
        "services": [{"id": s.id, "names": s.names, "prefix": s.prefix} for s in office.services],
        "printers": printer_health(db, config),
        "counters": [{"id": c.id, "label": c.label, "state": c.state.value, "skills": c.skills} for c in counters],
    }


def services_list(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> dict[str, Any]:
    """The errands a kiosk offers now, whether each takes walk-ins, and who waits for it."""
    office = config.office
    day = office_day(now, office.timezone)
    issued = rows.walk_ins_issued(db, day)
    stopped = stopped_services(db, day)
    waiting = {w["service_id"]: w for w in waiting_per_service(db, config, now)}
    services = []
    for service in office.services:
        reason = admission.refusal_reason(
            office=office, service=service, now=now, issued_today=issued.get(service.id, 0),
            stopped=service.id in stopped,
        )
        services.append({
            "id": service.id,
            "names": service.names,
            "prefix": service.prefix,
            "walk_in": service.walk_in,
            "duration_min": service.duration_min,
            "daily_walk_in_cap": service.daily_walk_in_cap,
            "available": reason is None,
            "unavailable_reason": reason,
            "waiting": waiting[service.id]["waiting"],
            "eta_min": waiting[service.id]["eta_min"],
            "eta_reason": waiting[service.id]["eta_reason"],
            "opens_at": waiting[service.id]["opens_at"],
            "served_now": waiting[service.id]["served_now"],
        })
    until = hours.walk_in_until(office.hours, now, office.timezone)
    opening = hours.next_opening(office.hours, now, office.timezone)
    return {
        "office": {
            "id": office.id,
            "name": office.name,
            "languages": list(office.languages),
            "timezone": office.timezone,
            "now": now.isoformat(),
            "open_now": hours.is_open(office.hours, now, office.timezone),
            "walk_in_until": until.isoformat() if until else None,
            "next_opening": opening.isoformat() if opening else None,
            # office.toml [texts] kiosk_notice: language -> the line above the errand list
            "notice": dict(config.texts.kiosk_notice),
        },
        "services": services,
    }
