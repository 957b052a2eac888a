"""Why the policy proposes this visitor next, in a few words a clerk can check.

`explain_choice` retraces `choose_next`'s tiers for the chosen ticket; for a walk-in
chosen over someone who waited longer it names the bonus that made the difference
(language, assist, a ticket sent back here, the counter's primary or a short or scarce
errand). Pure: the clerk page turns the reason into words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import Counter, Priority, Ticket, TicketKind
from .policy import (
    Rules,
    bonus_parts,
    choose_with,
    counter_terms,
    eligible,
    open_counts,
)


@dataclass(frozen=True)
class Reason:
    """`code`: urgent, overdue, appointment_late, appointment, appointment_early, longest_wait,
    assist, language, target, primary, short, scarce, slot_guard (a booked visitor
    called out of turn so their slot holds) or slot_guard_short (an errand that ends
    before a slot only this counter can keep). `waited_min` for waits,
    `appointment_at` for booked visitors and the slot kept, `lang` for a language."""

    code: str
    waited_min: int | None = None
    appointment_at: datetime | None = None
    lang: str | None = None


def _waited(ticket: Ticket, now: datetime) -> int:
    return round((now - ticket.arrived_at).total_seconds() / 60)


def _booked(ticket: Ticket, counter: Counter, counters: Sequence[Counter], now: datetime, rules: Rules) -> Reason:
    slot = ticket.appointment_at
    assert slot is not None
    if now >= slot + timedelta(minutes=rules.appointment_max_late_min):
        return Reason("appointment_late", appointment_at=slot)
    due_before = counter_terms(counter, counters, rules).due_before.get(ticket.service_id, timedelta(0))
    return Reason("appointment" if now >= slot - due_before else "appointment_early", appointment_at=slot)


def _ahead_of_longest(
    chosen: Ticket, counter: Counter, waiting: Sequence[Ticket], counters: Sequence[Counter],
    now: datetime, rules: Rules, durations: Mapping[str, float],
) -> Reason:
    """A walk-in in the main tier: the longest waiting, or what put them ahead of that one."""
    walk_ins = [t for t in waiting if eligible(t, counter) and t.kind is TicketKind.WALK_IN
                and t.priority is not Priority.URGENT]
    longest = min(walk_ins, key=lambda t: t.arrived_at, default=chosen)
    if longest.arrived_at >= chosen.arrived_at:
        return Reason("longest_wait", waited_min=_waited(chosen, now))
    counts = open_counts(counters)
    mine = bonus_parts(chosen, counter, counts, rules, durations)
    theirs = bonus_parts(longest, counter, counts, rules, durations)
    code = max(mine, key=lambda part: mine[part] - theirs[part])
    return Reason(code, waited_min=_waited(chosen, now), lang=chosen.lang if code == "language" else None)


def explain_choice(
    chosen: Ticket,
    counter: Counter,
    waiting: Sequence[Ticket],
    counters: Sequence[Counter],
    now: datetime,
    rules: Rules,
    *,
    durations: Mapping[str, float] | None = None,
    for_slot: datetime | None = None,
    ranked: Ticket | None = None,
) -> Reason:
    """Why `counter` would call `chosen` now out of `waiting` (as `choose_next` or the slot guard chose).

    `for_slot`: the slot the guard kept (`Decision.for_slot`), when it changed the choice.
    `ranked`: the policy's own choice (`Decision.ranked`), when known: else ranked here again.
    """
    durations = durations or {}
    if chosen.priority is Priority.URGENT:
        return Reason("urgent", waited_min=_waited(chosen, now))
    if ranked is None:
        ranked = choose_with(counter_terms(counter, counters, rules, durations), waiting, now, rules)
    if chosen != ranked:
        if chosen.kind is TicketKind.APPOINTMENT:
            return Reason("slot_guard", appointment_at=chosen.appointment_at)
        return Reason("slot_guard_short", appointment_at=for_slot)
    if chosen.kind is TicketKind.APPOINTMENT and chosen.appointment_at is not None:
        return _booked(chosen, counter, counters, now, rules)
    if now - chosen.arrived_at >= timedelta(minutes=rules.walk_in_max_wait_min):
        return Reason("overdue", waited_min=_waited(chosen, now))
    return _ahead_of_longest(chosen, counter, waiting, counters, now, rules, durations)
