"""What the core keeps between decisions (issue 15's speed) gives the answers it would work out anew."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from counter_server.core.call_order import CallOrder
from counter_server.core.model import Counter, CounterState
from counter_server.core.policy import Rules, _service_terms, counter_terms, open_counts
from counter_server.core.slot_guard import desks_of, kept_desks_of

from .test_policy import NOON, counter

DURATIONS = {"ausweis": 18.5, "abholung": 4.5}
ONE = counter("1", ausweis=1, abholung=2)
TWO = counter("2", ausweis=1)


def fresh(at: Counter, counters: list[Counter], rules: Rules,
          durations: dict[str, float]) -> tuple[dict[str, timedelta], dict[str, timedelta]]:
    """The terms worked out anew, without the kept ones."""
    return _service_terms(at, open_counts(counters), rules, durations)


def kept(at: Counter, counters: list[Counter], rules: Rules,
         durations: dict[str, float]) -> tuple[dict[str, timedelta], dict[str, timedelta]]:
    terms = counter_terms(at, counters, rules, durations)
    return terms.bonus, terms.due_before


def test_the_same_counters_and_rules_give_the_kept_terms() -> None:
    rules = Rules()
    first = counter_terms(ONE, [ONE, TWO], rules, DURATIONS)
    assert counter_terms(ONE, [ONE, TWO], rules, DURATIONS) is first
    assert (first.bonus, first.due_before) == fresh(ONE, [ONE, TWO], rules, DURATIONS)


def test_terms_follow_open_counters_durations_and_rules() -> None:
    rules = Rules()
    both = counter_terms(ONE, [ONE, TWO], rules, DURATIONS)
    closed = [ONE, replace(TWO, state=CounterState.CLOSED)]  # fewer counters do ID cards: scarcer
    alone = counter_terms(ONE, closed, rules, DURATIONS)
    assert alone.bonus != both.bonus
    assert (alone.bonus, alone.due_before) == fresh(ONE, closed, rules, DURATIONS)
    longer = {**DURATIONS, "abholung": 9.0}
    assert kept(ONE, [ONE, TWO], rules, longer) == fresh(ONE, [ONE, TWO], rules, longer) != kept(
        ONE, [ONE, TWO], rules, DURATIONS)
    other = Rules(scarcity_bonus_min=30.0, appointment_lead_min=10.0)
    assert kept(ONE, closed, other, DURATIONS) == fresh(ONE, closed, other, DURATIONS) != kept(
        ONE, closed, rules, DURATIONS)
    assert kept(ONE, [ONE, TWO], rules, DURATIONS) == (both.bonus, both.due_before)


def test_desks_follow_the_roster() -> None:
    roster = [ONE, TWO]
    assert kept_desks_of(roster) is kept_desks_of([ONE, TWO])
    closed = [ONE, replace(TWO, state=CounterState.CLOSED)]
    assert kept_desks_of(closed) == desks_of(closed) != desks_of(roster)


def test_call_orders_of_the_same_terms_share_their_layout_only() -> None:
    rules = Rules()
    terms = [counter_terms(c, [ONE, TWO], rules, DURATIONS) for c in (ONE, TWO)]
    first = CallOrder(terms=terms, rules=rules, origin=NOON)
    second = CallOrder(terms=terms, rules=rules, origin=NOON)
    assert second._groups is first._groups and second._pools is not first._pools
    closed = [ONE, replace(TWO, state=CounterState.CLOSED)]
    other = CallOrder(terms=[counter_terms(c, closed, rules, DURATIONS) for c in closed], rules=rules, origin=NOON)
    assert other._groups is not first._groups
