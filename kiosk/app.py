"""The Kivy app: renders the flow's state and carries its effects out on the asyncio loop.

The App only wires things together. Decisions are in `flow`, words in `views`,
network in `client`, printing in `printing`, reading aloud in `speech`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.config import KioskConfig
from kiosk.reconcile import OfflineSync

log = logging.getLogger(__name__)

ACCESSIBLE_SCALE = 1.22
ACCESSIBLE_TIME_FACTOR = 2  # slower readers get longer before the kiosk resets
SERVICES_REFRESH_S = 30.0
EVENT_COALESCE_S = 0.3


def prepare_kivy(config: KioskConfig, *, offscreen: bool = False) -> None:
    """Kivy settings that must be in place before the window exists."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    if "KIVY_HOME" not in os.environ:
        # Kivy writes its own config there; keep it out of the user's ~/.kivy
        home = Path.home() / ".cache" / "townhall-kiosk" / "kivy"
        home.mkdir(parents=True, exist_ok=True)
        os.environ["KIVY_HOME"] = str(home)
    if offscreen:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    from kivy.config import Config

    Config.set("graphics", "width", str(config.width))
    Config.set("graphics", "height", str(config.height))
    Config.set("graphics", "fullscreen", "auto" if config.fullscreen else "0")
    Config.set("graphics", "resizable", "0" if config.fullscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "keyboard_mode", "system")


