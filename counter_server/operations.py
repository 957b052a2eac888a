"""What the server does, as functions over one transaction.

Routes parse and authorise; these functions apply the pure core to stored state,
write the rows and emit the events, all inside the caller's transaction.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from . import printjobs, repo
from .config import OfficeConfig
from .core import admission, lifecycle
from .core.errors import (
    Conflict,
    CounterBusy,
    CounterNotOpen,
    DomainError,
    SkillMissing,
    UnknownCounter,
    UnknownService,
    UnknownTicket,
)
from .core.estimate import (
    Estimate,
    QueueState,
    ServiceStats,
    Upcoming,
    busy_for,
    estimate_waits,
    learn_stats,
    running_cases,
    show_probability,
    stats_from_config,
)
from .core.model import Counter, CounterState, Office, Priority, Ticket, TicketKind, TicketState
from .core.numbering import next_number, office_day
from .core.policy import choose_next
from .core.slot_guard import Decision, Hold, Outlook, choose_guarding_slots
from .store import Tx


def sync_counters(tx: Tx, office: Office) -> None:
    """Give every configured counter a state row (closed until a clerk opens it)."""
    known = repo.counter_states(tx.db)
    for counter in office.counters:
        if counter.id not in known:
            tx.db["counters"].insert(
                {"id": counter.id, "state": CounterState.CLOSED.value, "updated_at": tx.now.isoformat()}
            )


def counters_now(db: sqlite_utils.Database, office: Office) -> list[Counter]:
    states = repo.counter_states(db)
    return [
        replace(c, state=CounterState(states.get(c.id, CounterState.CLOSED.value)))
        for c in office.counters
    ]


def counter_json(counter: Counter, current: Ticket | None = None) -> dict[str, Any]:
    return {
        "id": counter.id,
        "label": counter.label,
        "room": counter.room,
        "state": counter.state.value,
        "skills": counter.skills,
        "languages": list(counter.languages),
        "current": repo.ticket_json(current) if current else None,
    }


def _counter_ref(office: Office, counter_id: str | None) -> dict[str, str] | None:
    counter = office.counter(counter_id) if counter_id else None
    if counter is None:
        return None
    return {"id": counter.id, "label": counter.label, "room": counter.room}


def emit_ticket(tx: Tx, office: Office, type_: str, ticket: Ticket) -> None:
    tx.emit(type_, {"ticket": repo.ticket_json(ticket), "counter": _counter_ref(office, ticket.counter_id)})


@dataclass(frozen=True)
class Preassigned:
    """A number (and status-page id) handed out before the ticket reached the server."""

    number: str
    public_id: str
    at: datetime


def check_in_walk_in(
    tx: Tx, *, config: OfficeConfig, service_id: str, lang: str, priority: Priority, device_id: str
) -> Ticket:
    office = config.office
    service = office.service(service_id)
    if service is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    day = office_day(tx.now, office.timezone)
    issued = repo.walk_ins_issued(tx.db, day).get(service.id, 0)
    admission.check_walk_in(office=office, service=service, now=tx.now, issued_today=issued)
    return issue_ticket(
        tx, config=config, service_id=service.id, kind=TicketKind.WALK_IN, lang=lang,
        priority=priority, device_id=device_id,
    )


def issue_ticket(
    tx: Tx,
    *,
    config: OfficeConfig,
    service_id: str,
    kind: TicketKind,
    lang: str,
    priority: Priority,
    device_id: str,
    appointment_at: datetime | None = None,
    appointment_id: str | None = None,
    preassigned: Preassigned | None = None,
) -> Ticket:
    """Number, store and announce a new waiting ticket.

    A `preassigned` number comes from a kiosk's lease: the visitor already holds it,
    and their arrival is when the kiosk issued it, not when the server heard of it.
    """
    office = config.office
    service = office.service(service_id)
    if service is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    day = office_day(tx.now, office.timezone)
    if preassigned is None:
        number = next_number(service, day, repo.numbers_of_day(tx.db, day, service.prefix))
        preassigned = Preassigned(number=number, public_id=secrets.token_urlsafe(16), at=tx.now)
    ticket = Ticket(
        id=str(uuid.uuid4()),
        number=preassigned.number,
        service_id=service.id,
        kind=kind,
        priority=priority,
        lang=lang if lang in office.languages else "de",
        created_at=preassigned.at,
        arrived_at=preassigned.at,
        office_day=day,
        public_id=preassigned.public_id,
        appointment_at=appointment_at,
        appointment_id=appointment_id,
    )
    repo.save_ticket(tx.db, ticket, device_id=device_id)
    emit_ticket(tx, office, "ticket.created", ticket)
    return ticket


def set_counter_state(tx: Tx, *, config: OfficeConfig, counter_id: str, state: CounterState) -> Counter:
    counter = config.office.counter(counter_id)
    if counter is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    tx.db["counters"].upsert(
        {"id": counter_id, "state": state.value, "updated_at": tx.now.isoformat()}, pk="id"
    )
    updated = replace(counter, state=state)
    tx.emit("counter.state", {"counter": counter_json(updated)})
    return updated


def current_ticket(db: sqlite_utils.Database, counter_id: str) -> Ticket | None:
    rows = list(
        db.query(
            "SELECT * FROM tickets WHERE counter_id = ? AND state IN ('called', 'serving')"
            " ORDER BY called_at DESC LIMIT 1",
            [counter_id],
        )
    )
    return repo.ticket_from_row(rows[0]) if rows else None


def _close_current(tx: Tx, office: Office, counter_id: str) -> None:
    """Next means the current visitor is done: close what the counter still holds."""
    ticket = current_ticket(tx.db, counter_id)
    if ticket is None:
        return
    if ticket.state is TicketState.CALLED:
        ticket = lifecycle.start(ticket, now=tx.now)
    done = lifecycle.finish(ticket, now=tx.now)
    repo.save_ticket(tx.db, done)
    emit_ticket(tx, office, "ticket.finished", done)


def slot_outlook(
    db: sqlite_utils.Database, config: OfficeConfig, now: datetime, open_now: list[Ticket]
) -> Outlook | None:
    """What the slot guard looks ahead at; None when the rule is off (it costs queries)."""
    rules = config.rules
    if not rules.guard_slots:
        return None
    day = office_day(now, config.office.timezone)
    horizon = now + timedelta(minutes=rules.slot_guard_horizon_min)
    return Outlook(
        busy_for_min=busy_for(calls=open_now, now=now, stats=service_stats(db, config, now)),
        booked=repo.booked_between(db, day, now, horizon),
    )


def decide_next(
    db: sqlite_utils.Database,
    *,
    config: OfficeConfig,
    counter: Counter,
    counters: list[Counter],
    open_now: list[Ticket],
    now: datetime,
    hold: bool = True,
) -> Decision:
    """Whom `counter` would call now, keeping booked visitors' slots when the office wants that.

    `hold=False`: the clerk calls anyway; the guard may still pick a booked visitor
    early or a shorter errand, but where it would hold, the policy's own choice stands.
    """
    waiting = [t for t in open_now if t.state is TicketState.WAITING]
    durations = stats_from_config(config.office.services).configured_min
    outlook = slot_outlook(db, config, now, open_now)
    decision = choose_guarding_slots(counter, waiting, counters, now, config.rules,
                                     durations=durations, outlook=outlook)
    if decision.held_for is not None and not hold:
        return Decision(choose_next(counter, waiting, counters, now, config.rules, durations=durations))
    return decision


def hold_json(config: OfficeConfig, hold: Hold) -> dict[str, Any]:
    """A counter kept free for a booked visitor; the hold ends at the slot."""
    service = config.office.service(hold.service_id)
    at = hold.appointment_at.astimezone(ZoneInfo(config.office.timezone)).isoformat()
    return {
        "service_id": hold.service_id,
        "service": service.name("de") if service else hold.service_id,
        "appointment_at": at,
        "until": at,
    }


def call_next(tx: Tx, *, config: OfficeConfig, counter_id: str, hold: bool = True) -> Decision:
    """Close the counter's current visit and call the next one.

    The answer's ticket is the one called; none with `held_for` set means the counter
    stays free on purpose for a booked visitor (guard_slots), none without it that
    nobody waits for this counter.
    """
    office = config.office
    counters = counters_now(tx.db, office)
    counter = next((c for c in counters if c.id == counter_id), None)
    if counter is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    if counter.state is not CounterState.OPEN:
        raise CounterNotOpen(f"{counter.label} is {counter.state.value}; open it first")
    _close_current(tx, office, counter_id)
    decision = decide_next(tx.db, config=config, counter=counter, counters=counters,
                           open_now=repo.open_tickets(tx.db), now=tx.now, hold=hold)
    if decision.ticket is None:
        return decision
    called = lifecycle.call(decision.ticket, counter_id=counter_id, now=tx.now)
    repo.save_ticket(tx.db, called)
    emit_ticket(tx, office, "ticket.called", called)
    return Decision(called)


class CallNotOffered(Conflict):
    """A counter calls out of turn only a visitor its own workstation checked in."""

    code = "call_not_offered"
    status = 403


def call_refusal(
    db: sqlite_utils.Database, *, config: OfficeConfig, counter_id: str, ticket: Ticket
) -> DomainError | None:
    """Why `counter_id` cannot call `ticket` at once, or None when it can.

    The counter must be open, free and able to serve the errand: calling out of turn
    never closes a visit the clerk has not finished.
    """
    counter = next((c for c in counters_now(db, config.office) if c.id == counter_id), None)
    if counter is None:
        return UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    if counter.state is not CounterState.OPEN:
        return CounterNotOpen(f"{counter.label} is {counter.state.value}; open it first")
    current = current_ticket(db, counter_id)
    if current is not None:
        return CounterBusy(f"{counter.label} still has {current.number}; finish it first",
                           ticket=repo.ticket_json(current))
    if not counter.can_serve(ticket.service_id):
        return SkillMissing(f"{counter.label} does not do {ticket.service_id}",
                            counter_id=counter_id, service_id=ticket.service_id)
    return None


def call_checked_in(
    tx: Tx, *, config: OfficeConfig, counter_id: str, ticket_id: str, device_id: str
) -> Ticket:
    """Call, out of turn, a visitor this workstation checked in: they stand at its counter.

    Only a ticket the same workstation issued, so the queue's order stays the policy's
    for everyone the clerk has not met in person.
    """
    ticket = load_ticket(tx.db, ticket_id)
    if repo.issuing_device(tx.db, ticket.id) != device_id:
        raise CallNotOffered(f"ticket {ticket.number} was not checked in at this workstation",
                             ticket_id=ticket.id)
    refusal = call_refusal(tx.db, config=config, counter_id=counter_id, ticket=ticket)
    if refusal is not None:
        raise refusal
    called = lifecycle.call(ticket, counter_id=counter_id, now=tx.now)
    repo.save_ticket(tx.db, called)
    emit_ticket(tx, config.office, "ticket.called", called)
    return called


def load_ticket(db: sqlite_utils.Database, ticket_id: str) -> Ticket:
    ticket = repo.get_ticket(db, ticket_id)
    if ticket is None:
        raise UnknownTicket(f"no ticket {ticket_id!r}", ticket_id=ticket_id)
    return ticket


def _transfer(tx: Tx, office: Office, ticket: Ticket, body: dict[str, Any]) -> Ticket:
    service_id = body.get("service_id") or ticket.service_id
    counter_id = body.get("counter_id")
    if office.service(service_id) is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    if counter_id is not None:
        target = office.counter(counter_id)
        if target is None:
            raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
        if not target.can_serve(service_id):
            raise SkillMissing(f"{target.label} does not do {service_id}", counter_id=counter_id)
    elif not any(c.can_serve(service_id) for c in office.counters):
        raise SkillMissing(f"no counter does {service_id}", service_id=service_id)
    return lifecycle.transfer(ticket, now=tx.now, service_id=service_id, counter_id=counter_id)


def ticket_action(
    tx: Tx, *, config: OfficeConfig, ticket: Ticket, action: str, body: dict[str, Any]
) -> Ticket:
    office = config.office
    if action == "transfer":
        changed = _transfer(tx, office, ticket, body)
    elif action in lifecycle.ACTIONS:
        changed = lifecycle.ACTIONS[action](ticket, now=tx.now)
    else:
        raise DomainError(f"unknown action {action!r}")
    repo.save_ticket(tx.db, changed)
    emit_ticket(tx, office, lifecycle.EVENT_TYPES[action], changed)
    return changed


def expire_past_days(tx: Tx, *, config: OfficeConfig) -> int:
    """Close every ticket left open from an earlier office day."""
    today = office_day(tx.now, config.office.timezone)
    stale = [t for t in repo.open_tickets(tx.db) if t.office_day < today]
    for ticket in stale:
        expired = lifecycle.expire(ticket, now=tx.now, reason="day_end")
        repo.save_ticket(tx.db, expired)
        emit_ticket(tx, config.office, "ticket.expired", expired)
    return len(stale)


UPCOMING_AHEAD = timedelta(hours=3)
UPCOMING_BEHIND = timedelta(minutes=15)


def service_stats(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> ServiceStats:
    """Service times learned from today's finished visits, falling back to office.toml."""
    day = office_day(now, config.office.timezone)
    return learn_stats(finished=repo.finished_today(db, day), config=stats_from_config(config.office.services))


