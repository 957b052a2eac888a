"""The kiosk's visitor flow as a pure state machine.

Kivy only renders `KioskState`; the network, the printer and the scanner only feed
events in and carry effects out. Nothing here does I/O or reads the clock, so every
path a visitor can take is tested with plain functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Screen = Literal["start", "services", "appointment", "busy", "ticket", "outcome"]
PrintState = Literal["none", "printing", "printed", "failed"]

# The errors the server can answer a walk-in with; the visitor goes back to the errands.
WALK_IN_REFUSALS = frozenset(
    {
        "unknown_service",
        "walk_in_not_allowed",
        "office_closed",
        "walk_in_closed",
        "daily_cap_reached",
    }
)
# Every way an appointment QR code or booking code can be not found or not valid here.
APPOINTMENT_NOT_FOUND = frozenset(
    {
        "appointment_unknown",
        "token_invalid",
        "token_expired",
        "token_wrong_office",
        "token_wrong_day",
    }
)
# Outcomes after which a walk-in ticket is the sensible offer.
OFFER_WALK_IN = frozenset(
    {
        "appointment_too_early",
        "appointment_too_late",
        "appointment_cancelled",
        "appointment_not_supported",
        *APPOINTMENT_NOT_FOUND,
    }
)
_CODE_SEPARATORS = str.maketrans("", "", " -_.")
KEYPAD_BACKSPACE = "back"
KEYPAD_CLEAR = "clear"


@dataclass(frozen=True)
class Office:
    """What the kiosk shows about the office."""

    name: str = ""
    open_now: bool = True
    walk_in_until: str | None = None
    timezone: str = "Europe/Berlin"
    # office.toml [texts] kiosk_notice: language -> the office's own line on the start screen
    notice: Mapping[str, str] = field(default_factory=dict)

    def notice_in(self, lang: str) -> str:
        return self.notice.get(lang) or self.notice.get("de", "")


@dataclass(frozen=True)
class Service:
    """An errand as the kiosk offers it, with its availability right now."""

    id: str
    names: Mapping[str, str]
    prefix: str = ""
    walk_in: bool = True
    available: bool = True
    unavailable_reason: str | None = None
    # None: not known (the kiosk is offline), so nothing is said about the queue
    waiting: int | None = 0
    eta_min: int | None = None
    group: str | None = None
    # why eta_min is None: "no_counter_open", with the office's next opening (ISO) if closed
    eta_reason: str | None = None
    opens_at: str | None = None

    def name(self, lang: str) -> str:
        return (
            self.names.get(lang) or self.names.get("de") or next(iter(self.names.values()), self.id)
        )


@dataclass(frozen=True)
class Group:
    """A set of errands shown behind one button, so a long list stays at two levels."""

    id: str
    names: Mapping[str, str]
    services: tuple[str, ...] = ()
    symbol: str = ""

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("de") or self.id


@dataclass(frozen=True)
class Ticket:
    """A ticket the server issued, with what the visitor needs to know about it."""

    id: str
    number: str
    service_id: str
    kind: str = "walk_in"
    position: int | None = None
    eta_min: int | None = None
    status_url: str = ""
    appointment_at: str | None = None
    created_at: str | None = None
    # issued by the kiosk from a leased number while the server was away
    offline: bool = False
    # people waiting for the same errand who came before (the server's count)
    ahead: int | None = None
    eta_reason: str | None = None
    opens_at: str | None = None
    # the server made a print job for this kiosk's network printer (a print agent prints it)
    print_job: bool = False


@dataclass(frozen=True)
class Outcome:
    """Why a check-in did not give a ticket, in the server's words (`code`, `details`)."""

    code: str
    details: Mapping[str, Any] = field(default_factory=dict)
    was_appointment: bool = False


@dataclass(frozen=True)
class CheckinRequest:
    """Body of POST /api/v1/checkins."""

    service_id: str | None = None
    lang: str | None = None
    priority: str | None = None
    appointment_token: str | None = None
    appointment_code: str | None = None

    @property
    def is_appointment(self) -> bool:
        return self.appointment_token is not None or self.appointment_code is not None

    def body(self) -> dict[str, str]:
        fields = {
            "service_id": self.service_id,
            "lang": self.lang,
            "priority": self.priority,
            "appointment_token": self.appointment_token,
            "appointment_code": self.appointment_code,
        }
        return {k: v for k, v in fields.items() if v is not None}


