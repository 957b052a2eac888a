"""A second `townhall demo` never puts the office clock back before tickets that exist (issue 12, item 15)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from counter_server.demo import demo_clock
from tests.conftest import ServerFactory
from tests.office import check_in

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY_7AM = datetime(2026, 12, 1, 7, 0, tzinfo=BERLIN)  # before opening: a first demo starts at 09:00


def test_the_demo_clock_continues_after_the_last_event_of_the_day(server_factory: ServerFactory) -> None:
    fresh = server_factory(start=False)
    assert demo_clock(fresh.data_dir, now=TUESDAY_7AM) == "2026-12-01T09:00"

    server = server_factory(clock="2026-12-01T10:30")  # the first demo ran until 10:30
    ticket = check_in(server, service_id="ausweis")
    server.stop()
    again = demo_clock(server.data_dir, now=TUESDAY_7AM)
    assert again is not None and "2026-12-01T10:31" <= again < "2026-12-01T10:33"

    server.start(clock=again)
    with server.client("counter:1") as clerk:
        waiting = clerk.get("/api/v1/counters/1/queue").json()["waiting"]
    assert [t["waited_min"] for t in waiting if t["id"] == ticket["id"]][0] >= 0


def test_after_a_day_that_has_ended_the_demo_starts_the_next_open_day(server_factory: ServerFactory) -> None:
    server = server_factory(clock="2026-12-01T17:20")  # Tuesday's walk-ins end at 17:30
    check_in(server, service_id="ausweis")
    server.stop()
    assert demo_clock(server.data_dir, now=TUESDAY_7AM) == "2026-12-02T09:00"