def upcoming_bookings(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> list[Upcoming]:
    """Booked visitors not checked in yet whose slot is near: they will join the queue."""
    day = office_day(now, config.office.timezone)
    return [
        Upcoming(service_id=service_id, appointment_at=start,
                 show_probability=show_probability(appointment_at=start, now=now))
        for service_id, start in repo.booked_between(db, day, now - UPCOMING_BEHIND, now + UPCOMING_AHEAD)
    ]


def estimates(
    db: sqlite_utils.Database, config: OfficeConfig, now: datetime, *, wanted: set[str] | None = None
) -> dict[str, Estimate]:
    """Every waiting ticket's estimate, or only the `wanted` ones' (same figures, less work)."""
    stats = service_stats(db, config, now)
    open_now = repo.open_tickets(db)
    state = QueueState(
        waiting=[t for t in open_now if t.state is TicketState.WAITING],
        counters=counters_now(db, config.office),
        busy_for_min=busy_for(calls=open_now, now=now, stats=stats),
        rules=config.rules,
        upcoming=upcoming_bookings(db, config, now),
        running=running_cases(calls=open_now, now=now),
    )
    return estimate_waits(state, now, stats, wanted=wanted)


class EstimateCache:
    """Estimates change only with the event log or the passing time.

    Every display refetches the board on every event; computing the estimate once per
    (seq, half minute) keeps 200 displays from running the policy 200 times. Only for
    committed reads: inside a write, a seq may still roll back and be reused.
    """

    def __init__(self, bucket_s: int = 30) -> None:
        self._lock = threading.Lock()
        self._bucket_s = bucket_s
        self._key: tuple[int, int, int] | None = None
        self._value: dict[str, Estimate] = {}

    def get(self, db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> dict[str, Estimate]:
        key = (id(config), repo.last_seq(db), int(now.timestamp()) // self._bucket_s)
        with self._lock:
            if key != self._key:
                self._value = estimates(db, config, now)
                self._key = key
            return self._value


READ_ESTIMATES = EstimateCache()


def eta_fields(ticket: Ticket, estimate: Estimate | None, waiting_ahead: int) -> dict[str, Any]:
    if ticket.state is not TicketState.WAITING:
        return {"position": 0, "eta_min": 0, "eta_low_min": 0, "eta_high_min": 0}
    if estimate is None:
        return {"position": waiting_ahead + 1, "eta_min": None, "eta_low_min": None, "eta_high_min": None}
    return {
        "position": estimate.position,
        "eta_min": round(estimate.minutes),
        "eta_low_min": round(estimate.low),
        "eta_high_min": round(estimate.high),
    }


def ticket_status(
    db: sqlite_utils.Database, config: OfficeConfig, ticket: Ticket, now: datetime, *, in_write: bool = False
) -> dict[str, Any]:
    """Position and expected wait of one ticket, as the visitor sees it."""
    if ticket.state is not TicketState.WAITING:
        return eta_fields(ticket, None, 0)
    found = estimates(db, config, now, wanted={ticket.id}) if in_write else READ_ESTIMATES.get(db, config, now)
    estimate = found.get(ticket.id)
    if estimate is not None:
        return eta_fields(ticket, estimate, 0)
    # No open counter can serve it: count who arrived earlier, so the visitor still sees a place.
    ahead = sum(
        1 for t in repo.open_tickets(db)
        if t.state is TicketState.WAITING and t.arrived_at < ticket.arrived_at
    )
    return eta_fields(ticket, None, ahead)


def board(db: sqlite_utils.Database, config: OfficeConfig, now: datetime, *, calls: int = 10) -> dict[str, Any]:
    """What a waiting-room screen shows: recent calls and who waits for what."""
    office = config.office
    day = office_day(now, office.timezone)
    found = READ_ESTIMATES.get(db, config, now)
    waiting = [t for t in repo.open_tickets(db) if t.state is TicketState.WAITING]
    per_service = []
    for service in office.services:
        mine = [t for t in waiting if t.service_id == service.id]
        etas = [found[t.id].minutes for t in mine if t.id in found]
        per_service.append({
            "service_id": service.id,
            "names": service.names,
            "prefix": service.prefix,
            "waiting": len(mine),
            "eta_min": round(max(etas)) if etas else (0 if not mine else None),
        })
    recent = [
        {
            "number": t.number,
            "state": t.state.value,
            "called_at": t.called_at.isoformat() if t.called_at else None,
            "call_count": t.call_count,
            "counter": _counter_ref(office, t.counter_id),
        }
        for t in repo.recent_calls(db, day, calls)
    ]
    counters = counters_now(db, office)
    return {
        "seq": repo.last_seq(db),
        "office": {"id": office.id, "name": office.name},
        "now": now.isoformat(),
        "calls": recent,
        "waiting": per_service,
        "waiting_total": len(waiting),
        "counters_open": sum(1 for c in counters if c.state is CounterState.OPEN),
        "printers": printer_health(db, config),
    }


def printer_health(db: sqlite_utils.Database, config: OfficeConfig) -> list[dict[str, Any]]:
    """Each printer's state for staff warnings on the display and the clerk page."""
    return [
        {"id": p["id"], "name": p["name"], "status": p["status"], "pending_jobs": p["pending_jobs"]}
        for p in printjobs.printer_list(db, config)
    ]


def snapshot(db: sqlite_utils.Database, config: OfficeConfig, now: datetime) -> dict[str, Any]:
    office = config.office
    counters = counters_now(db, office)
    return {
        "board": board(db, config, now),
        "counters": [counter_json(c, current_ticket(db, c.id)) for c in counters],
        "tickets": [repo.ticket_json(t) for t in repo.open_tickets(db)],
    }


def counter_view(db: sqlite_utils.Database, config: OfficeConfig, counter_id: str, now: datetime) -> dict[str, Any]:
    """The clerk's picture: their counter, its current ticket, its queue, its parked tickets."""
    office = config.office
    counters = counters_now(db, office)
    counter = next((c for c in counters if c.id == counter_id), None)
    if counter is None:
        raise UnknownCounter(f"no counter {counter_id!r}", counter_id=counter_id)
    open_now = repo.open_tickets(db)
    waiting = [t for t in open_now if t.state is TicketState.WAITING and counter.can_serve(t.service_id)
               and t.target_counter_id in (None, counter_id)]
    found = READ_ESTIMATES.get(db, config, now)
    # the whole queue, as call_next sees it: other counters' booked visitors take their time too
    proposed = decide_next(db, config=config, counter=replace(counter, state=CounterState.OPEN),
                           counters=counters, open_now=open_now, now=now)
    parked = [t for t in open_now if t.state is TicketState.PARKED and t.target_counter_id == counter_id]
    return {
        "counter": counter_json(counter, current_ticket(db, counter_id)),
        "next": repo.ticket_json(proposed.ticket) if proposed.ticket else None,
        "held_for": hold_json(config, proposed.held_for) if proposed.held_for else None,
        # the office clock (a training clock need not be the browser's): when a hold ends
        "now": now.astimezone(ZoneInfo(office.timezone)).isoformat(),
        "timezone": office.timezone,
        "waiting": [
            {**repo.ticket_json(t), "waited_min": round((now - t.arrived_at).total_seconds() / 60),
             "eta_min": round(found[t.id].minutes) if t.id in found else None}
            for t in waiting
        ],
        "parked": [repo.ticket_json(t) for t in parked],
        "services": [{"id": s.id, "names": s.names, "prefix": s.prefix} for s in office.services],
        "printers": printer_health(db, config),
        "counters": [{"id": c.id, "label": c.label, "state": c.state.value, "skills": c.skills} for c in counters],
    }
