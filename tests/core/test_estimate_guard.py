"""The estimate's forward run applies the slot guard as the live policy does.

A replay of the live policy (choose_guarding_slots, decision by decision, with
the mean service times coming true) must call every ticket at the minute the
estimate gives, with the adaptive default on; and where the guard gives a
counter to a booked visitor, the walk-ins' estimates move accordingly.
"""

from __future__ import annotations

import heapq
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.core.estimate import (
    QueueState,
    ServiceStats,
    Upcoming,
    estimate_waits,
    remaining_min,
)
from counter_server.core.model import Counter, Ticket
from counter_server.core.policy import Rules
from counter_server.core.slot_guard import Outlook, choose_guarding_slots

from .test_policy import NOON, counter, ticket

ADAPTIVE = Rules()
OFF = Rules(adaptive_slots=False)
DURATIONS = {"ausweis": 18.5, "abholung": 4.5, "anmeldung": 12.5}
# mean times only, unscaled: the estimate is the run itself
MEANS = ServiceStats(mean_min=DURATIONS, configured_min=DURATIONS, pace=1.0, samples=0)
PICKUP = counter("1", ausweis=1, abholung=2)
CARDS = counter("2", ausweis=1)


def minutes(waiting: list[Ticket], counters: list[Counter], rules: Rules, busy: dict[str, float] | None = None,
            upcoming: list[Upcoming] | None = None) -> dict[str, float]:
    state = QueueState(waiting=waiting, counters=counters, busy_for_min=busy or {}, rules=rules,
                       upcoming=upcoming or [])
    return {t: e.minutes for t, e in estimate_waits(state, NOON, MEANS).items()}


def test_a_walk_in_waits_while_the_counter_goes_to_a_late_booked_visitor() -> None:
    # booked for a pick-up 5 minutes ago, checked in late: only the pick-up desk can take them
    late = ticket("late", "abholung", waited=2, slot_in=-5)
    # both walk-ins past the cap: the guard does not spare the first (it would the only one)
    waiting = [ticket("card", waited=35), late, ticket("next", waited=30)]
    off = minutes(waiting, [PICKUP, CARDS], OFF)
    # the ranking alone: the pick-up desk takes the long-waiting card, the card desk the next one
    assert off == {"card": 0.0, "next": 0.0, "late": 18.5}
    on = minutes(waiting, [PICKUP, CARDS], ADAPTIVE)
    # the guard gives the pick-up desk to the late booked visitor; the card goes to the other desk,
    # and the next walk-in waits for the pick-up desk after the pick-up
    assert on == {"late": 0.0, "card": 0.0, "next": 4.5}
    assert replay(waiting, [PICKUP, CARDS], ADAPTIVE, {}) == on


def test_a_short_errand_goes_first_when_a_booked_visitor_is_about_to_come() -> None:
    # a pick-up booked in 6 minutes, not here yet; the card desk is busy for long
    # (the card stays below the walk-in cap until the booked visitor is called: the guard
    # leaves the only walk-in past the cap alone)
    waiting = [ticket("card", waited=22), ticket("pickup", "abholung", waited=2)]
    coming = [Upcoming("abholung", NOON + timedelta(minutes=6), show_probability=1.0)]
    off = minutes(waiting, [PICKUP, CARDS], OFF, busy={"2": 30.0}, upcoming=coming)
    on = minutes(waiting, [PICKUP, CARDS], ADAPTIVE, busy={"2": 30.0}, upcoming=coming)
    # the ranking alone: the card first, the pick-up after the card and the booked pick-up
    assert off == {"card": 0.0, "pickup": 23.0}
    # the guard: the pick-up ends before the slot, then the booked visitor, then the card
    assert on == {"pickup": 0.0, "card": 9.0}


def test_a_walk_in_waits_while_a_booked_visitor_who_is_here_goes_first_before_the_slot() -> None:
    # an ID card booked in 7 minutes, here; the other card desk is busy for 30 minutes
    waiting = [ticket("card", waited=20), ticket("booked", waited=3, slot_in=7)]
    off = minutes(waiting, [PICKUP, CARDS], OFF, busy={"2": 30.0})
    three = minutes(waiting, [PICKUP, CARDS], Rules(adaptive_call_early_min=3), busy={"2": 30.0})
    on = minutes(waiting, [PICKUP, CARDS], ADAPTIVE, busy={"2": 30.0})
    # the ranking alone and the rule before: the card first, the booked visitor after it
    assert off == three == {"card": 0.0, "booked": 18.5}
    # the adaptive default (within adaptive_call_early_min = 8 of the slot, the card below the cap): the booked visitor now
    assert on == {"booked": 0.0, "card": 18.5}
    assert replay(waiting, [PICKUP, CARDS], ADAPTIVE, {"2": 30.0}) == on


