"""The slot guard over literal tickets, counters and bookings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.core.explain import Reason, explain_choice
from counter_server.core.model import Counter, CounterState, Priority, Ticket
from counter_server.core.policy import Rules, choose_next
from counter_server.core.slot_guard import Decision, Hold, Outlook, choose_guarding_slots

from .test_policy import NOON, counter, ticket

GUARD = Rules(guard_slots=True)
OFF = Rules(adaptive_slots=False)
ADAPTIVE = Rules()
DURATIONS = {"ausweis": 18.5, "abholung": 4.5, "anmeldung": 12.5}
# the only counter doing pick-ups, and a second one for ID cards only
PICKUP = counter("1", ausweis=1, abholung=2)
CARDS = counter("2", ausweis=1)


def decide(
    waiting: list[Ticket], *, booked: list[tuple[str, float]] = (), busy: dict[str, float] | None = None,
    at: Counter = PICKUP, counters: list[Counter] | None = None, rules: Rules = GUARD,
) -> Decision:
    outlook = Outlook(busy_for_min=busy or {},
                      booked=[(service, NOON + timedelta(minutes=slot_in)) for service, slot_in in booked])
    return choose_guarding_slots(at, waiting, counters or [PICKUP, CARDS], NOON, rules,
                                 durations=DURATIONS, outlook=outlook)


def called(decision: Decision) -> str | None:
    return decision.ticket.id if decision.ticket else None


def test_stays_free_for_a_slot_only_it_can_serve() -> None:
    decision = decide([ticket("card", waited=10)], booked=[("abholung", 5)])
    assert decision == Decision(None, Hold("abholung", NOON + timedelta(minutes=5)))


def test_an_errand_that_ends_in_time_instead_of_a_long_one() -> None:
    waiting = [ticket("card", waited=20), ticket("pickup", "abholung", waited=2)]
    assert called(decide(waiting, booked=[("abholung", 6)])) == "pickup"


def test_a_booked_visitor_who_is_here_is_called_early() -> None:
    waiting = [ticket("card", waited=20), ticket("booked", "abholung", waited=3, slot_in=12)]
    assert called(decide(waiting)) == "booked"


def test_no_guard_needed_when_another_counter_is_free_in_time() -> None:
    both = counter("2", ausweis=1, abholung=2)
    waiting = [ticket("card", waited=20)]
    assert called(decide(waiting, booked=[("abholung", 5)], counters=[PICKUP, both], busy={"2": 4})) == "card"
    # the other one is busy past the slot: this counter keeps it
    assert decide(waiting, booked=[("abholung", 5)], counters=[PICKUP, both], busy={"2": 15}).held_for


def test_another_booking_takes_the_other_counter() -> None:
    both = counter("2", ausweis=1, abholung=2)
    waiting = [ticket("card", waited=20)]
    # the other counter is free now, but the ID card booked in 3 minutes will take it
    decision = decide(waiting, booked=[("ausweis", 3), ("abholung", 6)], counters=[PICKUP, both])
    assert decision.held_for == Hold("abholung", NOON + timedelta(minutes=6))


def test_no_holding_long_before_the_slot() -> None:
    assert called(decide([ticket("card", waited=10)], booked=[("abholung", 20)])) == "card"


def test_no_holding_for_someone_past_their_slot() -> None:
    assert called(decide([ticket("card", waited=10)], booked=[("abholung", -1)])) == "card"


def test_bookings_beyond_the_horizon_are_not_looked_at() -> None:
    rules = replace(GUARD, slot_hold_min=60, slot_guard_horizon_min=10)
    assert called(decide([ticket("card", waited=10)], booked=[("abholung", 20)], rules=rules)) == "card"


def test_urgent_tickets_and_due_booked_visitors_are_left_alone() -> None:
    urgent = ticket("urgent", waited=1, priority=Priority.URGENT)
    assert called(decide([urgent], booked=[("abholung", 5)])) == "urgent"
    due = ticket("booked", slot_in=0, waited=5)
    assert called(decide([due], booked=[("abholung", 5)])) == "booked"


def test_goes_ahead_of_a_walk_in_past_the_cap() -> None:
    waiting = [ticket("card", waited=40), ticket("booked", "abholung", waited=4, slot_in=8)]
    assert called(decide(waiting)) == "booked"


def test_nobody_waiting_and_closed_counters() -> None:
    assert decide([], booked=[("abholung", 5)]) == Decision(None)
    closed = replace(PICKUP, state=CounterState.CLOSED)
    assert decide([ticket("card", waited=10)], at=closed, counters=[closed, CARDS]) == Decision(None)


def test_a_ticket_sent_to_another_counter_does_not_need_this_one() -> None:
    elsewhere = replace(ticket("booked", "abholung", waited=3, slot_in=10), target_counter_id="9")
    assert called(decide([ticket("card", waited=20), elsewhere])) == "card"


_tickets = st.lists(
    st.builds(
        lambda name, service, waited, slot_in: ticket(name, service, waited=waited, slot_in=slot_in),
        name=st.uuids().map(str), service=st.sampled_from(list(DURATIONS)),
        waited=st.floats(0, 60), slot_in=st.none() | st.floats(-15, 40),
    ),
    max_size=12,
)


@given(waiting=_tickets, booked=st.lists(st.tuples(st.sampled_from(list(DURATIONS)), st.floats(-5, 40)), max_size=5))
@settings(max_examples=150, deadline=None)
def test_off_or_without_an_outlook_it_is_choose_next(waiting: list[Ticket], booked: list[tuple[str, float]]) -> None:
    expected = choose_next(PICKUP, waiting, [PICKUP, CARDS], NOON, OFF, durations=DURATIONS)
    assert decide(waiting, booked=booked, rules=OFF) == Decision(expected)
    assert choose_guarding_slots(PICKUP, waiting, [PICKUP, CARDS], NOON, GUARD, durations=DURATIONS,
                                 outlook=None) == Decision(expected)


@given(waiting=_tickets, booked=st.lists(st.tuples(st.sampled_from(list(DURATIONS)), st.floats(-5, 40)), max_size=5))
@settings(max_examples=150, deadline=None)
def test_never_idle_without_saying_for_whom(waiting: list[Ticket], booked: list[tuple[str, float]]) -> None:
    decision = decide(waiting, booked=booked)
    anyone = choose_next(PICKUP, waiting, [PICKUP, CARDS], NOON, GUARD, durations=DURATIONS)
    if anyone is None:
        assert decision == Decision(None)
    elif decision.ticket is None:
        hold = decision.held_for
        assert hold is not None and NOON <= hold.appointment_at <= NOON + timedelta(minutes=GUARD.slot_hold_min)
    else:
        assert decision.ticket in waiting


# The adaptive default (Rules()): protects a slot only where the state says it is at risk.

def test_adaptive_with_nobody_at_risk_keeps_the_policy_order() -> None:
    waiting = [ticket("first", waited=20), ticket("second", waited=10),
               ticket("booked", "abholung", waited=3, slot_in=40)]
    assert decide(waiting, rules=ADAPTIVE) == Decision(waiting[0])
    # a slot another counter will be free for in time changes nothing either
    both = counter("2", ausweis=1, abholung=2)
    assert decide(waiting[:2], booked=[("abholung", 6)], counters=[PICKUP, both], busy={"2": 2},
                  rules=ADAPTIVE) == Decision(waiting[0])


def test_adaptive_calls_a_late_booked_visitor_only_this_counter_can_take_in_time() -> None:
    # booked for a pick-up 5 minutes ago, checked in late; the ID-card desk cannot do pick-ups
    late = ticket("late", "abholung", waited=2, slot_in=-5)
    # two walk-ins past the cap (28 min): a crowded moment, the slot goes first
    waiting = [ticket("card", waited=35), late, ticket("card2", waited=30)]
    off = decide(waiting, rules=OFF)
    assert off.ticket is not None and off.ticket.id == "card"  # the policy alone: the long-waiting card first
    decision = decide(waiting, rules=ADAPTIVE)
    assert decision.ticket is late and decision.for_slot == late.appointment_at


def test_adaptive_leaves_the_only_walk_in_past_the_cap_alone() -> None:
    # as above, but the card is the only walk-in past the cap: it is not passed over
    late = ticket("late", "abholung", waited=2, slot_in=-5)
    waiting = [ticket("card", waited=35), late, ticket("next", waited=27)]
    assert called(decide(waiting, rules=ADAPTIVE)) == "card"
    # ... unless the rule is off; the full guard never spares
    assert decide(waiting, rules=replace(ADAPTIVE, adaptive_spare_overdue=False)).ticket is late
    assert decide(waiting, rules=GUARD).ticket is late
    # below the cap the guard acts as before: a pick-up that ends in time goes first
    pickup = ticket("pickup", "abholung", waited=1)
    assert called(decide([ticket("card", waited=27), pickup], booked=[("abholung", 6)], rules=ADAPTIVE)) == "pickup"


def test_adaptive_prefers_an_errand_that_ends_in_time_and_never_idles() -> None:
    waiting = [ticket("card", waited=20), ticket("pickup", "abholung", waited=2)]
    decision = decide(waiting, booked=[("abholung", 6)], rules=ADAPTIVE)
    assert called(decision) == "pickup" and decision.for_slot == NOON + timedelta(minutes=6)
    # nothing ends in time and the booked visitor is not here: the policy's choice, no hold
    card = ticket("card", waited=10)
    assert decide([card], booked=[("abholung", 5)], rules=ADAPTIVE) == Decision(card)


def test_adaptive_does_not_call_a_booked_visitor_long_before_the_slot() -> None:
    # an ID card booked in 14 minutes, here already; the other ID-card desk is busy for long
    waiting = [ticket("card", waited=20), ticket("booked", waited=3, slot_in=14)]
    assert called(decide(waiting, busy={"2": 40}, rules=ADAPTIVE)) == "card"
    assert called(decide(waiting, busy={"2": 40}, rules=GUARD)) == "booked"


def test_adaptive_calls_a_booked_visitor_who_is_here_up_to_eight_minutes_before_the_slot() -> None:
    # an ID card booked in 7 minutes, here already; the other ID-card desk is busy for long:
    # the card walk-in (18.5 min) would make them late, nothing shorter waits
    booked = ticket("booked", waited=3, slot_in=7)
    waiting = [ticket("card", waited=20), booked]
    decision = decide(waiting, busy={"2": 40}, rules=ADAPTIVE)
    assert decision.ticket is booked and decision.for_slot == booked.appointment_at
    # the clerk reads why: "Termin 12:07 – sonst zu spät"
    reason = explain_choice(booked, PICKUP, waiting, [PICKUP, CARDS], NOON, ADAPTIVE, durations=DURATIONS,
                            for_slot=decision.for_slot)
    assert reason == Reason("slot_guard", appointment_at=booked.appointment_at)
    # the decision carries the ranking's own choice: the clerk's view need not rank again
    assert decision.ranked is waiting[0]
    assert explain_choice(booked, PICKUP, waiting, [PICKUP, CARDS], NOON, ADAPTIVE, durations=DURATIONS,
                          for_slot=decision.for_slot, ranked=decision.ranked) == reason
    # the rule before issue 15's third round: only 3 minutes before the slot
    assert called(decide(waiting, busy={"2": 40}, rules=replace(ADAPTIVE, adaptive_call_early_min=3))) == "card"
    # at risk only: with the other desk free in time the ranking stands
    assert called(decide(waiting, busy={"2": 5}, rules=ADAPTIVE)) == "card"


def test_adaptive_calls_early_only_while_the_walk_in_passed_over_is_below_the_cap() -> None:
    # adaptive_call_early_min: from 8 minutes before the slot, but a walk-in past the cap is not passed over early
    rules = ADAPTIVE
    booked = ticket("booked", waited=3, slot_in=7)
    below = [ticket("card", waited=20), booked]
    decision = decide(below, busy={"2": 40}, rules=rules)
    assert decision.ticket is booked and decision.for_slot == booked.appointment_at
    # two walk-ins past the cap (the lone one would be spared anyway): the first stays first ...
    past = [ticket("card", waited=31), ticket("card2", waited=29), booked]
    assert called(decide(past, busy={"2": 40}, rules=rules)) == "card"
    # ... until adaptive_call_min before the slot
    late = ticket("booked", waited=3, slot_in=2)
    assert decide([*past[:2], late], busy={"2": 40}, rules=rules).ticket is late


def test_booked_first_calls_a_booked_visitor_here_before_a_long_errand_whatever_the_other_counters() -> None:
    # adaptive_booked_first_min (stop 39, off by default): the other desk is expected free in time
    rules = replace(ADAPTIVE, adaptive_booked_first_min=6)
    booked = ticket("booked", waited=3, slot_in=5)
    waiting = [ticket("card", waited=20), booked]
    assert called(decide(waiting, busy={"2": 5}, rules=ADAPTIVE)) == "card"
    decision = decide(waiting, busy={"2": 5}, rules=rules)
    assert decision.ticket is booked and decision.for_slot == booked.appointment_at
    # not yet 6 minutes before the slot
    later = [ticket("card", waited=20), ticket("booked", waited=3, slot_in=8)]
    assert called(decide(later, busy={"2": 5}, rules=rules)) == "card"
    # a walk-in whose errand ends by the booked visitor's deadline keeps its turn
    short = [ticket("pickup", "abholung", waited=20), booked]
    assert called(decide(short, busy={"2": 5}, rules=rules)) == "pickup"
    # the only walk-in past the cap is not passed over; one of two is
    assert called(decide([ticket("card", waited=31), booked], busy={"2": 5}, rules=rules)) == "card"
    two = [ticket("card", waited=31), ticket("card2", waited=29), booked]
    assert decide(two, busy={"2": 5}, rules=rules).ticket is booked
    # a booked visitor this counter cannot serve is left to the others
    other = ticket("booked", "anmeldung", waited=3, slot_in=5)
    assert called(decide([ticket("card", waited=20), other], busy={"2": 5}, rules=rules)) == "card"


@given(waiting=_tickets, booked=st.lists(st.tuples(st.sampled_from(list(DURATIONS)), st.floats(-5, 40)), max_size=5))
@settings(max_examples=150, deadline=None)
def test_adaptive_never_holds_a_counter(waiting: list[Ticket], booked: list[tuple[str, float]]) -> None:
    decision = decide(waiting, booked=booked, rules=ADAPTIVE)
    anyone = choose_next(PICKUP, waiting, [PICKUP, CARDS], NOON, ADAPTIVE, durations=DURATIONS)
    assert decision.held_for is None and (decision.ticket is None) == (anyone is None)