# --- events: what happened (a tap, a scan, an answer from the server) ---


@dataclass(frozen=True)
class StartWalkIn:
    pass


@dataclass(frozen=True)
class StartAppointment:
    pass


@dataclass(frozen=True)
class OpenGroup:
    group_id: str


@dataclass(frozen=True)
class ChooseService:
    service_id: str


@dataclass(frozen=True)
class KeypadPress:
    key: str


@dataclass(frozen=True)
class SubmitCode:
    pass


@dataclass(frozen=True)
class Scanned:
    text: str


@dataclass(frozen=True)
class CheckinSucceeded:
    ticket: Ticket


@dataclass(frozen=True)
class CheckinFailed:
    code: str
    details: Mapping[str, Any] = field(default_factory=dict)
    # decided by the kiosk itself (offline), not answered by the server
    offline: bool = False


@dataclass(frozen=True)
class ServerUnreachable:
    """A check-in got no answer: the visitor may try again with the same key.

    `certain` means the request never reached the server (no connection), so a
    ticket from a leased number cannot double one the server issued.
    """

    certain: bool = False


@dataclass(frozen=True)
class ServerStatus:
    reachable: bool


@dataclass(frozen=True)
class ServicesLoaded:
    office: Office
    services: tuple[Service, ...]
    # False: the kiosk's own view of what it can issue while the server is away
    online: bool = True


@dataclass(frozen=True)
class PrintFinished:
    ok: bool


@dataclass(frozen=True)
class ChangeLanguage:
    lang: str


@dataclass(frozen=True)
class ToggleAccessibility:
    pass


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Home:
    pass


@dataclass(frozen=True)
class IdleTimeout:
    pass


@dataclass(frozen=True)
class RetryCheckin:
    pass


Event = (
    StartWalkIn
    | StartAppointment
    | OpenGroup
    | ChooseService
    | KeypadPress
    | SubmitCode
    | Scanned
    | CheckinSucceeded
    | CheckinFailed
    | ServerUnreachable
    | ServerStatus
    | ServicesLoaded
    | PrintFinished
    | ChangeLanguage
    | ToggleAccessibility
    | Back
    | Home
    | IdleTimeout
    | RetryCheckin
)


# --- effects: what the kiosk must do outside the flow ---


@dataclass(frozen=True)
class SendCheckin:
    idempotency_key: str
    request: CheckinRequest


@dataclass(frozen=True)
class PrintTicket:
    ticket: Ticket
    lang: str


@dataclass(frozen=True)
class RefreshServices:
    pass


@dataclass(frozen=True)
class IssueOffline:
    """Issue a ticket from a leased number; the same key gives the same ticket."""

    idempotency_key: str
    request: CheckinRequest


Effect = SendCheckin | PrintTicket | RefreshServices | IssueOffline


@dataclass(frozen=True)
class Settings:
    """The parts of the kiosk's configuration the flow needs."""

    languages: tuple[str, ...] = ("de", "en", "tr", "ar", "uk", "ru")
    default_lang: str = "de"
    # the server's booking codes leave out look-alikes (0/O, 1/I/L)
    code_alphabet: str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    code_max_length: int = 8
    groups: tuple[Group, ...] = ()
    printer: bool = False
    assist_priority_when_accessible: bool = True
    # issue tickets from leased numbers when the server cannot be reached
    offline: bool = False


@dataclass(frozen=True)
class KioskState:
    screen: Screen = "start"
    lang: str = "de"
    accessible: bool = False
    server_up: bool = False
    office: Office = Office()
    services: tuple[Service, ...] = ()
    group: str | None = None
    code: str = ""
    ticket: Ticket | None = None
    print_state: PrintState = "none"
    outcome: Outcome | None = None
    last_request: CheckinRequest | None = None
    # one key per distinct request within a visitor's interaction, so a double tap
    # or a retry after a lost answer gives the same ticket
    attempt_keys: tuple[tuple[str, str], ...] = ()

    @property
    def walk_in_possible(self) -> bool:
        return any(s.walk_in and s.available for s in self.services)


