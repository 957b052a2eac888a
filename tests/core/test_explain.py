"""Why the policy proposes a visitor next, over literal tickets (issue 12, item 9)."""

from __future__ import annotations

from datetime import timedelta

from counter_server.core.explain import Reason, explain_choice
from counter_server.core.model import Priority, Ticket
from counter_server.core.policy import choose_next
from tests.core.test_policy import NOON, ONE, RULES, counter, ticket


def why(waiting: list[Ticket], at: object = ONE, durations: dict[str, float] | None = None) -> Reason:
    assert at is not None
    chosen = choose_next(at, waiting, [at], NOON, RULES, durations=durations)  # type: ignore[arg-type]
    assert chosen is not None
    return explain_choice(chosen, at, waiting, [at], NOON, RULES, durations=durations)  # type: ignore[arg-type]


def test_the_longest_waiting_walk_in() -> None:
    assert why([ticket("a", waited=3), ticket("b", waited=9)]) == Reason("longest_wait", waited_min=9)


def test_a_language_the_clerk_speaks_puts_a_visitor_ahead() -> None:
    turkish = counter("1", languages=("tr",), ausweis=1)
    reason = why([ticket("a1", waited=8), ticket("a2", waited=7), ticket("a3", waited=5, lang="tr")], at=turkish)
    assert reason == Reason("language", waited_min=5, lang="tr")


def test_assist_urgent_and_a_booked_visitor() -> None:
    assert why([ticket("a", waited=12), ticket("b", waited=5, priority=Priority.ASSIST)]).code == "assist"
    assert why([ticket("a", waited=40), ticket("u", priority=Priority.URGENT)]).code == "urgent"
    booked = why([ticket("walk", waited=10), ticket("booked", slot_in=1)])
    assert booked == Reason("appointment", appointment_at=NOON + timedelta(minutes=1))
    assert why([ticket("early", slot_in=40)]).code == "appointment_early"
    assert why([ticket("walk", waited=10), ticket("late", slot_in=-3)]).code == "appointment_late"


def test_a_walk_in_past_the_cap_is_overdue() -> None:
    assert why([ticket("old", waited=30), ticket("booked", slot_in=1)]) == Reason("overdue", waited_min=30)


def test_the_counters_primary_errand() -> None:
    both = counter("1", ausweis=2, pass_=1)
    assert why([ticket("a", "ausweis", waited=6), ticket("p", "pass_", waited=4)], at=both).code == "primary"
