"""Whom a counter calls next: the policy, keeping booked visitors' slots where the office wants."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from ..config import OfficeConfig
from ..core.estimate import busy_for, stats_from_config
from ..core.explain import Reason, explain_choice
from ..core.model import Counter, Ticket, TicketState
from ..core.numbering import office_day
from ..core.policy import choose_next
from ..core.slot_guard import Decision, Outlook, choose_guarding_slots
from . import rows
from .estimates import service_stats


def slot_outlook(
    db: sqlite_utils.Database, config: OfficeConfig, now: datetime, open_now: list[Ticket]
) -> Outlook | None:
    """What the slot guard looks ahead at; None when both its rules are off (it costs queries)."""
    rules = config.rules
    if not (rules.guard_slots or rules.adaptive_slots):
        return None
    day = office_day(now, config.office.timezone)
    horizon = now + timedelta(minutes=rules.slot_guard_horizon_min)
    return Outlook(
        busy_for_min=busy_for(calls=open_now, now=now, stats=service_stats(db, config, now)),
        booked=rows.booked_between(db, day, now, horizon),
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
        ranked = choose_next(counter, waiting, counters, now, config.rules, durations=durations)
        return Decision(ranked, ranked=ranked)
    return decision


def why_next(
    config: OfficeConfig, *, counter: Counter, counters: list[Counter], open_now: list[Ticket],
    now: datetime, decision: Decision,
) -> Reason | None:
    """Why `decide_next` proposed `decision.ticket` for `counter`, from the same tickets and rules."""
    if decision.ticket is None:
        return None
    waiting = [t for t in open_now if t.state is TicketState.WAITING]
    durations = stats_from_config(config.office.services).configured_min
    return explain_choice(decision.ticket, counter, waiting, counters, now, config.rules, durations=durations,
                          for_slot=decision.for_slot, ranked=decision.ranked)
