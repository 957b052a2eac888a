"""A recorded office day written for the statistics tests, with its figures worked out by hand.

Tuesday 2026-12-01 in Europe/Berlin (UTC+1), errand `pass`, counters `c1` and `c2`;
plus the DST day 2026-03-29 (02:00 -> 03:00, a 23-hour day).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from counter_server.store import Store, Tx

BERLIN = ZoneInfo("Europe/Berlin")
DAY = "2026-12-01"


def local(text: str, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{text}").replace(tzinfo=BERLIN)


def ticket(tid: str, number: str, *, arrived: datetime, kind: str = "walk_in", slot: datetime | None = None,
           service: str = "pass", counter: str | None = None, reason: str | None = None) -> dict[str, Any]:
    return {
        "id": tid, "number": number, "service_id": service, "kind": kind, "priority": "normal",
        "lang": "de", "state": "waiting", "created_at": arrived.astimezone(UTC).isoformat(),
        "arrived_at": arrived.astimezone(UTC).isoformat(), "called_at": None, "counter_id": counter,
        "target_counter_id": None, "call_count": 0, "public_id": f"pub-{tid}",
        "appointment_at": slot.astimezone(UTC).isoformat() if slot else None, "reason": reason,
    }


class Recorder:
    """Writes events at chosen times, one transaction each, as the server would."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def emit(self, at: datetime, type_: str, data: dict[str, Any]) -> None:
        def write(tx: Tx) -> None:
            tx.emit(type_, data)

        self.store.write_sync(write, now=at.astimezone(UTC))

    def ticket(self, at: datetime, type_: str, t: dict[str, Any], counter: str | None = None,
               **extra: Any) -> None:
        data: dict[str, Any] = {"ticket": {**t, "counter_id": counter or t["counter_id"]},
                                "counter": {"id": counter, "label": counter, "room": ""} if counter else None}
        self.emit(at, type_, {**data, **extra})

    def counter(self, at: datetime, cid: str, state: str) -> None:
        self.emit(at, "counter.state", {"counter": {"id": cid, "label": cid, "state": state}})

    def appointment(self, at: datetime, aid: str, slot: datetime, status: str) -> None:
        self.emit(at, "appointment.changed", {"appointment": {
            "id": aid, "service_id": "pass", "start": slot.isoformat(), "status": status}})

    def serve(self, t: dict[str, Any], counter: str, called: str, started: str | None, finished: str,
              day: str = DAY) -> None:
        self.ticket(local(called, day), "ticket.called", t, counter)
        if started:
            self.ticket(local(started, day), "ticket.started", t, counter)
        self.ticket(local(finished, day), "ticket.finished", t, counter)


def record_tuesday(store: Store) -> None:
    r = Recorder(store)
    r.counter(local("07:59"), "c1", "open")
    r.counter(local("08:30"), "c2", "open")
    t1 = ticket("t1", "A001", arrived=local("08:00"))
    r.ticket(local("08:00"), "ticket.created", t1, eta_min=10)
    t2 = ticket("t2", "A002", arrived=local("08:05"))
    r.ticket(local("08:05"), "ticket.created", t2)
    r.serve(t1, "c1", "08:12", "08:13", "08:23")
    r.serve(t2, "c2", "08:40", None, "08:50")  # finished without a start: service from the call
    t3 = ticket("t3", "B001", arrived=local("08:50"), kind="appointment", slot=local("09:00"))
    r.ticket(local("08:50"), "ticket.created", t3)
    t5 = ticket("t5", "A003", arrived=local("09:00"))
    r.ticket(local("09:00"), "ticket.created", t5)
    r.serve(t3, "c1", "09:03", "09:03", "09:18")
    r.ticket(local("09:05"), "ticket.called", t5, "c2")
    t4 = ticket("t4", "B002", arrived=local("09:10"), kind="appointment", slot=local("09:00"))
    r.ticket(local("09:10"), "ticket.created", t4)
    r.ticket(local("09:10"), "ticket.no_show", t5, "c2")
    r.serve(t4, "c1", "09:20", "09:20", "09:30")
    t6 = ticket("t6", "A004", arrived=local("09:30"))
    r.ticket(local("09:30"), "ticket.created", t6)
    r.ticket(local("09:40"), "ticket.called", t6, "c1")
    r.ticket(local("09:41"), "ticket.started", t6, "c1")
    r.ticket(local("09:45"), "ticket.transferred", {**t6, "service_id": "id"})
    r.serve({**t6, "service_id": "id"}, "c2", "09:50", "09:50", "10:00")
    t7 = ticket("t7", "A005", arrived=local("10:00"))  # never called: expired at day end
    r.ticket(local("10:00"), "ticket.created", t7)
    t9 = ticket("t9", "A006", arrived=local("10:15"))  # a lost online check-in, replaced offline
    r.ticket(local("10:15"), "ticket.created", t9)
    r.counter(local("10:15"), "c2", "paused")
    r.ticket(local("10:20"), "ticket.cancelled", {**t9, "reason": "superseded_offline"})
    t8 = {**ticket("t8", "A901", arrived=local("10:10")), "created_at": local("10:20").astimezone(UTC).isoformat()}
    r.ticket(local("10:20"), "ticket.created", t8)
    r.emit(local("10:25"), "checkin.refused", {"service_id": "pass", "reason": "lease_expired", "offline": True})
    r.serve(t8, "c1", "10:30", "10:30", "10:40")
    r.counter(local("10:45"), "c2", "open")
    r.counter(local("11:00"), "c2", "closed")
    # bookings: one never came (marked at 11:20), one cancelled days before, one on another day
    r.appointment(local("08:00", "2026-11-20"), "a1", local("11:00"), "booked")
    r.appointment(local("08:00", "2026-11-21"), "a2", local("11:30"), "booked")
    r.appointment(local("08:00", "2026-11-25"), "a2", local("11:30"), "cancelled")
    r.appointment(local("08:00", "2026-11-25"), "a3", local("11:30", "2026-12-02"), "cancelled")
    r.appointment(local("11:20"), "a1", local("11:00"), "no_show")
    r.emit(local("12:00"), "checkin.refused", {"service_id": "pass", "reason": "daily_cap_reached", "offline": False})
    r.counter(local("12:00"), "c1", "closed")
    r.emit(local("15:40"), "checkin.refused", {"service_id": "pass", "reason": "walk_in_closed", "offline": False})
    # the next day's first ticket is not this day's
    r.ticket(local("08:00", "2026-12-02"), "ticket.created", ticket("n1", "A001", arrived=local("08:00", "2026-12-02")))


