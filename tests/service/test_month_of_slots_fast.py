"""The fast month of free times (bookings read as integers in one query, no object per booking)
gives exactly the slots the previous implementation gave: `slots_reference.py` is that code,
kept unchanged, fed from `bookings_between` as before."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_server.bookings import commands, waitlist
from counter_server.bookings.rows import bookings_between, day_of
from counter_server.core.model import Counter, Interval, Office, OpeningHours, Service
from counter_server.core.slots import Booking, SlotRules, free_slots
from counter_server.site.proposals import month_of_slots

from . import slots_reference as old
from .conftest import Office as OpenOffice

BERLIN = ZoneInfo("Europe/Berlin")
DAYS = 28
SERVICES = (
    Service(id="a", names={"de": "A"}, prefix="A", duration_min=18, slot_min=20),
    Service(id="p", names={"de": "P"}, prefix="P", duration_min=18, slot_min=15, slots=2),
    Service(id="k", names={"de": "K"}, prefix="K", duration_min=4, slot_min=5),
)
COUNTERS = (
    Counter(id="1", label="1", skills={"a": 1, "p": 2, "k": 1}),
    Counter(id="2", label="2", skills={"a": 2, "p": 1}),
    Counter(id="3", label="3", skills={"a": 1, "k": 2}),
)
LUNCH = (Interval(time(8), time(12)), Interval(time(13, 30), time(18)))
OFFICE = Office(id="t", name="T", timezone="Europe/Berlin", languages=("de",),
                hours=OpeningHours(weekly={d: LUNCH for d in range(5)}), services=SERVICES, counters=COUNTERS)
DAY = date(2026, 3, 29)  # the day the clocks go forward in Berlin


def _tuples(slots: list[object]) -> list[tuple[object, ...]]:
    return [(s.start, s.end, s.counter_ids) for s in slots]  # type: ignore[attr-defined]


bookings = st.lists(st.tuples(
    st.sampled_from(["1", "2", "3", "gone"]), st.integers(6 * 60, 20 * 60), st.integers(1, 120),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(booked=bookings, service=st.sampled_from(SERVICES), share=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
       window=st.sampled_from([15, 60, 120, 1440]), now_min=st.integers(0, 24 * 60),
       day=st.sampled_from([DAY, DAY + timedelta(days=1), DAY + timedelta(days=6)]))
def test_a_day_has_the_same_slots_as_before(booked: list[tuple[str, int, int]], service: Service,
                                            share: float, window: int, now_min: int, day: date) -> None:
    midnight = datetime.combine(day, time(0), tzinfo=BERLIN)
    given_bookings = [Booking(c, (midnight + timedelta(minutes=m)).astimezone(UTC),
                              (midnight + timedelta(minutes=m + n)).astimezone(UTC)) for c, m, n in booked]
    rules = SlotRules(share=share, window_min=window)
    now = (midnight + timedelta(minutes=now_min)).astimezone(UTC)
    new = free_slots(office=OFFICE, service=service, day=day, booked=given_bookings, rules=rules, now=now)
    before = old.free_slots(
        office=OFFICE, service=service, day=day, rules=old.SlotRules(share=share, window_min=window), now=now,
        booked=[old.Booking(b.counter_id, b.start, b.end) for b in given_bookings])
    assert _tuples(new) == _tuples(before)


def _old_month(office: OpenOffice, service: Service, now: datetime, leave_out: str | None) -> dict[date, list[object]]:
    config = office.config
    first = day_of(config, now)
    able = [c.id for c in config.office.counters if c.can_serve(service.id)]
    rules = old.SlotRules(share=config.appointments.slots.share, window_min=config.appointments.slots.window_min)

    def view(db: object) -> dict[date, list[object]]:
        booked = bookings_between(db, first, first + timedelta(days=DAYS - 1), leave_out=leave_out,  # type: ignore[arg-type]
                                  counters=able)
        found: dict[date, list[object]] = {}
        for offset in range(DAYS):
            day = first + timedelta(days=offset)
            slots = old.free_slots(office=config.office, service=service, day=day, rules=rules, now=now,
                                   booked=[old.Booking(b.counter_id, b.start, b.end) for b in booked.get(day, [])])
            if slots:
                found[day] = slots
        return found

    return office.read(view)


def _fill(office: OpenOffice) -> list[str]:
    """A varied month: every errand booked at random free times, some cancelled, one time held."""
    pick = random.Random(16)
    made: list[str] = []
    passes: list[str] = []
    for offset in range(DAYS):
        for service in office.config.office.services:
            day = day_of(office.config, office.now) + timedelta(days=offset)
            month = office.read(lambda db, s=service, n=offset + 1: month_of_slots(
                db, office.config, service=s, now=office.now, days=n)).get(day, [])
            for slot in pick.sample(month, k=int(len(month) * pick.choice([0.0, 0.3, 0.7, 1.0]))):
                def act(work: object, s: Service = service, start: datetime = slot.start) -> str | None:
                    try:
                        return commands.book(work, service_id=s.id, start=start.isoformat(),  # type: ignore[arg-type]
                                             contact={"name": "B"}, device_id="test").id
                    except Exception:
                        return None  # taken by a booking of another errand meanwhile
                if (found := office.write(act)) is not None:
                    made.append(found)
                    if service.id == "pass":
                        passes.append(found)
    held = passes.pop()
    for appointment_id in pick.sample([a for a in made if a != held], k=len(made) // 10):
        office.write(lambda work, a=appointment_id: commands.cancel(work, appointment_id=a))
    office.write(lambda work: waitlist.join(work, service_id="pass", email="w@example.org", lang="de",
                                            before=office.now + timedelta(days=DAYS)))
    office.write(lambda work: commands.cancel(work, appointment_id=held))
    assert office.write(lambda work: waitlist.time_freed(
        work, service_id="pass", start=office.read(lambda db: _start_of(db, held))))
    return made


def _start_of(db: object, appointment_id: str) -> datetime:
    row = db.execute("SELECT start FROM appointments WHERE id = ?", [appointment_id]).fetchone()  # type: ignore[attr-defined]
    return datetime.fromisoformat(row[0])


def test_a_booked_month_has_the_same_slots_as_before(office: OpenOffice) -> None:
    made = _fill(office)
    assert office.read(lambda db: db.execute(
        "SELECT count(*) FROM waitlist_offers WHERE status = 'open'").fetchone()[0]) == 1
    for now in (office.now, office.now + timedelta(hours=3, minutes=7), office.now + timedelta(days=5)):
        for service in office.config.office.services:
            for leave_out in (None, made[0], made[len(made) // 2]):
                new = office.read(lambda db, s=service, n=now, lo=leave_out: month_of_slots(
                    db, office.config, service=s, now=n, days=DAYS, leave_out=lo))
                before = _old_month(office, service, now, leave_out)
                assert new.keys() == before.keys()
                for day, slots in new.items():
                    assert _tuples(slots) == _tuples(before[day]), (service.id, day, leave_out)  # type: ignore[arg-type]
