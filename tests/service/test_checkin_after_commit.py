"""The kiosk check-in's estimate after the commit (checkin/kiosk.py) is the figure the whole
check-in in one transaction gives (checkin/commands.py) for the same state and moment."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counter_server.auth import Device
from counter_server.checkin import kiosk
from counter_server.checkin.commands import KioskCheckin, check_in_at_kiosk
from counter_server.core.model import CounterState, Priority, TicketKind
from counter_server.queue import commands
from counter_server.queue.counters import set_counter_state
from counter_server.uow import Work

from .conftest import Office

BASE = "http://office.test/t/"
SERVICES = ("ausweis", "anmeldung", "pass", "abholung", "bescheinigung", "sonstiges")
COUNTERS = tuple(str(n) for n in range(1, 9))


class RolledBack(Exception):
    """Carries what a transaction computed out of it, leaving the database as it was."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__("rolled back")
        self.answer = answer


def _in_one_transaction(office: Office, device: Device, request: KioskCheckin) -> dict[str, Any]:
    def run(work: Work) -> None:
        raise RolledBack(check_in_at_kiosk(work, device=device, request=request, status_base=BASE).to_json())

    try:
        office.write(run)
    except RolledBack as done:
        return done.answer
    raise AssertionError("the check-in did not run")


def _after_commit(office: Office, device: Device, request: KioskCheckin, *, shared: bool) -> dict[str, Any]:
    issued = office.write(lambda w: kiosk.issue(w, device=device, request=request, status_base=BASE))
    status = office.read(lambda db: kiosk.status_after(db, office.config, issued, office.now, shared=shared))
    told = kiosk.Told.of(issued, status, device_id=device.id, key=None)
    return office.write(lambda w: kiosk.tell(w, told))


def _told(answer: dict[str, Any]) -> dict[str, Any]:
    """What the visitor is told about their place (the ticket's ids differ between the runs)."""
    return {k: v for k, v in answer.items() if k not in ("ticket", "status_url", "print_job")}


step = st.one_of(
    st.tuples(st.just("walk_in"), st.sampled_from(SERVICES), st.sampled_from((Priority.NORMAL, Priority.ASSIST)),
              st.sampled_from(("de", "tr", "ar"))),
    st.tuples(st.just("counter"), st.sampled_from(COUNTERS),
              st.sampled_from((CounterState.OPEN, CounterState.OPEN, CounterState.PAUSED, CounterState.CLOSED))),
    st.tuples(st.just("next"), st.sampled_from(COUNTERS)),
    st.tuples(st.just("later"), st.integers(min_value=1, max_value=20)),
)


def _apply(office: Office, move: tuple[Any, ...]) -> None:
    kind = move[0]
    if kind == "walk_in":
        office.write(lambda w: commands.issue_ticket(w, service_id=move[1], kind=TicketKind.WALK_IN, lang=move[3],
                                                     priority=move[2], device_id="k"))
    elif kind == "counter":
        office.write(lambda w: set_counter_state(w, counter_id=move[1], state=move[2]))
    elif kind == "next":
        try:
            office.write(lambda w: commands.call_next(w, counter_id=move[1], previous="done"))
        except Exception:  # a closed counter cannot call: the state simply stays
            pass
    elif office.now.hour < 16:  # the examples share one office: it must stay open for walk-ins
        office.later(move[1])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(step, max_size=30), service=st.sampled_from(SERVICES),
       priority=st.sampled_from((Priority.NORMAL, Priority.ASSIST)), shared=st.booleans())
def test_the_estimate_after_the_commit_is_the_one_inside_the_write(
    office: Office, moves: list[tuple[Any, ...]], service: str, priority: Priority, shared: bool
) -> None:
    device = office.device("kiosk", "kiosk-1")
    for move in moves:
        _apply(office, move)
    request = KioskCheckin(service_id=service, priority=priority)
    before = _in_one_transaction(office, device, request)
    after = _after_commit(office, device, request, shared=shared)
    assert _told(after) == _told(before)
    assert after["ticket"]["number"] == before["ticket"]["number"]


def test_the_print_job_waits_for_the_estimate_and_carries_it(office: Office) -> None:
    device = office.device("kiosk", "kiosk-1")
    office.write(lambda w: set_counter_state(w, counter_id="1", state=CounterState.OPEN))
    request = KioskCheckin(service_id="ausweis")
    issued = office.write(lambda w: kiosk.issue(w, device=device, request=request, status_base=BASE))
    [state] = office.read(lambda db: [r[0] for r in db.execute("SELECT state FROM print_jobs").fetchall()])
    assert state == "preparing" and "print.job" not in office.types()
    status = office.read(lambda db: kiosk.status_after(db, office.config, issued, office.now, shared=True))
    office.write(lambda w: kiosk.tell(w, kiosk.Told.of(issued, status, device_id=device.id, key=None)))
    [(state, content)] = office.read(lambda db: db.execute("SELECT state, content FROM print_jobs").fetchall())
    assert state == "pending" and office.types()[-1] == "print.job"
    assert json.loads(content)["eta_min"] == status["eta_min"] is not None
    [data] = office.read(lambda db: [r[0] for r in db.execute(
        "SELECT data FROM events WHERE type = 'ticket.created'").fetchall()])
    assert json.loads(data)["eta_min"] == status["eta_min"]