class Flow:
    """Holds the current state and turns events into a new state plus effects."""

    def __init__(self, *, settings: Settings, new_key: Callable[[], str]) -> None:
        self.settings = settings
        self._new_key = new_key
        self.state = KioskState(lang=settings.default_lang)

    def handle(self, event: Event) -> tuple[Effect, ...]:
        self.state, effects = step(self.state, event, settings=self.settings, new_key=self._new_key)
        return effects


def step(
    state: KioskState, event: Event, *, settings: Settings, new_key: Callable[[], str]
) -> tuple[KioskState, tuple[Effect, ...]]:
    """The one transition function of the kiosk."""
    handler = _HANDLERS[type(event)]
    return handler(state, event, settings, new_key)


_Result = tuple[KioskState, tuple[Effect, ...]]


def _same(state: KioskState) -> _Result:
    return state, ()


def _on_start_walk_in(
    state: KioskState, _e: StartWalkIn, settings: Settings, new_key: Callable[[], str]
) -> _Result:
    if state.screen not in ("start", "outcome"):
        return _same(state)
    walk_ins = [s for s in state.services if s.walk_in]
    if len(walk_ins) == 1 and walk_ins[0].available:
        # an office with one errand: the first tap gives the ticket
        return _check_in_for(replace(state, group=None), walk_ins[0], settings, new_key)
    return replace(state, screen="services", group=None, outcome=None), (RefreshServices(),)


def _on_start_appointment(
    state: KioskState, _e: StartAppointment, _s: Settings, _k: Any
) -> _Result:
    if state.screen not in ("start", "outcome"):
        return _same(state)
    return replace(state, screen="appointment", code="", outcome=None), ()


def _on_open_group(state: KioskState, event: OpenGroup, settings: Settings, _k: Any) -> _Result:
    if state.screen != "services" or state.group is not None:
        return _same(state)
    if not any(s.group == event.group_id for s in grouped(state.services, settings)):
        return _same(state)
    return replace(state, group=event.group_id), ()


def _on_choose_service(
    state: KioskState, event: ChooseService, settings: Settings, new_key: Callable[[], str]
) -> _Result:
    if state.screen != "services":
        return _same(state)
    service = next((s for s in state.services if s.id == event.service_id), None)
    if service is None or not (service.walk_in and service.available):
        return _same(state)
    return _check_in_for(state, service, settings, new_key)


def _check_in_for(
    state: KioskState, service: Service, settings: Settings, new_key: Callable[[], str]
) -> _Result:
    priority = "assist" if state.accessible and settings.assist_priority_when_accessible else None
    request = CheckinRequest(service_id=service.id, lang=state.lang, priority=priority)
    return _send(state, request, new_key)


def _on_keypad(state: KioskState, event: KeypadPress, settings: Settings, _k: Any) -> _Result:
    if state.screen != "appointment":
        return _same(state)
    if event.key == KEYPAD_BACKSPACE:
        return replace(state, code=state.code[:-1]), ()
    if event.key == KEYPAD_CLEAR:
        return replace(state, code=""), ()
    key = event.key.upper()
    if len(key) != 1 or key not in settings.code_alphabet.upper():
        return _same(state)
    if len(state.code) >= settings.code_max_length:
        return _same(state)
    return replace(state, code=state.code + key), ()


def _on_submit_code(
    state: KioskState, _e: SubmitCode, _s: Settings, new_key: Callable[[], str]
) -> _Result:
    if state.screen != "appointment" or not state.code:
        return _same(state)
    return _send(state, CheckinRequest(appointment_code=state.code, lang=state.lang), new_key)


def _on_scanned(
    state: KioskState, event: Scanned, settings: Settings, new_key: Callable[[], str]
) -> _Result:
    # A scan works on every screen without a tap, except while a check-in is on its way.
    if state.screen == "busy":
        return _same(state)
    text = event.text.strip()
    if not text:
        return _same(state)
    if state.screen in ("ticket", "start"):
        state = _new_interaction(state)
    request = appointment_request(text, lang=state.lang, settings=settings)
    return _send(replace(state, code=""), request, new_key)