# Worked out by hand from the day above (see the comments there).
TUESDAY_PASS = {
    "visitors": 8, "walk_in": 6, "booked": 2, "booked_late": 1, "no_show": 2, "cancelled": 1,
    "transferred": 1, "parked": 0, "offline": 1, "served": 6,
    # waits of the visitors called (not the no-show): 12, 35, 3 (slot 9:00 -> 9:03), 10 (late:
    # from check-in 9:10), 10 (first call of the transferred), 20 (offline: from issue 10:10)
    "wait_mean_min": 15.0, "wait_median_min": 10.0, "wait_p90_min": 35.0, "wait_max_min": 35.0,
    # service: 10, 10 (call to finish), 15, 10, 10 (last start to finish), 10
    "service_mean_min": 10.8, "service_median_min": 10.0,
    "within_15_share": 4 / 6, "within_30_share": 5 / 6, "booked_on_time_share": 0.5,
    "eta_error_mean_min": 2.0, "eta_error_abs_mean_min": 2.0,
}
# seconds open per (hour, counter): c1 07:59-12:00, c2 08:30-10:15 and 10:45-11:00
TUESDAY_OPEN = {(7, "c1"): 60, (8, "c1"): 3600, (9, "c1"): 3600, (10, "c1"): 3600, (11, "c1"): 3600,
                (8, "c2"): 1800, (9, "c2"): 3600, (10, "c2"): 1800}
TUESDAY_REFUSALS = {(10, "lease_expired", 1): 1, (12, "daily_cap_reached", 0): 1, (15, "walk_in_closed", 0): 1}


def record_dst_day(store: Store) -> None:
    """2026-03-29: clocks jump from 02:00 to 03:00 local."""
    r = Recorder(store)
    utc = lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC)  # noqa: E731
    early = ticket("d0", "A001", arrived=utc("2026-03-28T23:30"))  # 00:30 local on the 29th
    r.ticket(utc("2026-03-28T23:30"), "ticket.created", early)
    across = ticket("d1", "A002", arrived=utc("2026-03-29T00:50"))  # 01:50 CET
    r.ticket(utc("2026-03-29T00:50"), "ticket.created", across)
    r.ticket(utc("2026-03-29T01:05"), "ticket.called", across, "c1")  # 03:05 CEST: 15 real minutes
    r.ticket(utc("2026-03-29T01:05"), "ticket.started", across, "c1")
    r.ticket(utc("2026-03-29T01:15"), "ticket.finished", across, "c1")
    late = ticket("d2", "A001", arrived=utc("2026-03-29T22:30"))  # 00:30 local on the 30th
    r.ticket(utc("2026-03-29T22:30"), "ticket.created", late)


def fresh_store(path: Path) -> Iterator[Store]:
    store = Store(path / "stats.db")
    try:
        yield store
    finally:
        store.close()
