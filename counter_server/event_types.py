"""Every event type the server emits, defined once, with what its `data` carries.

An event is `{"seq", "type", "at", "data"}` (see store.Event). Screens follow these
over the websocket; none carries a name, a booking code or any contact data. A clerk's
shift adds `staff_id` (an opaque id, never the clerk's name) to ticket and counter events.
A command can only emit a type listed here (uow.Work.emit checks it), and the docs
test fails when one is missing from the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from .core.lifecycle import EVENT_TYPES as TICKET_EVENTS


@dataclass(frozen=True)
class EventType:
    name: str
    data: str  # what `data` holds, in a few words


_TICKET = "ticket (contract JSON), counter {id, label, room} or null"

EVENTS: dict[str, EventType] = {
    e.name: e
    for e in (
        EventType("ticket.created", _TICKET),
        *(EventType(name, _TICKET) for name in sorted(set(TICKET_EVENTS.values()))),
        EventType("counter.state", "counter (contract JSON, current null)"),
        EventType("printer.status", "printer_id, status, detail"),
        EventType("print.job", "job_id, printer_id, ticket_id, number"),
        EventType("print.dropped", "job_id, printer_id, ticket_id, number, reason"),
        EventType("appointment.changed", "appointment {id, service_id, start, status} or no_shows (a count)"),
        EventType("service.walk_in_stopped", "service_id, office_day: no more walk-in tickets for it today"),
        EventType("service.walk_in_resumed", "service_id, office_day: walk-in tickets for it again"),
        EventType("office.changed", "version, sections: office.toml was changed and reloaded; screens reload it"),
        EventType("catalogue.applied", "version, added, changed, unchanged, skipped, local: errand ids of the"
                  " city's catalogue as this office took it into office.toml"),
        EventType("catalogue.refused", "version, reason: the city's catalogue was not taken; nothing changed"),
        EventType("checkin.refused", "service_id, reason (error code), offline: a walk-in ticket refused"),
        EventType("snapshot", "board, counters, tickets: sent first on a websocket that cannot replay"),
    )
}


def carries_staff(type_: str) -> bool:
    """Events a clerk's action causes: they say which staff id acted, when one did."""
    return type_.startswith("ticket.") or type_ == "counter.state"


class UnknownEventType(KeyError):
    """A command tried to emit an event type nobody documented."""


def check(type_: str) -> None:
    if type_ not in EVENTS:
        raise UnknownEventType(type_)
