"""What each screen says, computed from the flow state and a catalogue.

Pure functions: the Kivy screens only place these strings, and the read-aloud
speaks the same ones, so what is heard is what is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from i18n import Catalog
from kiosk.flow import (
    APPOINTMENT_NOT_FOUND,
    WALK_IN_REFUSALS,
    KioskState,
    MenuEntry,
    Outcome,
    Service,
    Settings,
    Ticket,
    menu,
)

DEFAULT_SYMBOL = "●"
GROUP_SYMBOL = "☰"


@dataclass(frozen=True)
class Choice:
    """A big errand button: a service or a group of services."""

    id: str
    kind: str
    title: str
    detail: str
    symbol: str
    enabled: bool


@dataclass(frozen=True)
class Action:
    """A button that moves the visitor on; `action` names the flow event it sends."""

    action: str
    label: str
    primary: bool = False


@dataclass(frozen=True)
class ScreenView:
    screen: str
    title: str
    lines: tuple[str, ...] = ()
    number: str = ""
    qr: str = ""
    code: str = ""
    choices: tuple[Choice, ...] = ()
    actions: tuple[Action, ...] = ()
    more: str = ""
    # the paging button on the last page, which goes back to the first
    first_page: str = ""
    page_of: str = ""

    def spoken(self) -> str:
        """The screen as one text for read-aloud, in reading order."""
        parts = [self.title, self.number, *self.lines]
        parts += [f"{c.title}. {c.detail}" for c in self.choices]
        parts += [a.label for a in self.actions]
        return ". ".join(p.rstrip(".") for p in parts if p) + "."


@dataclass(frozen=True)
class Chrome:
    """The parts around every screen: status banner and the language and help bar."""

    office: str
    banner: str
    accessibility_label: str
    read_aloud_label: str
    rtl: bool


def chrome(state: KioskState, *, printer_away: bool, offline_tickets: bool = False) -> Chrome:
    catalog = Catalog(state.lang, "kiosk")
    banner = ""
    if not state.server_up and offline_tickets and state.walk_in_possible:
        banner = catalog.text("offline_banner_numbers")
    elif not state.server_up:
        banner = catalog.text("offline_banner")
    elif printer_away:
        banner = catalog.text("printer_banner")
    return Chrome(
        office=state.office.name,
        banner=banner,
        accessibility_label=catalog.text("accessibility"),
        read_aloud_label=catalog.text("read_aloud"),
        rtl=catalog.rtl,
    )


def screen_view(state: KioskState, *, settings: Settings, symbols: dict[str, str]) -> ScreenView:
    catalog = Catalog(state.lang, "kiosk")
    if state.screen == "services":
        return _services(state, catalog, settings, symbols)
    if state.screen == "appointment":
        return _appointment(state, catalog)
    if state.screen == "busy":
        return ScreenView(
            screen="busy", title=catalog.text("busy_title"), lines=(catalog.text("busy_sub"),)
        )
    if state.screen == "ticket" and state.ticket is not None:
        return _ticket(state, state.ticket, catalog)
    if state.screen == "outcome" and state.outcome is not None:
        return _outcome(state, state.outcome, catalog)
    return _start(state, catalog)


def _start(state: KioskState, catalog: Catalog) -> ScreenView:
    walk_in_detail = catalog.text("walk_in_sub")
    if not state.office.open_now and state.services:
        status = catalog.text("office_closed_now")
    elif state.services and not state.walk_in_possible:
        status = catalog.text("no_walk_in_today")
        walk_in_detail = status
    elif state.office.walk_in_until:
        status = catalog.text(
            "walk_in_until", time=local_time(state.office.walk_in_until, state.office.timezone)
        )
    else:
        status = ""
    return ScreenView(
        screen="start",
        title=catalog.text("welcome"),
        lines=tuple(line for line in (catalog.text("start_question"), status,
                                      state.office.notice_in(catalog.lang)) if line),
        choices=(
            Choice(
                id="walk_in",
                kind="action",
                title=catalog.text("walk_in_button"),
                detail=walk_in_detail,
                symbol="◀" if catalog.rtl else "▶",  # forward, in reading direction
                enabled=state.walk_in_possible,
            ),
            Choice(
                id="appointment",
                kind="action",
                title=catalog.text("appointment_button"),
                detail=catalog.text("appointment_sub"),
                symbol="✔",
                enabled=True,
            ),
        ),
    )


def _services(
    state: KioskState, catalog: Catalog, settings: Settings, symbols: dict[str, str]
) -> ScreenView:
    choices = tuple(_choice(entry, state, catalog, symbols) for entry in menu(state, settings))
    hint = catalog.text("group_hint" if state.group else "services_hint")
    return ScreenView(
        screen="services",
        title=catalog.text("services_title"),
        lines=(hint,),
        choices=choices,
        actions=(Action("back", catalog.text("back")),),
        more=catalog.text("more_errands"),
        first_page=catalog.text("first_errands"),
        page_of=catalog.text("page_of", page="{page}", pages="{pages}"),
    )


def _choice(
    entry: MenuEntry, state: KioskState, catalog: Catalog, symbols: dict[str, str]
) -> Choice:
    if entry.group is not None:
        group = entry.group
        return Choice(
            id=group.id,
            kind="group",
            title=group.name(state.lang),
            detail="",
            symbol=group.symbol or GROUP_SYMBOL,
            enabled=entry.available,
        )
    assert entry.service is not None
    service = entry.service
    if not service.available:
        detail = _reason(catalog, service.unavailable_reason)
    else:
        detail = waiting_text(catalog, service=service, timezone=state.office.timezone)
    return Choice(
        id=service.id,
        kind="service",
        title=service.name(state.lang),
        detail=detail,
        symbol=symbols.get(service.id, DEFAULT_SYMBOL),
        enabled=service.available,
    )


def _reason(catalog: Catalog, reason: str | None) -> str:
    known = ("office_closed", "walk_in_closed", "daily_cap_reached", "not_walk_in")
    return catalog.text(f"reason_{reason}" if reason in known else "reason_other")


def waiting_text(catalog: Catalog, *, service: Service, timezone: str) -> str:
    """How many wait for the errand (the people ahead of the next ticket) and for how long."""
    waiting = service.waiting
    if waiting is None:
        return ""
    if waiting <= 0:
        return catalog.text("nobody_waiting")
    parts = [catalog.plural("waiting_count", waiting)]
    if service.eta_reason is not None:
        parts.append(no_wait_text(catalog, service.opens_at, timezone))
    elif service.eta_min is not None:
        parts.append(catalog.plural("eta_minutes", service.eta_min))
    return " · ".join(parts)


def no_wait_text(catalog: Catalog, opens_at: str | None, timezone: str) -> str:
    """Why there are no minutes: no counter open yet, and when the office opens if it is closed."""
    time = local_time(opens_at or "", timezone)
    return catalog.text("counters_open_at", time=time) if time else catalog.text("no_counter_open")


def _appointment(state: KioskState, catalog: Catalog) -> ScreenView:
    actions = [Action("back", catalog.text("back"))]
    if state.code:
        actions.append(Action("submit_code", catalog.text("appointment_submit"), primary=True))
    return ScreenView(
        screen="appointment",
        title=catalog.text("appointment_title"),
        lines=(catalog.text("appointment_scan"), catalog.text("appointment_or_code")),
        code=state.code,
        actions=tuple(actions),
    )


def _ticket(state: KioskState, ticket: Ticket, catalog: Catalog) -> ScreenView:
    service = next((s for s in state.services if s.id == ticket.service_id), None)
    lines: list[str] = []
    if ticket.kind == "appointment":
        lines.append(catalog.text("ticket_welcome_appointment"))
    if service is not None:
        lines.append(service.name(state.lang))
    if ticket.ahead is not None:
        ahead = ticket.ahead
        lines.append(catalog.plural("ahead_count", ahead) if ahead else catalog.text("ahead_none"))
    if ticket.eta_reason is not None:
        lines.append(no_wait_text(catalog, ticket.opens_at, state.office.timezone))
    elif ticket.eta_min:
        lines.append(catalog.text("ticket_eta", eta=catalog.plural("eta_minutes", ticket.eta_min)))
    lines.append(catalog.text(_PRINT_TEXT[state.print_state]))
    # beside the QR code; offline, the visitor first needs to hear that the number counts
    lines.append(catalog.text("ticket_offline" if ticket.offline else "ticket_watch"))
    return ScreenView(
        screen="ticket",
        title=catalog.text("ticket_your_number"),
        number=ticket.number,
        lines=tuple(lines),
        qr=ticket.status_url,
        actions=(Action("home", catalog.text("done"), primary=True),),
    )


_PRINT_TEXT = {
    "printing": "ticket_printing",
    "printed": "ticket_printed",
    "failed": "ticket_print_failed",
    "none": "ticket_no_printer",
}


def outcome_key(code: str) -> str:
    """The catalogue stem for a server error code; unknown codes still get plain words."""
    if code in APPOINTMENT_NOT_FOUND:
        return "not_found"
    if code in ("unauthorized", "forbidden"):
        return "setup"
    simple = {
        "appointment_too_early": "too_early",
        "appointment_too_late": "too_late",
        "appointment_cancelled": "cancelled",
        "appointment_already_checked_in": "already",
        "appointment_not_supported": "not_supported",
        "server_unreachable": "server_unreachable",
    }
    if code in simple:
        return simple[code]
    if code in WALK_IN_REFUSALS:
        return code
    return "other"


def _outcome(state: KioskState, outcome: Outcome, catalog: Catalog) -> ScreenView:
    key = outcome_key(outcome.code)
    tz = state.office.timezone
    details = outcome.details
    params = {
        "start": local_time(str(details.get("start", "")), tz),
        "checkin_from": local_time(str(details.get("checkin_from", "")), tz),
        "number": _already_number(details),
    }
    text_key = f"outcome_{key}_text"
    if key == "already" and not params["number"]:
        text_key = "outcome_already_text_no_number"
    if key in ("too_early", "too_late") and not params["start"]:
        # without the time the neutral "take a walk-in ticket or ask" text still helps
        text_key = "outcome_cancelled_text"
    return ScreenView(
        screen="outcome",
        title=catalog.text(f"outcome_{key}_title"),
        lines=(catalog.text(text_key, **params),),
        number=params["number"] if key == "already" else "",
        actions=_outcome_actions(key, state, catalog),
    )


def _already_number(details: object) -> str:
    ticket = details.get("ticket") if isinstance(details, dict) else None
    return str(ticket.get("number", "")) if isinstance(ticket, dict) else ""


def _outcome_actions(key: str, state: KioskState, catalog: Catalog) -> tuple[Action, ...]:
    walk_in = Action("walk_in", catalog.text("action_walk_in"), primary=True)
    home = Action("home", catalog.text("home"))
    offers: list[Action] = []
    if key == "not_found":
        offers.append(Action("back", catalog.text("action_code_again"), primary=True))
    if key in ("server_unreachable", "other"):
        offers.append(Action("retry", catalog.text("action_retry"), primary=True))
    if key in ("daily_cap_reached", "walk_in_not_allowed", "unknown_service"):
        if state.walk_in_possible:
            offers.append(Action("back", catalog.text("action_services"), primary=True))
    wants_walk_in = key in ("too_early", "too_late", "not_found", "cancelled", "not_supported")
    if wants_walk_in and state.walk_in_possible:
        offers.append(walk_in if not offers else Action("walk_in", walk_in.label))
    if key == "already":
        return (Action("home", catalog.text("done"), primary=True),)
    return (*offers, home)


def shown_code(code: str, length: int) -> str:
    """The typed code with blanks for what is missing, grouped in fours like the server prints it."""
    padded = code.ljust(int(length), "_")
    return f"{padded[:4]} {padded[4:]}" if len(padded) == 8 else padded


def local_time(iso: str, timezone: str) -> str:
    """ "10:30" for an ISO timestamp, in the office's time zone; "" when not a time."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(timezone))
    return moment.strftime("%H:%M")
