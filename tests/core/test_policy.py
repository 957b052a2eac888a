"""The queue policy over literal tickets and counters."""

from __future__ import annotations

import tomllib
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from counter_server.config.clerk import policy_table
from counter_server.core import lifecycle
from counter_server.core.baselines import dedicated_next, fcfs_next, longest_queue_next
from counter_server.core.model import (
    Counter,
    CounterState,
    Priority,
    Ticket,
    TicketKind,
    TicketState,
)
from counter_server.core.policy import Rules, choose_next, rules_from_mapping

NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
RULES = Rules()


def ticket(
    name: str, service: str = "ausweis", *, waited: float = 0, slot_in: float | None = None,
    priority: Priority = Priority.NORMAL, lang: str = "de",
) -> Ticket:
    arrived = NOON - timedelta(minutes=waited)
    return Ticket(
        id=name, number=name, service_id=service,
        kind=TicketKind.APPOINTMENT if slot_in is not None else TicketKind.WALK_IN,
        priority=priority, lang=lang, created_at=arrived, arrived_at=arrived,
        office_day=date(2026, 3, 2), public_id=name,
        appointment_at=NOON + timedelta(minutes=slot_in) if slot_in is not None else None,
    )


def counter(cid: str, state: CounterState = CounterState.OPEN, languages: tuple[str, ...] = (),
            **skills: int) -> Counter:
    return Counter(id=cid, label=f"Schalter {cid}", skills=skills, state=state, languages=languages)


ONE = counter("1", ausweis=1, pass_=2)


def pick(waiting: list[Ticket], at: Counter = ONE, counters: list[Counter] | None = None,
         rules: Rules = RULES) -> str | None:
    chosen = choose_next(at, waiting, counters or [at], NOON, rules)
    return chosen.id if chosen else None


def test_longest_waiting_walk_in_first() -> None:
    assert pick([ticket("a", waited=3), ticket("b", waited=9), ticket("c", waited=5)]) == "b"


def test_nobody_waiting_for_this_counter() -> None:
    assert pick([ticket("a", "anmeldung", waited=30)]) is None


def test_paused_and_closed_counters_call_nobody() -> None:
    for state in (CounterState.PAUSED, CounterState.CLOSED):
        assert pick([ticket("a", waited=3)], at=replace(ONE, state=state)) is None


def test_urgent_before_everyone() -> None:
    waiting = [ticket("old", waited=80), ticket("late", slot_in=-20),
               ticket("urgent", waited=1, priority=Priority.URGENT)]
    assert pick(waiting) == "urgent"


def test_due_booked_visitor_before_walk_ins_within_the_weight() -> None:
    assert pick([ticket("walk", waited=15), ticket("booked", slot_in=1)]) == "booked"


def test_walk_in_past_the_cap_before_a_due_booked_visitor() -> None:
    assert pick([ticket("walk", waited=31), ticket("booked", slot_in=0)]) == "walk"


def test_booked_visitor_past_the_late_limit_before_a_capped_walk_in() -> None:
    # the booked visitor's deadline (slot + 1) passed before the walk-in's (arrival + 30)
    assert pick([ticket("walk", waited=35), ticket("booked", slot_in=-10)]) == "booked"


def test_early_booked_visitor_only_when_nobody_else_waits() -> None:
    assert pick([ticket("walk", waited=0), ticket("early", slot_in=40)]) == "walk"
    assert pick([ticket("early", slot_in=40)]) == "early"
    assert pick([ticket("early", slot_in=40)], rules=Rules(call_early_appointments=False)) is None


def test_booked_visitor_of_a_scarce_service_is_due_earlier() -> None:
    hold_early = Rules(call_early_appointments=False)
    booked = [ticket("booked", slot_in=21)]
    # lead 20 min / 1 open counter: due 22 min before the slot
    assert pick(booked, rules=hold_early) == "booked"
    # five open counters: due only 6 min before
    others = [counter(str(i), ausweis=1) for i in range(2, 6)]
    assert pick(booked, counters=[ONE, *others], rules=hold_early) is None


def test_primary_service_preferred_over_a_slightly_older_secondary() -> None:
    at = counter("1", ausweis=1, anmeldung=2)
    assert pick([ticket("sec", "anmeldung", waited=8), ticket("pri", waited=6)], at=at) == "pri"
    assert pick([ticket("sec", "anmeldung", waited=20), ticket("pri", waited=6)], at=at) == "sec"


