"""The personal bonus' shortcut (no part applies) gives the figure and the decisions the sum of
its named parts gives, on hypothesis-drawn visitors, counters and rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.core import policy
from counter_server.core.model import Counter, CounterState, Priority, Ticket, TicketKind
from counter_server.core.policy import Rules, choose_next, personal_bonus, personal_bonus_parts

NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
LANGS = ("de", "en", "tr", "ar")
SERVICES = ("ausweis", "pass", "anmeldung")
COUNTER_IDS = ("1", "2", "3")

tickets = st.builds(
    lambda n, service, priority, lang, target, waited, slot_in: Ticket(
        id=f"t{n}", number=f"A{n:03}", service_id=service,
        kind=TicketKind.APPOINTMENT if slot_in is not None else TicketKind.WALK_IN,
        priority=priority, lang=lang, created_at=NOON - timedelta(minutes=waited),
        arrived_at=NOON - timedelta(minutes=waited), office_day=date(2026, 3, 2), public_id=f"p{n}",
        target_counter_id=target,
        appointment_at=NOON + timedelta(minutes=slot_in) if slot_in is not None else None,
    ),
    st.integers(0, 999), st.sampled_from(SERVICES),
    st.sampled_from((Priority.NORMAL, Priority.NORMAL, Priority.ASSIST, Priority.URGENT)),
    st.sampled_from(LANGS), st.sampled_from((None, None, *COUNTER_IDS)),
    st.integers(0, 90), st.one_of(st.none(), st.integers(-60, 60)),
)
counters = st.builds(
    lambda cid, languages, skills: Counter(id=cid, label=cid, skills=skills, state=CounterState.OPEN,
                                           languages=tuple(languages)),
    st.sampled_from(COUNTER_IDS), st.lists(st.sampled_from(LANGS), max_size=3),
    st.dictionaries(st.sampled_from(SERVICES), st.sampled_from((1, 2)), min_size=1),
)
rules = st.builds(
    lambda office_language, assist, target, language: replace(
        Rules(), office_language=office_language, assist_bonus_min=assist, target_bonus_min=target,
        language_bonus_min=language),
    st.sampled_from(("de", "en")), st.sampled_from((0.0, 5.0)), st.sampled_from((0.0, 10.0)),
    st.sampled_from((0.0, 3.0)),
)


def _by_parts(ticket: Ticket, counter: Counter, rules: Rules) -> float:
    return sum(personal_bonus_parts(ticket, counter, rules).values())


@settings(max_examples=500)
@given(ticket=tickets, counter=counters, rules=rules)
def test_the_shortcut_is_the_sum_of_the_parts(ticket: Ticket, counter: Counter, rules: Rules) -> None:
    assert personal_bonus(ticket, counter, rules) == _by_parts(ticket, counter, rules)


@settings(max_examples=200)
@given(waiting=st.lists(tickets, max_size=40, unique_by=lambda t: t.id), counter=counters,
       others=st.lists(counters, max_size=3), rules=rules)
def test_choose_next_decides_as_with_the_sum_of_the_parts(
    waiting: list[Ticket], counter: Counter, others: list[Counter], rules: Rules,
) -> None:
    fast = choose_next(counter, waiting, [counter, *others], NOON, rules)
    original = policy.personal_bonus
    policy.personal_bonus = _by_parts
    try:
        slow = choose_next(counter, waiting, [counter, *others], NOON, rules)
    finally:
        policy.personal_bonus = original
    assert fast == slow
