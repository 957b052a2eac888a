"""Service times learned from a narrow query give the very figures learned from whole tickets."""

from __future__ import annotations

from counter_server.core.estimate import learn_stats, stats_from_config, stats_from_minutes
from counter_server.core.model import CounterState, Priority, TicketKind
from counter_server.core.numbering import office_day
from counter_server.queue import commands, rows
from counter_server.queue.counters import set_counter_state

from .conftest import Office


def test_minutes_per_service_learn_the_same_stats_as_finished_tickets(office: Office) -> None:
    for counter in ("1", "3", "8"):
        office.write(lambda w, c=counter: set_counter_state(w, counter_id=c, state=CounterState.OPEN))
    services = ["ausweis", "anmeldung", "pass", "abholung", "bescheinigung"]
    for i in range(40):
        office.write(lambda w, i=i: commands.issue_ticket(
            w, service_id=services[i % 5], kind=TicketKind.WALK_IN, lang="de", priority=Priority.NORMAL, device_id="k"))
    for i in range(36):
        office.later(1.7 + (i % 7) * 2.3)  # uneven visit lengths: the sums' order matters
        office.write(lambda w, i=i: commands.call_next(w, counter_id=("1", "3", "8")[i % 3], previous="done"))
    day = office_day(office.now, office.config.office.timezone)
    config = stats_from_config(office.config.office.services)
    whole = office.read(lambda db: learn_stats(finished=rows.finished_today(db, day), config=config))
    narrow = office.read(lambda db: stats_from_minutes(per_service=rows.finished_minutes(db, day), config=config))
    assert sum(len(v) for v in office.read(lambda db: rows.finished_minutes(db, day)).values()) >= 20
    assert narrow == whole
