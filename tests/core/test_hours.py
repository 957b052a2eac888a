"""Opening hours over literal weeks: spans, lunch breaks, weekends, closed dates,
midnight and the two nights a year the clocks change in Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.core import hours
from counter_server.core.model import Interval, OpeningHours

BERLIN = "Europe/Berlin"
TZ = ZoneInfo(BERLIN)


def span(text: str) -> Interval:
    start, end = text.split("-")
    return Interval(time.fromisoformat(start), time.fromisoformat(end))


# Mon long day, Tue with a lunch break, Wed and Fri mornings only, weekend closed
WEEK = OpeningHours(
    weekly={
        0: (span("08:00-16:00"),),
        1: (span("08:00-12:00"), span("13:00-18:00")),
        2: (span("08:00-12:00"),),
        3: (span("08:00-18:00"),),
        4: (span("08:00-12:00"),),
    },
    closed_dates=frozenset({date(2026, 12, 24), date(2026, 12, 25)}),
    last_walk_in_min=30,
)


def berlin(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=TZ, fold=fold)  # type: ignore[misc]


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def in_utc(moment: datetime | None) -> datetime | None:
    """Compare in UTC: a datetime in the repeated hour (fold=1) is never == one of another zone."""
    return None if moment is None else moment.astimezone(UTC)


def night(sunday: str) -> OpeningHours:
    """An office open on Sunday nights only, to put its spans where the clocks change."""
    return OpeningHours(weekly={6: tuple(span(s) for s in sunday.split())}, last_walk_in_min=30)


# the clocks go forward at 01:00 UTC on 2026-03-29 and back at 01:00 UTC on 2026-10-25
SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)


def test_a_span_includes_its_start_and_excludes_its_end() -> None:
    monday = (2026, 12, 7)
    assert not hours.is_open(WEEK, berlin(*monday, 7, 59), BERLIN)
    assert hours.is_open(WEEK, berlin(*monday, 8, 0), BERLIN)
    assert hours.is_open(WEEK, berlin(*monday, 15, 59), BERLIN)
    assert not hours.is_open(WEEK, berlin(*monday, 16, 0), BERLIN)


def test_the_time_that_counts_is_the_office_s_not_the_caller_s() -> None:
    # 07:30 UTC is 08:30 in Berlin in winter, 09:30 in summer
    assert hours.is_open(WEEK, utc(2026, 12, 7, 7, 30), BERLIN)
    assert not hours.is_open(WEEK, utc(2026, 12, 7, 6, 30), BERLIN)
    assert hours.is_open(WEEK, utc(2026, 6, 1, 6, 30), BERLIN)


def test_a_lunch_break_closes_the_office_until_the_afternoon_span() -> None:
    tuesday = (2026, 12, 8)
    assert hours.is_open(WEEK, berlin(*tuesday, 11, 59), BERLIN)
    assert not hours.is_open(WEEK, berlin(*tuesday, 12, 30), BERLIN)
    assert hours.next_opening(WEEK, berlin(*tuesday, 12, 30), BERLIN) == berlin(*tuesday, 13, 0)
    assert hours.is_open(WEEK, berlin(*tuesday, 13, 0), BERLIN)


def test_closing_and_last_walk_in_follow_the_day_s_last_span() -> None:
    tuesday_morning = berlin(2026, 12, 8, 9, 0)
    assert hours.closing_time(WEEK, tuesday_morning, BERLIN) == berlin(2026, 12, 8, 18, 0)
    assert hours.walk_in_until(WEEK, tuesday_morning, BERLIN) == berlin(2026, 12, 8, 17, 30)
    friday = berlin(2026, 12, 11, 9, 0)
    assert hours.walk_in_until(WEEK, friday, BERLIN) == berlin(2026, 12, 11, 11, 30)


def test_the_weekend_is_closed_and_friday_afternoon_points_to_monday() -> None:
    saturday = berlin(2026, 12, 12, 10, 0)
    assert not hours.is_open(WEEK, saturday, BERLIN)
    assert hours.closing_time(WEEK, saturday, BERLIN) is None
    assert hours.walk_in_until(WEEK, saturday, BERLIN) is None
    friday_noon = berlin(2026, 12, 11, 12, 0)
    assert hours.next_opening(WEEK, friday_noon, BERLIN) == berlin(2026, 12, 14, 8, 0)
    assert hours.next_opening(WEEK, saturday, BERLIN) == berlin(2026, 12, 14, 8, 0)


def test_closed_dates_are_closed_all_day_and_skipped_by_the_next_opening() -> None:
    christmas_eve = berlin(2026, 12, 24, 10, 0)  # a Thursday
    assert not hours.is_open(WEEK, christmas_eve, BERLIN)
    assert hours.closing_time(WEEK, christmas_eve, BERLIN) is None
    wednesday_noon = berlin(2026, 12, 23, 12, 0)
    assert hours.next_opening(WEEK, wednesday_noon, BERLIN) == berlin(2026, 12, 28, 8, 0)


def test_before_opening_the_next_opening_is_the_same_morning() -> None:
    assert hours.next_opening(WEEK, berlin(2026, 12, 7, 6, 0), BERLIN) == berlin(2026, 12, 7, 8, 0)


def test_a_span_open_past_midnight_belongs_to_each_local_day() -> None:
    late = OpeningHours(weekly={0: (span("22:00-23:59:59"),), 1: (span("00:00-02:00"),)})
    assert hours.is_open(late, berlin(2026, 12, 7, 23, 30), BERLIN)
    # 23:30 UTC on Monday is already Tuesday 00:30 in Berlin: Tuesday's span and closing
    tuesday_early = utc(2026, 12, 7, 23, 30)
    assert hours.is_open(late, tuesday_early, BERLIN)
    assert hours.closing_time(late, tuesday_early, BERLIN) == berlin(2026, 12, 8, 2, 0)
    assert not hours.is_open(late, berlin(2026, 12, 8, 2, 0), BERLIN)
    assert hours.next_opening(late, berlin(2026, 12, 8, 3, 0), BERLIN) == berlin(2026, 12, 14, 22, 0)


def test_the_monday_after_each_clock_change_opens_at_08_00_local() -> None:
    after_spring = hours.next_opening(WEEK, berlin(2026, 3, 27, 12, 0), BERLIN)
    assert after_spring == utc(2026, 3, 30, 6, 0)
    assert after_spring is not None and after_spring.utcoffset() == timedelta(hours=2)
    after_autumn = hours.next_opening(WEEK, berlin(2026, 10, 23, 12, 0), BERLIN)
    assert after_autumn == utc(2026, 10, 26, 7, 0)
    assert after_autumn is not None and after_autumn.utcoffset() == timedelta(hours=1)
    assert hours.walk_in_until(WEEK, after_spring, BERLIN) == utc(2026, 3, 30, 13, 30)


def test_readings_of_a_wall_time_on_the_nights_the_clocks_change() -> None:
    assert hours.readings(date(2026, 12, 7), time(8, 0), BERLIN) == (utc(2026, 12, 7, 7, 0),)
    # 02:30 is read twice in October, an hour apart
    assert hours.readings(AUTUMN, time(2, 30), BERLIN) == (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30))
    # and never in March: the clock jumps from 02:00 to 03:00 at 01:00 UTC
    assert hours.readings(SPRING, time(2, 30), BERLIN) == (utc(2026, 3, 29, 1, 0),)


def test_last_walk_in_is_real_minutes_before_a_closing_right_after_the_clocks_went_forward() -> None:
    office = night("01:00-03:00")
    open_at = utc(2026, 3, 29, 0, 45)  # 01:45 CET, the office closes 15 minutes later at 03:00 CEST
    assert hours.closing_time(office, open_at, BERLIN) == utc(2026, 3, 29, 1, 0)
    assert hours.walk_in_until(office, open_at, BERLIN) == utc(2026, 3, 29, 0, 30)


def test_a_closing_time_read_twice_is_the_second_reading() -> None:
    office = night("01:00-02:30")
    second_pass = utc(2026, 10, 25, 1, 15)  # 02:15 CET, after the clocks went back
    assert hours.is_open(office, second_pass, BERLIN)
    assert in_utc(hours.closing_time(office, second_pass, BERLIN)) == utc(2026, 10, 25, 1, 30)


def test_the_next_opening_in_the_repeated_hour_is_not_in_the_past() -> None:
    office = night("01:00-02:00 02:30-04:00")
    second_pass = utc(2026, 10, 25, 1, 10)  # 02:10 CET; 02:30 CEST was an hour ago
    assert not hours.is_open(office, second_pass, BERLIN)
    assert in_utc(hours.next_opening(office, second_pass, BERLIN)) == utc(2026, 10, 25, 1, 30)


def test_a_span_starting_in_the_skipped_hour_opens_when_the_clock_jumps() -> None:
    office = night("02:30-04:00")
    assert hours.next_opening(office, utc(2026, 3, 29, 0, 30), BERLIN) == utc(2026, 3, 29, 1, 0)
    inside_the_gap = night("02:15-02:45")  # never on the clock that night: next Sunday
    assert hours.next_opening(inside_the_gap, utc(2026, 3, 29, 0, 30), BERLIN) == berlin(2026, 4, 5, 2, 15)


# quarter hours of the day, half of them drawn from 01:00-04:00 where the clocks change
QUARTERS = st.lists(st.one_of(st.integers(4, 16), st.integers(0, 95)), min_size=0, max_size=6, unique=True)


@st.composite
def opening_hours(draw: st.DrawFn) -> OpeningHours:
    """Any week of non-overlapping spans on a quarter-hour grid, with some closed dates."""
    weekly: dict[int, tuple[Interval, ...]] = {}
    for weekday in range(7):
        marks = sorted(draw(QUARTERS))
        marks = marks[: len(marks) - len(marks) % 2]
        weekly[weekday] = tuple(
            Interval(time(a // 4, a % 4 * 15), time(b // 4, b % 4 * 15))
            for a, b in zip(marks[::2], marks[1::2], strict=True)
        )
    closed = draw(st.frozensets(st.sampled_from([SPRING, AUTUMN, date(2026, 3, 30), date(2026, 10, 24)])))
    last = draw(st.integers(0, 240))
    return OpeningHours(weekly=weekly, closed_dates=closed, last_walk_in_min=last)


def moments_near(day: date) -> st.SearchStrategy[datetime]:
    """Moments within three hours of the change at 01:00 UTC."""
    change = datetime.combine(day, time(1))
    return st.datetimes(
        min_value=change - timedelta(hours=3), max_value=change + timedelta(hours=3), timezones=st.just(UTC)
    )


MOMENTS = st.one_of(
    moments_near(SPRING), moments_near(AUTUMN),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)),
)


@settings(max_examples=300, deadline=None)
@given(week=opening_hours(), now=MOMENTS)
def test_the_next_opening_is_later_and_open(week: OpeningHours, now: datetime) -> None:
    opening = hours.next_opening(week, now, BERLIN)
    if opening is None:
        return
    assert opening > now
    assert hours.is_open(week, opening, BERLIN)


@settings(max_examples=300, deadline=None)
@given(week=opening_hours(), now=MOMENTS)
def test_an_open_office_closes_later_and_walk_ins_stop_the_set_minutes_before(
    week: OpeningHours, now: datetime
) -> None:
    close = hours.closing_time(week, now, BERLIN)
    if hours.is_open(week, now, BERLIN):
        assert close is not None and close > now
    if close is not None:
        until = hours.walk_in_until(week, now, BERLIN)
        assert until is not None
        assert close.astimezone(UTC) - until.astimezone(UTC) == timedelta(minutes=week.last_walk_in_min)


@settings(max_examples=300, deadline=None)
@given(day=st.dates(date(2026, 1, 1), date(2026, 12, 31)), quarter=st.integers(0, 95))
def test_a_reading_shows_its_wall_time_or_is_where_the_clock_jumped_past_it(day: date, quarter: int) -> None:
    at = time(quarter // 4, quarter % 4 * 15)
    for moment in hours.readings(day, at, BERLIN):
        shown = moment.astimezone(TZ)
        if shown.time() != at:
            # a microsecond earlier in real time (not on the wall clock, which jumped)
            assert (moment - timedelta(microseconds=1)).astimezone(TZ).time() < at < shown.time()
