"""Slot computation, booking codes and arrival windows as plain functions over literal data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.core.appointments import (
    Appointment,
    AppointmentAlreadyCheckedIn,
    AppointmentCancelled,
    AppointmentStatus,
    AppointmentTooEarly,
    AppointmentTooLate,
    ArrivalWindow,
    check_arrival,
    is_no_show,
)
from counter_server.core.booking_code import (
    ALPHABET,
    code_from_random,
    display_code,
    normalize_code,
)
from counter_server.core.model import Counter, Interval, Office, OpeningHours, Service
from counter_server.core.slots import (
    Booking,
    Slot,
    SlotRules,
    SlotUnavailable,
    choose_counter,
    free_slots,
    place_booking,
)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 12, 7)
EARLY = datetime(2026, 1, 1, tzinfo=UTC)
FULL = SlotRules(share=1.0)
AUSWEIS = Service(id="ausweis", names={"de": "Ausweis"}, prefix="A", duration_min=18, slot_min=20)
PASS = Service(
    id="pass", names={"de": "Reisepass"}, prefix="P", duration_min=18, slot_min=15, slots=2
)


def office(
    *,
    spans: tuple[Interval, ...] = (Interval(time(8), time(12)),),
    counters: tuple[Counter, ...] = (
        Counter(id="1", label="Schalter 1", skills={"ausweis": 1, "pass": 1}),
    ),
    closed: frozenset[date] = frozenset(),
) -> Office:
    return Office(
        id="test",
        name="Test",
        timezone="Europe/Berlin",
        languages=("de",),
        hours=OpeningHours(weekly={d: spans for d in range(7)}, closed_dates=closed),
        services=(AUSWEIS, PASS),
        counters=counters,
    )


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


def slots(
    the_office: Office,
    service: Service = AUSWEIS,
    *,
    day: date = MONDAY,
    booked: tuple[Booking, ...] = (),
    rules: SlotRules = FULL,
    now: datetime = EARLY,
) -> list[Slot]:
    return free_slots(
        office=the_office, service=service, day=day, booked=booked, rules=rules, now=now
    )


def book_all(
    the_office: Office, service: Service, rules: SlotRules, day: date = MONDAY
) -> list[Booking]:
    """Book the first free slot again and again until nothing is left."""
    booked: list[Booking] = []
    while found := slots(the_office, service, day=day, booked=tuple(booked), rules=rules):
        first = found[0]
        booked.append(Booking(first.counter_ids[0], first.start, first.end))
    return booked


def test_full_share_offers_every_slot_of_the_span() -> None:
    starts = [s.start for s in slots(office())]
    assert starts == [at(8) + timedelta(minutes=20 * i) for i in range(12)]


def test_slots_end_inside_the_span() -> None:
    assert slots(office())[-1].end == at(12)


def test_half_share_books_at_most_half_of_each_window() -> None:
    booked = book_all(office(), AUSWEIS, SlotRules(share=0.5, window_min=120))
    assert len(booked) == 6  # 3 x 20 min in each two-hour window
    for window_start in (at(8), at(10)):
        inside = [b for b in booked if window_start <= b.start < window_start + timedelta(hours=2)]
        assert sum((b.end - b.start for b in inside), timedelta()) <= timedelta(minutes=60)


def test_zero_share_offers_nothing() -> None:
    assert slots(office(), rules=SlotRules(share=0.0)) == []


def test_two_slot_service_takes_two_slots() -> None:
    found = slots(office(), PASS)
    assert found[0].end - found[0].start == timedelta(minutes=30)
    assert found[-1].start == at(11, 30)
    assert len(found) == 15  # every quarter hour from 08:00 to 11:30


def test_two_slot_booking_blocks_both_of_its_slots() -> None:
    booked = (Booking("1", at(9), at(9, 30)),)
    starts = {s.start for s in slots(office(), PASS, booked=booked)}
    assert at(8, 30) in starts and at(9, 30) in starts
    assert not starts & {at(8, 45), at(9), at(9, 15)}


def test_two_slot_service_fits_a_small_share_only_across_two_windows() -> None:
    # 24 reserved minutes per two-hour window: 30 minutes fit only split 15 + 15.
    assert [s.start for s in slots(office(), PASS, rules=SlotRules(share=0.2))] == [at(9, 45)]
    assert slots(office(), PASS, rules=SlotRules(share=0.1)) == []


def test_lunch_break_is_never_booked() -> None:
    spans = (Interval(time(8), time(12)), Interval(time(13), time(16)))
    found = slots(office(spans=spans), PASS)
    assert at(11, 30) in {s.start for s in found}
    assert all(not (s.start < at(13) and s.end > at(12)) for s in found)
    assert at(13) in {s.start for s in found}


def test_closed_days_offer_nothing() -> None:
    assert slots(office(closed=frozenset({MONDAY}))) == []
    weekend = Office(
        **{**office().__dict__, "hours": OpeningHours(weekly={0: (Interval(time(8), time(9)),)})}
    )
    assert slots(weekend, day=date(2026, 12, 8)) == []


def test_past_start_times_are_not_offered() -> None:
    found = slots(office(), now=at(10, 5))
    assert found[0].start == at(10, 20)


def test_only_counters_with_the_skill_are_used() -> None:
    counters = (
        Counter(id="1", label="1", skills={"ausweis": 1}),
        Counter(id="2", label="2", skills={"pass": 1}),
    )
    assert {c for s in slots(office(counters=counters), AUSWEIS) for c in s.counter_ids} == {"1"}


def test_primary_skill_is_preferred_then_the_counter_with_more_time_left() -> None:
    counters = (
        Counter(id="1", label="1", skills={"ausweis": 2}),
        Counter(id="2", label="2", skills={"ausweis": 1}),
        Counter(id="3", label="3", skills={"ausweis": 1}),
    )
    the_office = office(counters=counters)
    assert slots(the_office)[0].counter_ids == ("2", "3", "1")
    booked = (Booking("2", at(8), at(8, 20)),)
    assert slots(the_office, booked=booked)[0].counter_ids[0] == "3"


def test_full_day_fills_every_counter_and_never_overbooks() -> None:
    counters = tuple(
        Counter(id=str(i), label=str(i), skills={"ausweis": 1, "pass": 1}) for i in range(3)
    )
    spans = (Interval(time(8), time(12)), Interval(time(13), time(18)))
    the_office = office(spans=spans, counters=counters)
    rules = SlotRules(share=0.5, window_min=120)
    booked = book_all(the_office, PASS, rules)
    booked += book_all_with(the_office, AUSWEIS, rules, booked)
    assert slots(the_office, AUSWEIS, booked=tuple(booked), rules=rules) == []
    assert_never_overbooked(booked, rules, spans)


def book_all_with(
    the_office: Office, service: Service, rules: SlotRules, already: list[Booking]
) -> list[Booking]:
    booked = list(already)
    while found := slots(the_office, service, booked=tuple(booked), rules=rules):
        booked.append(Booking(found[0].counter_ids[0], found[0].start, found[0].end))
    return booked[len(already) :]


def assert_never_overbooked(
    booked: list[Booking], rules: SlotRules, spans: tuple[Interval, ...]
) -> None:
    by_counter: dict[str, list[Booking]] = {}
    for b in booked:
        by_counter.setdefault(b.counter_id, []).append(b)
    for mine in by_counter.values():
        mine.sort(key=lambda b: b.start)
        assert all(a.end <= b.start for a, b in zip(mine, mine[1:], strict=False))
        for span in spans:
            window_start, span_end = (
                at(span.start.hour, span.start.minute),
                at(span.end.hour, span.end.minute),
            )
            while window_start < span_end:
                window_end = min(window_start + timedelta(minutes=rules.window_min), span_end)
                used = sum(
                    (
                        min(b.end, window_end) - max(b.start, window_start)
                        for b in mine
                        if b.start < window_end and b.end > window_start
                    ),
                    timedelta(),
                )
                assert used <= (window_end - window_start) * rules.share
                window_start = window_end


@settings(max_examples=60, deadline=None)
@given(
    share=st.sampled_from([0.25, 0.4, 0.5, 0.75, 1.0]),
    window_min=st.sampled_from([30, 60, 120, 240]),
    picks=st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=50)), max_size=40),
)
def test_any_booking_order_never_overbooks(
    share: float, window_min: int, picks: list[tuple[bool, int]]
) -> None:
    counters = tuple(
        Counter(id=str(i), label=str(i), skills={"ausweis": 1, "pass": 2}) for i in range(2)
    )
    the_office = office(counters=counters)
    rules = SlotRules(share=share, window_min=window_min)
    booked: list[Booking] = []
    for is_pass, index in picks:
        found = slots(the_office, PASS if is_pass else AUSWEIS, booked=tuple(booked), rules=rules)
        if found:
            slot = found[index % len(found)]
            booked.append(Booking(slot.counter_ids[-1], slot.start, slot.end))
    assert_never_overbooked(booked, rules, (Interval(time(8), time(12)),))


def test_spring_forward_day_has_its_real_length() -> None:
    spans = (Interval(time(0), time(6)),)
    day = date(2026, 3, 29)
    found = slots(office(spans=spans), day=day)
    assert len(found) == 15  # five real hours, not six
    assert found[0].start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert found[-1].end == datetime(2026, 3, 29, 4, 0, tzinfo=UTC)
    assert len({s.start for s in found}) == len(found)


def test_fall_back_day_has_its_real_length() -> None:
    spans = (Interval(time(0), time(6)),)
    found = slots(office(spans=spans), day=date(2026, 10, 25))
    assert len(found) == 21  # seven real hours
    starts = [s.start for s in found]
    assert starts == sorted(set(starts))


def test_ordinary_hours_on_a_dst_day() -> None:
    found = slots(office(), day=date(2026, 3, 29))
    assert found[0].start == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST


def test_choose_counter_returns_the_slot_or_refuses() -> None:
    the_office = office()
    slot = choose_counter(
        office=the_office, service=AUSWEIS, start=at(9), booked=(), rules=SlotRules(), now=EARLY
    )
    assert slot.counter_ids[0] == "1"
    taken = (Booking("1", at(9), at(9, 20)),)
    for start, booked in ((at(9), taken), (at(9, 5), ())):
        with pytest.raises(SlotUnavailable) as caught:
            choose_counter(
                office=the_office,
                service=AUSWEIS,
                start=start,
                booked=booked,
                rules=SlotRules(),
                now=EARLY,
            )
        assert caught.value.code == "slot_unavailable"


def test_rules_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        SlotRules(share=1.5)
    with pytest.raises(ValueError):
        SlotRules(window_min=5)


def test_booking_codes_use_the_unambiguous_alphabet() -> None:
    assert not set("01OIL") & set(ALPHABET)
    codes = {code_from_random(i.to_bytes(10, "big")) for i in range(0, 10**6, 997)}
    assert all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)
    assert len(codes) == len(range(0, 10**6, 997))


def test_booking_codes_normalize_what_people_type() -> None:
    code = code_from_random(bytes(range(10)))
    assert normalize_code(display_code(code).lower()) == code
    assert normalize_code(f" {code[:4]} {code[4:]} ") == code
    assert normalize_code("ABCDEFG0") is None
    assert normalize_code("ABC") is None
    with pytest.raises(ValueError):
        code_from_random(b"short")


APPOINTMENT = Appointment(
    id="a" * 32, code="ABCDEFGH", service_id="pass", counter_id="1", start=at(10), duration_min=30
)
WINDOW = ArrivalWindow(early_min=15, late_min=15)


def test_arrival_inside_the_window_is_accepted() -> None:
    for now in (at(9, 45), at(10), at(10, 15)):
        check_arrival(appointment=APPOINTMENT, window=WINDOW, now=now)


def test_arrival_too_early_names_when_check_in_opens() -> None:
    with pytest.raises(AppointmentTooEarly) as caught:
        check_arrival(appointment=APPOINTMENT, window=WINDOW, now=at(9, 44))
    assert caught.value.details == {
        "start": at(10).isoformat(),
        "checkin_from": at(9, 45).isoformat(),
    }


def test_arrival_too_late() -> None:
    with pytest.raises(AppointmentTooLate):
        check_arrival(appointment=APPOINTMENT, window=WINDOW, now=at(10, 16))
    no_show = replace(APPOINTMENT, status=AppointmentStatus.NO_SHOW)
    with pytest.raises(AppointmentTooLate):
        check_arrival(appointment=no_show, window=WINDOW, now=at(10))


def test_cancelled_and_checked_in_are_refused_by_name() -> None:
    with pytest.raises(AppointmentCancelled):
        check_arrival(
            appointment=replace(APPOINTMENT, status=AppointmentStatus.CANCELLED),
            window=WINDOW,
            now=at(10),
        )
    done = replace(APPOINTMENT, status=AppointmentStatus.CHECKED_IN, ticket_id="t1")
    with pytest.raises(AppointmentAlreadyCheckedIn) as caught:
        check_arrival(appointment=done, window=WINDOW, now=at(18))
    assert caught.value.details["ticket_id"] == "t1"


def test_no_show_after_the_late_window_only() -> None:
    assert not is_no_show(appointment=APPOINTMENT, window=WINDOW, now=at(10, 15))
    assert is_no_show(appointment=APPOINTMENT, window=WINDOW, now=at(10, 16))
    done = replace(APPOINTMENT, status=AppointmentStatus.CHECKED_IN)
    assert not is_no_show(appointment=done, window=WINDOW, now=at(12))


def place(start: datetime, booked: tuple[Booking, ...] = ()) -> Slot:
    return place_booking(
        office=office(),
        service=AUSWEIS,
        start=start,
        length=timedelta(minutes=25),
        booked=booked,
        rules=FULL,
    )


def test_place_booking_accepts_off_grid_starts_within_capacity() -> None:
    slot = place(at(9, 7))
    assert (slot.start, slot.end, slot.counter_ids) == (at(9, 7), at(9, 32), ("1",))
    taken = (Booking("1", at(9, 20), at(9, 40)),)
    for start, booked in ((at(9, 7), taken), (at(11, 50), ()), (at(7, 50), ())):
        with pytest.raises(SlotUnavailable):
            place(start, booked)
