"""The adaptive default calls out of order only to keep a slot, and the clerk's view says why."""

from __future__ import annotations

from tests.api.test_slot_guard import COUNTER, book_pickup, open_clerk, press_next
from tests.conftest import ServerFactory
from tests.office import check_in


def plain_ranking(text: str) -> str:
    """No errand bonuses: the policy alone would call strictly in arrival order."""
    for line in ("short_service_bonus = 1", "scarcity_bonus_min = 16", "primary_bonus_min = 4"):
        assert line in text
        text = text.replace(line, line.split("=")[0] + "= 0")
    return text


def test_a_short_errand_before_a_slot_only_this_counter_keeps_says_why(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=plain_ranking)
    pickup = book_pickup(server)  # a pick-up booked a few minutes from now, not here yet
    card = check_in(server, service_id="ausweis")  # 18 minutes: would end long after the slot
    short = check_in(server, service_id="abholung")  # came later, ends before the slot
    clerk = open_clerk(server)

    view = clerk.get(f"/api/v1/counters/{COUNTER}/queue").json()
    assert [t["number"] for t in view["waiting"]][:2] == [card["number"], short["number"]]
    assert view["next"]["id"] == short["id"]
    assert view["next_reason"]["code"] == "slot_guard_short"
    assert view["next_reason"]["appointment_at"] == pickup["start"]
    assert view["held_for"] is None

    called = press_next(clerk)
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["id"] == short["id"]