def build_app_class() -> type:
    """The App class; defined after `prepare_kivy`, because importing Kivy widgets reads its config."""
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.properties import (
        BooleanProperty,
        NumericProperty,
        ObjectProperty,
        StringProperty,
    )
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.screenmanager import NoTransition

    from i18n import Catalog
    from kiosk import flow as f
    from kiosk.scan import CameraScanner, WedgeBuffer
    from kiosk.shaping import FONT_DIR
    from kiosk.views import chrome, screen_view
    from kiosk.widgets import HIGH_CONTRAST_THEME, NORMAL_THEME, StepButton

    class KioskRoot(BoxLayout):
        chrome = ObjectProperty(None, allownone=True)

    class KioskApp(App):  # type: ignore[misc]
        u = NumericProperty(10.0)
        accessible = BooleanProperty(False)
        rtl = BooleanProperty(False)
        theme = ObjectProperty(NORMAL_THEME, rebind=True)
        code_length = NumericProperty(8)
        number_font = StringProperty(str(FONT_DIR / "NotoSans-Bold.ttf"))

        def __init__(
            self,
            *,
            kiosk_config: KioskConfig,
            server: Any = None,
            printer: Any = None,
            speaker: Any = None,
            new_key: Callable[[], str] | None = None,
            desk: Any = None,
            clock: Callable[[], datetime] | None = None,
        ) -> None:
            super().__init__()
            self.kiosk_config = kiosk_config
            self.settings = kiosk_config.settings()
            self._new_key = new_key or (lambda: str(uuid.uuid4()))
            self.flow = f.Flow(settings=self.settings, new_key=self._new_key)
            self.server = server
            self.printer = printer
            self.speaker = speaker
            self.desk = desk
            self.offline_sync = OfflineSync(
                desk=desk, per_service=kiosk_config.offline_numbers, new_key=self._new_key
            )
            self.now = clock or getattr(server, "now", None) or (lambda: datetime.now(UTC))
            self.code_length = self.settings.code_max_length
            self.wedge = WedgeBuffer()
            self.camera: CameraScanner | None = None
            self.printer_away = False
            self._tasks: set[asyncio.Task[Any]] = set()
            self._last_activity = time.monotonic()
            self._refreshing = False
            self._refresh_again = False
            self._refresh_trigger = Clock.create_trigger(
                lambda *_: self.spawn(self.refresh_services()), EVENT_COALESCE_S
            )

        # --- building ---

        def build(self) -> KioskRoot:
            from kivy.core.window import Window
            from kivy.lang import Builder

            from kiosk.screens.appointment import AppointmentScreen
            from kiosk.screens.busy import BusyScreen
            from kiosk.screens.outcome import OutcomeScreen
            from kiosk.screens.services import ServicesScreen
            from kiosk.screens.start import StartScreen
            from kiosk.screens.ticket import TicketScreen

            self.title = "townhall kiosk"
            Builder.load_file(str(Path(__file__).parent / "root.kv"))
            self._update_unit()
            root = KioskRoot()
            screens = root.ids.screens
            screens.transition = NoTransition()
            for screen_class in (
                StartScreen,
                ServicesScreen,
                AppointmentScreen,
                BusyScreen,
                TicketScreen,
                OutcomeScreen,
            ):
                screens.add_widget(screen_class())
            screens.get_screen("appointment").alphabet = self.settings.code_alphabet
            for lang in self.settings.languages:
                button = StepButton(raw=Catalog(lang).text("language_name"), action=f"lang:{lang}")
                button.font_size = self.u * 3.3
                self.bind(u=lambda _a, u, b=button: setattr(b, "font_size", u * 3.3))
                button.bind(on_release=lambda b: self.act(b.action))
                root.ids.languages.add_widget(button)
            Window.bind(on_touch_down=self._on_touch, size=lambda *_: self._update_unit())
            if self.kiosk_config.scanner:
                Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
            self.root = root
            self.render()
            return root

        def on_start(self) -> None:
            Clock.schedule_interval(self._check_idle, 1.0)
            if self.server is not None:
                self.spawn(
                    self.server.watch(on_event=self._on_server_event, on_status=self._on_status)
                )
                self.spawn(self._refresh_periodically())
            if self.printer is not None:
                self.spawn(self._check_printer())
            if self.kiosk_config.camera is not None:
                self.camera = CameraScanner(index=self.kiosk_config.camera)
                if self.camera.start():
                    Clock.schedule_interval(self._poll_camera, 0.25)

        def on_stop(self) -> None:
            for task in self._tasks:
                task.cancel()
            if self.camera is not None:
                self.camera.stop()

        def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
            task = asyncio.get_event_loop().create_task(coroutine)
            self._tasks.add(task)
            task.add_done_callback(self._task_done)

        def _task_done(self, task: asyncio.Task[Any]) -> None:
            self._tasks.discard(task)
            if not task.cancelled() and task.exception() is not None:
                log.error("kiosk task failed", exc_info=task.exception())

        # --- visitor input ---

        def send(self, event: Any) -> None:
            effects = self.flow.handle(event)
            self.render()
            for effect in effects:
                self._perform(effect)

        def act(self, action: str) -> None:
            self._activity()
            if action.startswith("lang:"):
                self.send(f.ChangeLanguage(action.removeprefix("lang:")))
            elif action == "read_aloud":
                self.read_aloud()
            elif action in _ACTION_EVENTS:
                self.send(_ACTION_EVENTS[action]())

        def choose(self, kind: str, choice_id: str) -> None:
            self._activity()
            if kind == "action":
                self.act(choice_id)
            elif kind == "more":
                self.root.ids.screens.get_screen("services").next_page()
            elif kind == "group":
                self.send(f.OpenGroup(choice_id))
            else:
                self.send(f.ChooseService(choice_id))

        def press_key(self, key: str) -> None:
            self._activity()
            self.send(f.KeypadPress(key))

        def _on_touch(self, *_: Any) -> None:
            self._activity()

        def _on_textinput(self, _window: Any, text: str) -> None:
            for char in text:
                self.wedge.key(char, now=time.monotonic())

        def _on_key_down(self, _w: Any, key: int, _sc: int, _cp: Any, _mods: Any) -> bool:
            if key not in (13, 271):  # Enter, keypad Enter
                return False
            scanned = self.wedge.enter(now=time.monotonic())
            if scanned:
                self._activity()
                self.send(f.Scanned(scanned))
            return True

        def _poll_camera(self, _dt: float) -> None:
            text = self.camera.poll() if self.camera is not None else None
            if text:
                self._activity()
                self.send(f.Scanned(text))

        def _activity(self) -> None:
            self._last_activity = time.monotonic()

        def _check_idle(self, _dt: float) -> None:
            screen = self.flow.state.screen
            if screen in ("start", "busy"):
                return
            limit = self.kiosk_config.idle_timeout_s
            if screen == "ticket":
                limit = self.kiosk_config.ticket_timeout_s
            if self.flow.state.accessible:
                limit *= ACCESSIBLE_TIME_FACTOR
            if time.monotonic() - self._last_activity > limit:
                self.send(f.IdleTimeout())

        # --- drawing ---

        def _update_unit(self) -> None:
            from kivy.core.window import Window

            scale = ACCESSIBLE_SCALE if self.accessible else 1.0
            self.u = min(Window.size) / 100 * scale

        def render(self) -> None:
            if self.root is None:
                return
            state = self.flow.state
            if state.accessible != self.accessible:
                self.accessible = state.accessible
                self.theme = HIGH_CONTRAST_THEME if state.accessible else NORMAL_THEME
                self._update_unit()
            self.rtl = Catalog(state.lang).rtl
            view = screen_view(
                state, settings=self.settings, symbols=dict(self.kiosk_config.symbols)
            )
            self.root.chrome = chrome(
                state, printer_away=self.printer_away, offline_tickets=self.settings.offline
            )
            screens = self.root.ids.screens
            screens.get_screen(state.screen).view = view
            for button in self.root.ids.languages.children:
                button.selected = button.action == f"lang:{state.lang}"
            changed = (screens.current, self._spoken_lang) != (state.screen, state.lang)
            screens.current = state.screen
            if changed and state.accessible:
                self.read_aloud()
            self._spoken_lang = state.lang

        _spoken_lang = ""

        def read_aloud(self) -> None:
            if self.speaker is None or self.root is None:
                return
            state = self.flow.state
            view = self.root.ids.screens.get_screen(state.screen).view
            self.spawn(self.speaker.say(view.spoken(), lang=state.lang))

        # --- effects ---

        def _perform(self, effect: Any) -> None:
            if isinstance(effect, f.SendCheckin):
                self.spawn(self._check_in(effect))
            elif isinstance(effect, f.PrintTicket):
                self.spawn(self._print(effect))
            elif isinstance(effect, f.RefreshServices):
                self.spawn(self.refresh_services())
            elif isinstance(effect, f.IssueOffline):
                self._issue_offline(effect)

        def _issue_offline(self, effect: f.IssueOffline) -> None:
            """A ticket from a leased number, or the plain 'not reachable' outcome."""
            from kiosk.offline import OfflineStorageError

            if self.desk is None:
                self.send(f.CheckinFailed(code="server_unreachable", offline=True))
                return
            try:
                result = self.desk.issue(
                    key=effect.idempotency_key, request=effect.request, now=self.now()
                )
            except OfflineStorageError as error:
                log.error("offline ticket not issued: %s", error)
                result = f.CheckinFailed(code="server_unreachable", offline=True)
            if isinstance(result, f.Ticket):
                log.warning("issued %s offline (leased number)", result.number)
                self.send(f.CheckinSucceeded(ticket=result))
                self._show_offline_services()
            else:
                self.send(replace(result, offline=True))

        def _show_offline_services(self) -> None:
            if self.desk is None:
                return
            state = self.flow.state
            # a kiosk started during the outage knows the errands only from its file
            if state.services:
                known = f.ServicesLoaded(state.office, state.services)
            else:
                known = self.desk.cached_services()
            if known is None:
                return
            services = self.desk.offline_services(known.services, self.now())
            self.send(f.ServicesLoaded(office=known.office, services=services, online=False))

        async def _check_in(self, effect: f.SendCheckin) -> None:
            if self.server is None:
                self.send(f.ServerUnreachable())
                return
            result = await self.server.check_in(
                idempotency_key=effect.idempotency_key, request=effect.request
            )
            self.send(result)

        async def refresh_services(self) -> None:
            if self.server is None:
                return
            if self._refreshing:
                self._refresh_again = True
                return
            self._refreshing = True
            try:
                while True:
                    self._refresh_again = False
                    loaded = await self.server.services()
                    if loaded is not None:
                        self.send(loaded)
                        self.offline_sync.remember(loaded)
                        self.spawn(self.offline_sync.run(self.server, now=self.now()))
                    elif self.settings.offline:
                        self._show_offline_services()
                    if not self._refresh_again:
                        break
            finally:
                self._refreshing = False

        async def _refresh_periodically(self) -> None:
            while True:
                await self.refresh_services()
                await asyncio.sleep(SERVICES_REFRESH_S)

        def _on_server_event(self, event: Mapping[str, Any]) -> None:
            from kiosk.client import refreshes_services

            if refreshes_services(event):
                self._refresh_trigger()

        def _on_status(self, reachable: bool) -> None:
            self.send(f.ServerStatus(reachable=reachable))
            if not reachable and self.settings.offline:
                self._show_offline_services()

        async def _print(self, effect: f.PrintTicket) -> None:
            state = self.flow.state
            service = next((s for s in state.services if s.id == effect.ticket.service_id), None)
            errand = service.name(effect.lang) if service else effect.ticket.service_id
            errand_de = service.name("de") if service else errand
            ok = await self.printer.print_ticket(
                ticket=effect.ticket,
                office_name=state.office.name,
                lang=effect.lang,
                errand=errand,
                errand_de=errand_de,
                issued_at=_issued_at(effect.ticket.created_at, state.office.timezone),
            )
            self.printer_away = not ok
            self.send(f.PrintFinished(ok=ok))

        async def _check_printer(self) -> None:
            self.printer_away = not await self.printer.ready()
            self.render()

    _ACTION_EVENTS: dict[str, Callable[[], Any]] = {
        "back": f.Back,
        "home": f.Home,
        "walk_in": f.StartWalkIn,
        "appointment": f.StartAppointment,
        "retry": f.RetryCheckin,
        "submit_code": f.SubmitCode,
        "accessibility": f.ToggleAccessibility,
    }
    return KioskApp