def _on_succeeded(
    state: KioskState, event: CheckinSucceeded, settings: Settings, _k: Any
) -> _Result:
    if state.screen != "busy":
        return _same(state)
    # the kiosk's own printer, else the network printer the server sent the ticket to
    print_state: PrintState = "printing" if settings.printer or event.ticket.print_job else "none"
    new_state = replace(
        state,
        screen="ticket",
        ticket=event.ticket,
        print_state=print_state,
        server_up=not event.ticket.offline,
    )
    effects: tuple[Effect, ...] = (RefreshServices(),)
    if settings.printer:
        effects = (PrintTicket(ticket=event.ticket, lang=state.lang), *effects)
    return new_state, effects


def _on_failed(state: KioskState, event: CheckinFailed, _s: Settings, _k: Any) -> _Result:
    if state.screen != "busy":
        return _same(state)
    was_appointment = state.last_request is not None and state.last_request.is_appointment
    outcome = Outcome(code=event.code, details=dict(event.details), was_appointment=was_appointment)
    effects: tuple[Effect, ...] = (RefreshServices(),) if event.code in WALK_IN_REFUSALS else ()
    return replace(state, screen="outcome", outcome=outcome, server_up=not event.offline), effects


def _on_unreachable(
    state: KioskState, event: ServerUnreachable, settings: Settings, _k: Any
) -> _Result:
    if state.screen != "busy":
        return replace(state, server_up=False), ()
    request = state.last_request
    if event.certain and settings.offline and request is not None:
        key = dict(state.attempt_keys)[_fingerprint(request)]
        return replace(state, server_up=False), (IssueOffline(key, request),)
    was_appointment = state.last_request is not None and state.last_request.is_appointment
    outcome = Outcome(code="server_unreachable", was_appointment=was_appointment)
    return replace(state, screen="outcome", outcome=outcome, server_up=False), ()


def _on_retry(
    state: KioskState, _e: RetryCheckin, _s: Settings, new_key: Callable[[], str]
) -> _Result:
    if state.screen != "outcome" or state.last_request is None:
        return _same(state)
    return _send(state, state.last_request, new_key)


def _on_server_status(state: KioskState, event: ServerStatus, _s: Settings, _k: Any) -> _Result:
    if state.server_up == event.reachable:
        return _same(state)
    effects: tuple[Effect, ...] = (RefreshServices(),) if event.reachable else ()
    return replace(state, server_up=event.reachable), effects


def _on_services(state: KioskState, event: ServicesLoaded, settings: Settings, _k: Any) -> _Result:
    group = state.group
    if group is not None and not any(s.group == group for s in grouped(event.services, settings)):
        group = None
    return replace(
        state, office=event.office, services=event.services, group=group, server_up=event.online
    ), ()


def _on_print(state: KioskState, event: PrintFinished, _s: Settings, _k: Any) -> _Result:
    if state.print_state != "printing":
        return _same(state)
    return replace(state, print_state="printed" if event.ok else "failed"), ()


def _on_language(state: KioskState, event: ChangeLanguage, settings: Settings, _k: Any) -> _Result:
    if event.lang not in settings.languages or state.screen == "busy":
        return _same(state)
    return replace(state, lang=event.lang), ()


def _on_accessibility(state: KioskState, _e: ToggleAccessibility, _s: Settings, _k: Any) -> _Result:
    return replace(state, accessible=not state.accessible), ()


def _on_back(state: KioskState, _e: Back, _s: Settings, _k: Any) -> _Result:
    if state.screen == "services" and state.group is not None:
        return replace(state, group=None), ()
    if state.screen == "outcome" and state.outcome and state.outcome.code in WALK_IN_REFUSALS:
        return replace(state, screen="services", outcome=None), ()
    if state.screen == "outcome" and state.outcome and state.outcome.was_appointment:
        return replace(state, screen="appointment", outcome=None), ()
    if state.screen in ("services", "appointment", "outcome"):
        return replace(state, screen="start", outcome=None, group=None, code=""), ()
    return _same(state)