def test_scarce_service_not_left_behind_by_a_generalist() -> None:
    generalist = counter("1", ausweis=1, abholung=1)
    others = [counter(str(i), ausweis=1) for i in range(2, 6)]
    waiting = [ticket("common", waited=10), ticket("scarce", "abholung", waited=8)]
    assert pick(waiting, at=generalist, counters=[generalist, *others]) == "scarce"


def test_assist_and_language_bonuses() -> None:
    assert pick([ticket("a", waited=10), ticket("help", waited=5, priority=Priority.ASSIST)]) == "help"
    speaks = counter("1", languages=("tr",), ausweis=1)
    waiting = [ticket("de", waited=8), ticket("tr", waited=5, lang="tr")]
    assert pick(waiting, at=speaks) == "tr"
    assert pick(waiting) == "de"


def test_ticket_sent_to_another_counter_is_not_taken() -> None:
    sent = replace(ticket("sent", waited=10), target_counter_id="2")
    assert pick([sent, ticket("mine", waited=1)]) == "mine"
    assert pick([replace(sent, target_counter_id="1"), ticket("other", waited=20)]) == "sent"


def test_transfer_keeps_the_original_arrival() -> None:
    first = lifecycle.call(ticket("moved", "anmeldung", waited=25), counter_id="4", now=NOON)
    moved = lifecycle.transfer(first, now=NOON, service_id="ausweis")
    assert pick([ticket("newer", waited=20), moved]) == "moved"


def test_parked_and_called_tickets_are_not_called() -> None:
    parked = replace(ticket("p", waited=60), state=TicketState.PARKED)
    called = replace(ticket("c", waited=60), state=TicketState.CALLED)
    assert pick([parked, called]) is None


def test_baselines_serve_due_booked_first_and_hold_early_ones() -> None:
    waiting = [ticket("walk", waited=60), ticket("booked", slot_in=2), ticket("early", slot_in=10)]
    for baseline in (fcfs_next, longest_queue_next, dedicated_next):
        assert baseline(ONE, waiting, [ONE], NOON, RULES) is waiting[1]
    assert fcfs_next(ONE, [waiting[2]], [ONE], NOON, RULES) is None


def test_longest_waiting_of_a_long_queue() -> None:
    waiting = [ticket(str(i), waited=i * 0.1) for i in range(300)]
    assert pick(waiting) == "299"


def test_rules_from_mapping_reads_every_setting() -> None:
    rules = rules_from_mapping({"walk_in_max_wait_min": 30, "call_early_appointments": False,
                                "office_language": "de"})
    assert rules.walk_in_max_wait_min == 30.0
    assert rules.call_early_appointments is False
    assert rules_from_mapping({}) == Rules()


@pytest.mark.parametrize(("table", "field"), [
    ({"walk_in_max_wait": 30}, "walk_in_max_wait"),
    ({"walk_in_max_wait_min": "soon"}, "walk_in_max_wait_min"),
    ({"primary_bonus_min": -1}, "primary_bonus_min"),
    ({"call_early_appointments": 1}, "call_early_appointments"),
    ({"assist_bonus_min": True}, "assist_bonus_min"),
])
def test_rules_from_mapping_names_the_bad_field(table: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        rules_from_mapping(table)


def test_short_service_preferred_by_its_configured_duration() -> None:
    at = counter("1", ausweis=1, abholung=1)
    waiting = [ticket("long", waited=10), ticket("short", "abholung", waited=1)]
    durations = {"ausweis": 18.5, "abholung": 4.5}
    # 14 minutes shorter: worth 14 minutes of waiting
    assert choose_next(at, waiting, [at], NOON, RULES, durations=durations).id == "short"
    assert choose_next(at, waiting, [at], NOON, RULES).id == "long"
    waiting[0] = ticket("long", waited=16)
    assert choose_next(at, waiting, [at], NOON, RULES, durations=durations).id == "long"


def test_demo_office_lists_every_rule_with_its_default() -> None:
    demo = Path(__file__).resolve().parents[2] / "counter_server" / "demo_office.toml"
    # [queue] also holds what the clerk's Next does (counter_server/config/clerk.py)
    table = policy_table(tomllib.loads(demo.read_text(encoding="utf-8"))["queue"])
    assert set(table) == {f.name for f in fields(Rules)}
    assert rules_from_mapping(table) == Rules()