def _issued_at(created_at: str | None, timezone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(created_at or "")
    except ValueError:
        moment = datetime.now(UTC)
    return moment.astimezone(ZoneInfo(timezone))


def create_app(config: KioskConfig, *, offscreen: bool = False, **parts: Any) -> Any:
    """A ready kiosk App; `parts` may replace server, printer, speaker or new_key (tests, bench)."""
    prepare_kivy(config, offscreen=offscreen)
    from kiosk.client import ServerClient
    from kiosk.printing import KioskPrinter
    from speech import Speaker

    parts.setdefault("server", ServerClient(base_url=config.server, token=config.token))
    if "printer" not in parts and config.printer:
        parts["printer"] = KioskPrinter(address=config.printer, paper_mm=config.paper_mm)
    parts.setdefault("speaker", Speaker(executable=config.read_aloud))
    if "desk" not in parts and config.offline_numbers > 0:
        from kiosk.offline import OfflineDesk

        parts["desk"] = OfflineDesk(config.offline_file)
    return build_app_class()(kiosk_config=config, **parts)


async def run_async(app: Any) -> None:
    try:
        await app.async_run(async_lib="asyncio")
    finally:
        if app.server is not None:
            await app.server.close()


def run(config: KioskConfig, *, offscreen: bool = False) -> None:
    """Start the kiosk and block until its window closes."""
    asyncio.run(run_async(create_app(config, offscreen=offscreen)))