def replay(waiting: list[Ticket], counters: list[Counter], rules: Rules, busy: dict[str, float]) -> dict[str, float]:
    """The live policy, decision by decision, each case taking its mean time; minute of each call.

    The outlook is the server's (busy_for): a counter on a case called in the replay is
    expected free after the rest of that case given how long it has run (remaining_min),
    one busy from the start after `busy`; one whose case has ended is free.
    """
    free = [(busy.get(c.id, 0.0), index) for index, c in enumerate(counters)]
    heapq.heapify(free)
    until = {c.id: busy.get(c.id, 0.0) for c in counters}
    began: dict[str, tuple[str, float]] = {}  # counter id -> (service, minute) of a case called in the replay
    left, calls = list(waiting), {}

    def busy_for(counter_id: str, at: float) -> float:
        if counter_id in began:
            service, start = began[counter_id]
            return remaining_min(service_id=service, elapsed_min=at - start, stats=MEANS)
        return until[counter_id] - at

    while free and left:
        at, index = heapq.heappop(free)
        now = NOON + timedelta(minutes=at)
        outlook = Outlook(busy_for_min={c: busy_for(c, at) for c, u in until.items() if u > at}, booked=[])
        chosen = choose_guarding_slots(counters[index], left, counters, now, rules, durations=DURATIONS,
                                       outlook=outlook).ticket
        if chosen is None:
            continue  # nobody for this counter ever again (no wake-ups: every ticket is due or walked in)
        left.remove(chosen)
        calls[chosen.id] = at
        until[counters[index].id] = at + DURATIONS[chosen.service_id]
        began[counters[index].id] = (chosen.service_id, at)
        heapq.heappush(free, (until[counters[index].id], index))
    return calls


SERVICES = list(DURATIONS)


@st.composite
def offices(draw: st.DrawFn) -> tuple[list[Ticket], list[Counter], dict[str, float]]:
    desks = [counter(str(i), **{s: 1 for s in draw(st.sets(st.sampled_from(SERVICES), min_size=1))})
             for i in range(draw(st.integers(1, 4)))]
    waiting = []
    for i in range(draw(st.integers(0, 12))):
        service = draw(st.sampled_from(SERVICES))
        waited = draw(st.integers(0, 80)) / 2
        # booked visitors whose slot is due already (the replay has no wake-ups), early or late
        slot = draw(st.none() | st.integers(-20, 0).map(lambda m: m / 2))
        waiting.append(ticket(f"t{i}", service, waited=waited, slot_in=slot))
    busy = {d.id: draw(st.sampled_from((0.0, 2.5, 9.0, 20.0))) for d in desks}
    return waiting, desks, busy


@settings(max_examples=150, deadline=None)
@given(office=offices(), rules=st.sampled_from((ADAPTIVE, OFF, Rules(adaptive_promise_min=8.0),
                                                 Rules(adaptive_call_min=8), Rules(adaptive_call_early_min=3),
                                                 Rules(adaptive_booked_first_min=6))))
def test_the_estimate_calls_everyone_when_the_live_policy_would(
    office: tuple[list[Ticket], list[Counter], dict[str, float]], rules: Rules,
) -> None:
    waiting, desks, busy = office
    assert minutes(waiting, desks, rules, busy) == replay(waiting, desks, rules, busy)


def test_the_runs_guard_expects_a_long_running_case_to_go_on_as_the_live_outlook_does() -> None:
    # the card desk takes a card now; the pick-up desk is busy for 15 minutes, then a card
    # walk-in waits, and a booked card visitor (here already) is due at 18 (deadline 22)
    waiting = [ticket("c1", waited=6), ticket("c2", waited=5), ticket("b", waited=3, slot_in=18)]
    on = minutes(waiting, [PICKUP, CARDS], ADAPTIVE, busy={"1": 15.0})
    # At 15 the card desk's card has run 15 of its 18.5 mean minutes: the live outlook
    # (busy_for) expects it to go on for about 10 more, past the deadline, so the pick-up
    # desk takes the booked visitor (3 minutes before the slot, the card below the cap);
    # the mean alone would have the card desk free at 18.5 and the walk-in go first.
    assert on == {"c1": 0.0, "b": 15.0, "c2": 18.5}
    assert replay(waiting, [PICKUP, CARDS], ADAPTIVE, {"1": 15.0}) == on
