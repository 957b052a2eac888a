"""Whether a walk-in ticket is issued, over a literal office and literal moments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_server.core.admission import check_walk_in, refusal_reason
from counter_server.core.errors import DailyCapReached, OfficeClosed, WalkInClosed, WalkInNotAllowed
from counter_server.core.model import Interval, Office, OpeningHours, Service

BERLIN = ZoneInfo("Europe/Berlin")
AUSWEIS = Service(id="ausweis", names={"de": "Personalausweis"}, prefix="A", duration_min=18)
ABHOLUNG = Service(id="abholung", names={"de": "Abholung"}, prefix="B", duration_min=4, daily_walk_in_cap=12)
TRAUUNG = Service(id="trauung", names={"de": "Trauung"}, prefix="T", duration_min=45, walk_in=False)
HOURS = OpeningHours(
    weekly={
        0: (Interval(time(8), time(16)),),
        1: (Interval(time(8), time(12)), Interval(time(13), time(18))),
        6: (Interval(time(1), time(3)),),  # a night span, to meet the clock change in March
    },
    closed_dates=frozenset({date(2026, 12, 24)}),
    last_walk_in_min=30,
)
OFFICE = Office(
    id="rathaus", name="Bürgeramt", timezone="Europe/Berlin", languages=("de",), hours=HOURS,
    services=(AUSWEIS, ABHOLUNG, TRAUUNG), counters=(),
)
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=BERLIN)


def reason(service: Service = AUSWEIS, now: datetime = MONDAY_10, issued: int = 0, office: Office = OFFICE) -> str | None:
    return refusal_reason(office=office, service=service, now=now, issued_today=issued)


def test_a_walk_in_during_opening_hours_is_issued() -> None:
    check_walk_in(office=OFFICE, service=AUSWEIS, now=MONDAY_10, issued_today=200)
    assert reason() is None


def test_an_appointment_only_errand_refuses_walk_ins_even_when_open() -> None:
    with pytest.raises(WalkInNotAllowed) as refused:
        check_walk_in(office=OFFICE, service=TRAUUNG, now=MONDAY_10, issued_today=0)
    assert refused.value.details == {"service_id": "trauung"}
    assert reason(TRAUUNG, now=datetime(2026, 12, 12, 10, 0, tzinfo=BERLIN)) == "walk_in_not_allowed"


def test_before_opening_the_refusal_names_the_next_opening() -> None:
    with pytest.raises(OfficeClosed) as refused:
        check_walk_in(office=OFFICE, service=AUSWEIS, now=MONDAY_10.replace(hour=7), issued_today=0)
    assert refused.value.details == {"next_opening": "2026-12-07T08:00:00+01:00"}


def test_the_lunch_break_refuses_and_points_to_the_afternoon() -> None:
    with pytest.raises(OfficeClosed) as refused:
        check_walk_in(office=OFFICE, service=AUSWEIS, now=datetime(2026, 12, 8, 12, 15, tzinfo=BERLIN), issued_today=0)
    assert refused.value.details == {"next_opening": "2026-12-08T13:00:00+01:00"}
    # the last walk-in counts from the day's end, not from the lunch break
    assert reason(now=datetime(2026, 12, 8, 11, 50, tzinfo=BERLIN)) is None


def test_a_closed_date_and_the_weekend_refuse_as_closed() -> None:
    christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=BERLIN)
    saturday = datetime(2026, 12, 12, 10, 0, tzinfo=BERLIN)
    assert reason(now=christmas_eve) == "office_closed"
    assert reason(now=saturday) == "office_closed"


def test_walk_ins_stop_the_set_minutes_before_closing() -> None:
    assert reason(now=MONDAY_10.replace(hour=15, minute=29, second=59)) is None
    with pytest.raises(WalkInClosed) as refused:
        check_walk_in(office=OFFICE, service=AUSWEIS, now=MONDAY_10.replace(hour=15, minute=30), issued_today=0)
    assert refused.value.details == {"walk_in_until": "2026-12-07T15:30:00+01:00"}


def test_with_no_last_walk_in_margin_tickets_are_issued_until_closing() -> None:
    office = replace(OFFICE, hours=replace(HOURS, last_walk_in_min=0))
    assert reason(now=MONDAY_10.replace(hour=15, minute=59), office=office) is None
    assert reason(now=MONDAY_10.replace(hour=16), office=office) == "office_closed"


def test_the_daily_cap_refuses_the_ticket_after_the_last_one_allowed() -> None:
    assert reason(ABHOLUNG, issued=11) is None
    with pytest.raises(DailyCapReached) as refused:
        check_walk_in(office=OFFICE, service=ABHOLUNG, now=MONDAY_10, issued_today=12)
    assert refused.value.details == {"service_id": "abholung", "cap": 12}


def test_a_closed_office_is_the_reason_before_a_full_cap() -> None:
    assert reason(ABHOLUNG, now=MONDAY_10.replace(hour=17), issued=12) == "office_closed"


def test_the_last_walk_in_is_real_minutes_before_a_closing_after_the_clocks_went_forward() -> None:
    # 01:45 CET on 2026-03-29: the clock jumps to 03:00 at 02:00, so the office closes in 15 minutes
    assert reason(now=datetime(2026, 3, 29, 0, 45, tzinfo=UTC)) == "walk_in_closed"
    assert reason(now=datetime(2026, 3, 29, 0, 25, tzinfo=UTC)) is None


@given(cap=st.one_of(st.none(), st.integers(0, 50)), issued=st.integers(0, 60),
       minutes=st.integers(0, 7 * 60 + 29))
def test_while_walk_ins_are_open_only_the_cap_refuses(cap: int | None, issued: int, minutes: int) -> None:
    service = Service(id="x", names={"de": "X"}, prefix="X", duration_min=10, daily_walk_in_cap=cap)
    now = MONDAY_10.replace(hour=8) + timedelta(minutes=minutes)
    expected = "daily_cap_reached" if cap is not None and issued >= cap else None
    assert reason(service, now=now, issued=issued) == expected
