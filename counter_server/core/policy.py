"""Which waiting ticket a counter calls next.

A ticket's place is decided in tiers, first non-empty tier wins:

0. `urgent` tickets (set by staff), longest waiting first;
1. overdue tickets, earliest deadline first: a walk-in past `walk_in_max_wait_min`,
   or a booked visitor past `appointment_max_late_min` after the slot;
2. everyone else who may be called now, by an "effective wait": minutes waited
   plus bonuses (primary skill, scarce service, short service, assist, clerk's
   language, a ticket sent to this very counter). A booked visitor who is due counts from
   the slot and gets `appointment_weight_min` on top, so they are called close
   to the slot without pushing walk-ins beyond their cap;
3. booked visitors who checked in early and are not due yet, earliest slot
   first, only when the counter would otherwise stay idle.

The decision is one pass over the waiting tickets with datetime comparisons
only (bonuses are folded into a "virtual arrival"), which keeps a decision over
300 tickets well under a millisecond.

The server and the simulator then check the choice against the booked slots
ahead (slot_guard.py): by default only where a booked visitor would otherwise
miss the promise, which may put an errand that ends in time first or call the
booked visitor just before the slot; `guard_slots` is the stronger full guard,
which also calls early and keeps counters free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from .kept import Kept
from .model import PRIMARY, Counter, CounterState, Priority, Ticket, TicketKind, TicketState


@dataclass(frozen=True)
class Rules:
    """Named settings of the queue policy; each is a key of office.toml `[queue]`.

    Minutes are floats. The defaults are tuned on the simulator's standard
    scenario (bench/RESULTS.md).
    """

    # A booked visitor counts as due this many minutes before the slot (ZMS uses 2).
    appointment_due_before_min: float = 2.0
    # A due booked visitor ranks like a walk-in who has waited this long at the
    # moment of the slot (and gains a minute per minute after it).
    appointment_weight_min: float = 20.0
    # A booked visitor this many minutes past the slot is called before everyone
    # but urgent tickets; keeps the promise "called within 5 minutes of the slot".
    appointment_max_late_min: float = 0.0
    # A booked visitor for a service few open counters do is due earlier, by
    # appointment_lead_min / (number of open counters doing it): with only two
    # counters, waiting for the slot often means waiting for a counter past it.
    appointment_lead_min: float = 20.0
    # Call a booked visitor who checked in early before the slot is due, but
    # only when nobody else waits for the counter.
    call_early_appointments: bool = True
    # A walk-in who has waited this long is called before everyone but urgent
    # tickets and overdue booked visitors: nobody starves.
    walk_in_max_wait_min: float = 28.0
    # A counter prefers its primary services by this many minutes of waiting.
    primary_bonus_min: float = 4.0
    # A ticket whose service only few open counters do is preferred by
    # scarcity_bonus_min / (number of open counters doing it), so generalists
    # do not leave it behind.
    scarcity_bonus_min: float = 16.0
    # Visitors marked `assist` are preferred by this many minutes of waiting.
    assist_bonus_min: float = 10.0
    # A ticket sent back to this very counter (transfer, return from parking).
    target_bonus_min: float = 15.0
    # A clerk who speaks the visitor's language (not the office language) is
    # preferred for that visitor by this many minutes of waiting.
    language_bonus_min: float = 5.0
    # The office language; `language_bonus_min` applies to every other one.
    office_language: str = "de"
    # A counter prefers short errands: per minute a service takes (office.toml's
    # duration_min) less than the counter's longest one, this many minutes of
    # waiting. Serving a four-minute pick-up before an 18-minute ID card costs the
    # ID card four minutes and saves the pick-up eighteen.
    short_service_bonus: float = 1.0
    # The full slot guard (core/slot_guard.py), an override of the adaptive default:
    # before calling a walk-in, a counter that is the only one likely free in time
    # for a booked visitor calls them early if they are here, else an errand that
    # ends in time, else stays free for them. Costs walk-ins (bench/RESULTS.md).
    guard_slots: bool = False
    # The slot guard aims to call a booked visitor within this many minutes after
    # the slot (after the check-in for those who come late); below the 5 minutes
    # promised, as the times it plans with are expectations.
    slot_promise_min: float = 3.0
    # How far ahead the counter looks for slots to keep.
    slot_guard_horizon_min: float = 30.0
    # A counter stays free for a booked visitor not here yet only this close to the slot.
    slot_hold_min: float = 8.0
    # The default: protect booked slots as far as the state calls for
    # (core/slot_guard.py, "adaptive"): only when a booked visitor would miss the
    # promise because no other counter is expected free in time, this counter calls
    # an errand that ends in time, or, within `adaptive_call_min` of the slot, the
    # booked visitor; it never stays idle. `guard_slots = true` is the full guard
    # instead; false here and there: the ranking above alone.
    adaptive_slots: bool = True
    # The adaptive guard aims to call a booked visitor within this many minutes of
    # max(slot, check-in) (planning with expected times; the promise is 5).
    adaptive_promise_min: float = 4.0
    # ... and calls a booked visitor who is here out of turn only this close to the slot
    adaptive_call_min: float = 3.0
    # ... or from this many minutes before the slot, while the walk-in it would pass over has
    # waited less than `walk_in_max_wait_min` (no walk-in past the cap waits longer for an early
    # call). Issue 15's third round (bench/RESULTS.md); 3 (= adaptive_call_min) turns it off.
    adaptive_call_early_min: float = 8.0
    # ... and leaves a walk-in past `walk_in_max_wait_min` alone while they are the only
    # walk-in waiting that long (the tail of an ordinary day: nobody is passed over
    # again and again); when several are (an overloaded day), slots go first as before.
    adaptive_spare_overdue: bool = True
    # ... and, from this many minutes before the slot, calls a booked visitor who is here before
    # a walk-in whose errand would not end by their deadline, whatever the other counters
    # (never the only walk-in past the cap, as above). 0: off. Issue 15, stops 39 and 40
    # (bench/RESULTS.md): 6 keeps up to 3.5 points more booked visitors on time, most on busy days,
    # for up to 0.04 x on the walk-ins' mean and p95; off because with two counters missing the
    # day's last walk-in can wait longer than under the best baseline.
    adaptive_booked_first_min: float = 0.0


def rules_from_mapping(table: Mapping[str, object]) -> Rules:
    """Rules from office.toml `[queue]`; raises ValueError naming the bad field."""
    defaults = Rules()
    known = {f.name for f in fields(Rules)}
    values: dict[str, object] = {}
    for name, value in table.items():
        if name not in known:
            raise ValueError(f"{name}: unknown setting (known: {', '.join(sorted(known))})")
        values[name] = _checked(name, value, getattr(defaults, name))
    return Rules(**values)  # type: ignore[arg-type]


def _checked(name: str, value: object, default: object) -> object:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{name}: expected true or false, got {value!r}")
        return value
    if isinstance(default, str):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name}: expected a non-empty string, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: expected a number of minutes, got {value!r}")
    if not 0 <= value <= 24 * 60:
        raise ValueError(f"{name}: must be between 0 and 1440 minutes, got {value!r}")
    return float(value)


def eligible(ticket: Ticket, counter: Counter) -> bool:
    """Whether `counter` may call `ticket` at all."""
    if ticket.state is not TicketState.WAITING or ticket.service_id not in counter.skills:
        return False
    return ticket.target_counter_id is None or ticket.target_counter_id == counter.id


def due_at(ticket: Ticket, rules: Rules) -> datetime | None:
    """When a booked visitor may be called as due; None for walk-ins."""
    if ticket.kind is not TicketKind.APPOINTMENT or ticket.appointment_at is None:
        return None
    return ticket.appointment_at - timedelta(minutes=rules.appointment_due_before_min)


def is_due(ticket: Ticket, now: datetime, rules: Rules) -> bool:
    due = due_at(ticket, rules)
    return due is not None and now >= due


def open_counts(counters: Sequence[Counter]) -> dict[str, int]:
    """How many open counters do each service."""
    counts: dict[str, int] = {}
    for counter in counters:
        if counter.state is CounterState.OPEN:
            for service_id in counter.skills:
                counts[service_id] = counts.get(service_id, 0) + 1
    return counts


def _service_terms(
    counter: Counter, counts: Mapping[str, int], rules: Rules, durations: Mapping[str, float]
) -> tuple[dict[str, timedelta], dict[str, timedelta]]:
    """Per service of `counter`: its bonus, and how long before the slot a booked visitor is due."""
    bonus: dict[str, timedelta] = {}
    due_before: dict[str, timedelta] = {}
    for service_id in counter.skills:
        open_here = max(1, counts.get(service_id, 0))
        bonus[service_id] = timedelta(minutes=sum(service_bonus_parts(counter, service_id, counts, rules, durations).values()))
        due_before[service_id] = timedelta(
            minutes=rules.appointment_due_before_min + rules.appointment_lead_min / open_here
        )
    return bonus, due_before


def service_bonus_parts(
    counter: Counter, service_id: str, counts: Mapping[str, int], rules: Rules, durations: Mapping[str, float]
) -> dict[str, float]:
    """Minutes of waiting a ticket gains at `counter` for its errand, by named part."""
    longest = max((durations[s] for s in counter.skills if s in durations), default=0.0)
    short = longest - durations[service_id] if service_id in durations else 0.0
    return {
        "scarce": rules.scarcity_bonus_min / max(1, counts.get(service_id, 0)),
        "short": rules.short_service_bonus * short,
        "primary": rules.primary_bonus_min if counter.skills.get(service_id) == PRIMARY else 0.0,
    }


def personal_bonus_parts(ticket: Ticket, counter: Counter, rules: Rules) -> dict[str, float]:
    """Minutes of waiting a ticket gains at `counter` for who the visitor is, by named part."""
    speaks = ticket.lang != rules.office_language and ticket.lang in counter.languages
    return {
        "assist": rules.assist_bonus_min if ticket.priority is Priority.ASSIST else 0.0,
        "target": rules.target_bonus_min if ticket.target_counter_id == counter.id else 0.0,
        "language": rules.language_bonus_min if speaks else 0.0,
    }


def bonus_parts(
    ticket: Ticket, counter: Counter, counts: Mapping[str, int], rules: Rules, durations: Mapping[str, float]
) -> dict[str, float]:
    """Every named bonus a ticket gains at `counter`: who the visitor is, then their errand.

    The one list of bonuses: the ranking adds them up, explain.py names the largest.
    """
    return {**personal_bonus_parts(ticket, counter, rules),
            **service_bonus_parts(counter, ticket.service_id, counts, rules, durations)}


def personal_bonus(ticket: Ticket, counter: Counter, rules: Rules) -> float:
    """Minutes of waiting a ticket gains at `counter` for who the visitor is."""
    if (ticket.priority is not Priority.ASSIST and ticket.target_counter_id != counter.id
            and ticket.lang == rules.office_language):
        return 0.0  # most visitors: no part applies, known without building them (a long queue's cost)
    return sum(personal_bonus_parts(ticket, counter, rules).values())


@dataclass
class _Best:
    """The best candidate of each tier seen so far in the single pass."""

    ticket: list[Ticket | None]
    key: list[datetime | None]

    def offer(self, tier: int, key: datetime, ticket: Ticket) -> None:
        current = self.key[tier]
        if current is None or key < current:
            self.key[tier] = key
            self.ticket[tier] = ticket

    def first(self) -> Ticket | None:
        return next((t for t in self.ticket if t is not None), None)


@dataclass(frozen=True)
class CounterTerms:
    """What a counter's choice depends on besides the tickets and the time.

    Computed once per decision by `choose_next`; the estimate's forward run
    computes it once per counter and reuses it for every step.
    """

    counter: Counter
    bonus: dict[str, timedelta]
    due_before: dict[str, timedelta]


def counter_terms(
    counter: Counter,
    counters: Sequence[Counter],
    rules: Rules,
    durations: Mapping[str, float] | None = None,
    *,
    counts: Mapping[str, int] | None = None,
) -> CounterTerms:
    """`counts`: open_counts(counters), when the caller has it already.

    The last terms of each counter and rules are kept: the simulator and the estimate
    ask again and again for the same counters, and working them out is most of a
    decision's cost. Counter and Rules are frozen, so the same objects with equal
    counts and durations give the same terms.
    """
    if counts is None:
        counts = open_counts(counters)
    durations = durations or {}
    known = _TERMS.get((counter, rules), (counts, durations))
    if known is not None:
        return known
    bonus, due_before = _service_terms(counter, counts, rules, durations)
    return _TERMS.put((counter, rules), CounterTerms(counter, bonus, due_before), (dict(counts), dict(durations)))


# the last terms of each counter and rules, for the counts and durations they were made for
_TERMS: Kept[CounterTerms] = Kept(256)


def choose_next(
    counter: Counter,
    waiting: Sequence[Ticket],
    counters: Sequence[Counter],
    now: datetime,
    rules: Rules,
    *,
    durations: Mapping[str, float] | None = None,
) -> Ticket | None:
    """The ticket `counter` should call now, or None when nobody waits for it.

    `durations`: expected minutes per service (learned); without them the
    short-service preference is off.
    """
    if counter.state is not CounterState.OPEN:
        return None
    return choose_with(counter_terms(counter, counters, rules, durations), waiting, now, rules)


def choose_with(terms: CounterTerms, waiting: Sequence[Ticket], now: datetime, rules: Rules) -> Ticket | None:
    """`choose_next` for an open counter whose terms are already computed."""
    counter, service_bonus, due_before = terms.counter, terms.bonus, terms.due_before
    walk_in_cap = timedelta(minutes=rules.walk_in_max_wait_min)
    late_cap = timedelta(minutes=rules.appointment_max_late_min)
    weight = timedelta(minutes=rules.appointment_weight_min)
    best = _Best([None] * 4, [None] * 4)
    for ticket in waiting:
        bonus = service_bonus.get(ticket.service_id)
        if bonus is None or not eligible(ticket, counter):
            continue
        if ticket.priority is Priority.URGENT:
            best.offer(0, ticket.arrived_at, ticket)
            continue
        extra = personal_bonus(ticket, counter, rules)
        if extra:
            bonus = bonus + timedelta(minutes=extra)
        slot = ticket.appointment_at if ticket.kind is TicketKind.APPOINTMENT else None
        if slot is None:
            if now - ticket.arrived_at >= walk_in_cap:
                best.offer(1, ticket.arrived_at + walk_in_cap, ticket)
            else:
                best.offer(2, ticket.arrived_at - bonus, ticket)
        elif now >= slot + late_cap:
            best.offer(1, slot + late_cap, ticket)
        elif now >= slot - due_before[ticket.service_id]:
            best.offer(2, slot - weight - bonus, ticket)
        elif rules.call_early_appointments:
            best.offer(3, slot, ticket)
    return best.first()