def _on_home(state: KioskState, _e: Home, _s: Settings, _k: Any) -> _Result:
    if state.screen == "busy":
        return _same(state)
    return _new_interaction(state), ()


def _on_idle(state: KioskState, _e: IdleTimeout, settings: Settings, _k: Any) -> _Result:
    if state.screen == "busy":
        return _same(state)
    # the next visitor starts in the default language with the default look
    fresh = _new_interaction(state)
    return replace(fresh, lang=settings.default_lang, accessible=False), ()


_HANDLERS: dict[type, Callable[..., _Result]] = {
    StartWalkIn: _on_start_walk_in,
    StartAppointment: _on_start_appointment,
    OpenGroup: _on_open_group,
    ChooseService: _on_choose_service,
    KeypadPress: _on_keypad,
    SubmitCode: _on_submit_code,
    Scanned: _on_scanned,
    CheckinSucceeded: _on_succeeded,
    CheckinFailed: _on_failed,
    ServerUnreachable: _on_unreachable,
    RetryCheckin: _on_retry,
    ServerStatus: _on_server_status,
    ServicesLoaded: _on_services,
    PrintFinished: _on_print,
    ChangeLanguage: _on_language,
    ToggleAccessibility: _on_accessibility,
    Back: _on_back,
    Home: _on_home,
    IdleTimeout: _on_idle,
}


def _fingerprint(request: CheckinRequest) -> str:
    return json.dumps(request.body(), sort_keys=True)


def _send(state: KioskState, request: CheckinRequest, new_key: Callable[[], str]) -> _Result:
    fingerprint = _fingerprint(request)
    keys = dict(state.attempt_keys)
    key = keys.get(fingerprint) or new_key()
    keys[fingerprint] = key
    new_state = replace(
        state, screen="busy", last_request=request, outcome=None, attempt_keys=tuple(keys.items())
    )
    return new_state, (SendCheckin(idempotency_key=key, request=request),)


def _new_interaction(state: KioskState) -> KioskState:
    return replace(
        state,
        screen="start",
        group=None,
        code="",
        ticket=None,
        print_state="none",
        outcome=None,
        last_request=None,
        attempt_keys=(),
    )


def appointment_request(text: str, *, lang: str, settings: Settings) -> CheckinRequest:
    """A scanned text is a short booking code when it could have been typed, else a token."""
    upper = text.upper().translate(_CODE_SEPARATORS)
    alphabet = settings.code_alphabet.upper()
    if len(upper) <= settings.code_max_length and all(c in alphabet for c in upper):
        return CheckinRequest(appointment_code=upper, lang=lang)
    return CheckinRequest(appointment_token=text, lang=lang)


@dataclass(frozen=True)
class MenuEntry:
    """One button on the errand screen: a service, or a group of services."""

    service: Service | None = None
    group: Group | None = None
    available: bool = True


def grouped(services: tuple[Service, ...], settings: Settings) -> tuple[Service, ...]:
    """Services with the group the configuration gives them, when the server gives none."""
    group_of = {sid: g.id for g in settings.groups for sid in g.services}
    return tuple(s if s.group else replace(s, group=group_of.get(s.id)) for s in services)


def menu(state: KioskState, settings: Settings) -> tuple[MenuEntry, ...]:
    """The buttons of the errand screen at the current level (top level or inside a group)."""
    services = tuple(s for s in grouped(state.services, settings) if s.walk_in)
    if state.group is not None:
        return tuple(
            MenuEntry(service=s, available=s.available) for s in services if s.group == state.group
        )
    entries: list[MenuEntry] = []
    seen: set[str] = set()
    groups = {g.id: g for g in settings.groups}
    for service in services:
        group_id = service.group
        members = [s for s in services if group_id is not None and s.group == group_id]
        if group_id is None or len(members) < 2:
            entries.append(MenuEntry(service=service, available=service.available))
        elif group_id not in seen:
            seen.add(group_id)
            group = groups.get(group_id) or Group(id=group_id, names={})
            entries.append(MenuEntry(group=group, available=any(s.available for s in members)))
    return tuple(entries)
