"""The booking site's month of free times: computed once per change, never stale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from counter_server.bookings import commands as bookings
from counter_server.site import month_cache
from counter_server.site.month_cache import MonthCache
from counter_server.site.proposals import Month, month_of_slots

from .conftest import Office

DAYS = 28


def _month(office: Office, cache: MonthCache) -> Month:
    service = office.config.office.service("ausweis")
    assert service is not None
    commits = office.store.commits  # read before the read transaction, as the site does
    return office.read(lambda db: cache.month(db, office.config, commits=commits, service=service,
                                              now=office.now, days=DAYS))


def _fresh(office: Office) -> Month:
    service = office.config.office.service("ausweis")
    assert service is not None
    return office.read(lambda db: month_of_slots(db, office.config, service=service, now=office.now,
                                                 days=DAYS))


def _starts(month: Month) -> list[str]:
    return [slot.start.isoformat() for slots in month.values() for slot in slots]


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def counting(*args: object, **kwargs: object) -> Month:
        calls.append(1)
        return month_of_slots(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(month_cache, "month_of_slots", counting)
    return calls


def test_a_month_is_computed_once_until_something_changes(office: Office, computed: list[int]) -> None:
    cache = MonthCache()
    first = _month(office, cache)
    for _ in range(5):
        assert _month(office, cache) == first
    assert len(computed) == 1
    assert first == _fresh(office)


def test_a_booking_takes_its_time_off_at_once_and_a_cancellation_brings_it_back(
    office: Office, computed: list[int]
) -> None:
    cache = MonthCache()
    before = _month(office, cache)
    start = _starts(before)[3]
    booked = office.write(lambda w: bookings.book(
        w, service_id="ausweis", start=start, contact=None, device_id="b"))
    after = _month(office, cache)
    assert after == _fresh(office) != before
    assert _month(office, cache) == after
    office.write(lambda w: bookings.cancel(w, appointment_id=booked.id))
    assert _month(office, cache) == before
    assert len(computed) == 3


def test_a_write_without_any_event_still_counts_as_a_change(office: Office) -> None:
    cache = MonthCache()
    before = _month(office, cache)
    booked = office.write(lambda w: bookings.book(
        w, service_id="ausweis", start=_starts(before)[0], contact=None, device_id="b"))
    assert _month(office, cache) != before  # the booked counter no longer takes that time
    office.write(lambda w: w.db.execute(
        "UPDATE appointments SET status = 'cancelled' WHERE id = ?", [booked.id]))
    assert _month(office, cache) == before


def test_times_that_began_leave_the_kept_month(office: Office, computed: list[int]) -> None:
    cache = MonthCache()
    _month(office, cache)
    office.later(90)
    assert _month(office, cache) == _fresh(office)
    assert all(slot.start >= office.now for slots in _month(office, cache).values() for slot in slots)
    office.now += timedelta(days=1)
    assert _month(office, cache) == _fresh(office)
    assert len(computed) == 2  # the new day is a new month
