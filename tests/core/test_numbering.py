from datetime import UTC, date, datetime, timedelta

import pytest

from counter_server.core.errors import NumbersExhausted
from counter_server.core.model import Service
from counter_server.core.numbering import next_leased_number, next_number, office_day

AUSWEIS = Service(id="ausweis", names={"de": "Personalausweis"}, prefix="A", duration_min=18)
BERLIN = "Europe/Berlin"


def test_first_number_of_the_day() -> None:
    assert next_number(AUSWEIS, date(2026, 12, 1), []) == "A001"


def test_continues_after_highest_used_number_of_its_prefix() -> None:
    used = ["A001", "A007", "B012", "A003"]
    assert next_number(AUSWEIS, date(2026, 12, 1), used) == "A008"


def test_restart_reads_the_same_used_numbers_and_never_repeats() -> None:
    used = [f"A{n:03d}" for n in range(1, 42)]
    after_restart = next_number(AUSWEIS, date(2026, 12, 1), list(reversed(used)))
    assert after_restart == "A042"
    assert after_restart not in used


def test_exhausted_prefix_is_a_named_error() -> None:
    with pytest.raises(NumbersExhausted):
        next_number(AUSWEIS, date(2026, 12, 1), ["A899"])
    with pytest.raises(NumbersExhausted):
        next_leased_number(AUSWEIS, date(2026, 12, 1), [f"A{n}" for n in range(900, 1000)])


def test_a_leased_number_given_back_unspent_is_leased_again() -> None:
    # a kiosk returned A901 without issuing it: nobody holds it, another kiosk may
    assert next_leased_number(AUSWEIS, date(2026, 12, 1), ["A900", "A902", "A999"]) == "A901"


def test_leased_numbers_have_their_own_block_and_leave_no_gap_in_the_day() -> None:
    day = date(2026, 12, 1)
    leased = [next_leased_number(AUSWEIS, day, [])]
    leased.append(next_leased_number(AUSWEIS, day, ["A001", *leased]))
    assert leased == ["A900", "A901"]
    assert next_number(AUSWEIS, day, ["A001", *leased]) == "A002"


def test_office_day_changes_at_local_midnight_not_utc() -> None:
    before = datetime(2026, 12, 1, 22, 59, tzinfo=UTC)  # 23:59 in Berlin
    after = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 00:00 in Berlin
    assert office_day(before, BERLIN) == date(2026, 12, 1)
    assert office_day(after, BERLIN) == date(2026, 12, 2)


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_dst_days_are_one_day_each_hour_by_hour(day: date) -> None:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=3)
    days = {office_day(start + timedelta(minutes=15 * i), BERLIN) for i in range(4 * 30)}
    assert days == {day - timedelta(days=1), day, day + timedelta(days=1)}


def test_dst_day_numbers_restart_once() -> None:
    # On the autumn change 02:00-03:00 happens twice; the office day is still one day.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert office_day(first, BERLIN) == office_day(second, BERLIN) == date(2026, 10, 25)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        office_day(datetime(2026, 12, 1, 9, 0), BERLIN)


def test_each_kiosk_holds_a_share_of_the_day_within_its_fair_part_of_the_block() -> None:
    from counter_server.core.leasing import lease_size

    # 400 expected walk-ins, a tenth kept for outages, over four kiosks: 10 each
    assert lease_size(expected=400, kiosks=4, share=0.1, minimum=5, spent_in_block=0) == 10
    # a quiet errand still gets the minimum
    assert lease_size(expected=20, kiosks=4, share=0.1, minimum=5, spent_in_block=0) == 5
    # one kiosk in a busy office: its share, never more than the block
    assert lease_size(expected=5000, kiosks=1, share=0.1, minimum=5, spent_in_block=0) == 100
    # after an outage used 88 of the block, four kiosks share the 12 left
    assert lease_size(expected=400, kiosks=4, share=0.1, minimum=5, spent_in_block=88) == 3
    assert lease_size(expected=400, kiosks=4, share=0.1, minimum=5, spent_in_block=100) == 0
