"""The Kivy App: wires the flow, the effect runner and the inputs to the window, and renders.

Import this module only after `kiosk.launch.prepare_kivy`: importing Kivy's
widgets reads its configuration. Decisions are in `flow`, words in `views`,
effects (network, printing, speech, outbox) in `effects`, the scanner, camera
and idle timer in `inputs`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition

from i18n import Catalog
from kiosk import flow as f
from kiosk.config import KioskConfig
from kiosk.effects import EffectRunner
from kiosk.inputs import CameraReader, IdleTimer, KivyCamera, ScannerWedge
from kiosk.offline import OfflineDesk
from kiosk.ports import Printer, Server, Speaker
from kiosk.screens.appointment import AppointmentScreen
from kiosk.screens.busy import BusyScreen
from kiosk.screens.outcome import OutcomeScreen
from kiosk.screens.services import ServicesScreen
from kiosk.screens.start import StartScreen
from kiosk.screens.ticket import TicketScreen
from kiosk.shaping import FONT_DIR
from kiosk.views import chrome, screen_view
from kiosk.widgets import HIGH_CONTRAST_THEME, NORMAL_THEME, StepButton

ACCESSIBLE_SCALE = 1.22
SCREENS = (StartScreen, ServicesScreen, AppointmentScreen, BusyScreen, TicketScreen, OutcomeScreen)
ACTION_EVENTS: dict[str, Callable[[], f.Event]] = {
    "back": f.Back,
    "home": f.Home,
    "walk_in": f.StartWalkIn,
    "appointment": f.StartAppointment,
    "retry": f.RetryCheckin,
    "submit_code": f.SubmitCode,
    "accessibility": f.ToggleAccessibility,
}

# the QR code on the ticket screen, as a share of the screen's short side
QR_SHARE = 0.32

class KioskRoot(BoxLayout):  # type: ignore[misc]
    chrome = ObjectProperty(None, allownone=True)


class KioskApp(App):  # type: ignore[misc]
    u = NumericProperty(10.0)
    # the ticket's QR code: a share of the short side, the same with large text
    qr_side = NumericProperty(100.0)
    accessible = BooleanProperty(False)
    rtl = BooleanProperty(False)
    theme = ObjectProperty(NORMAL_THEME, rebind=True)
    code_length = NumericProperty(8)
    number_font = StringProperty(str(FONT_DIR / "NotoSans-Bold.ttf"))

    def __init__(
        self,
        *,
        kiosk_config: KioskConfig,
        server: Server | None = None,
        printer: Printer | None = None,
        speaker: Speaker | None = None,
        desk: OfflineDesk | None = None,
        new_key: Callable[[], str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.kiosk_config = kiosk_config
        self.settings = kiosk_config.settings()
        new_key = new_key or (lambda: str(uuid.uuid4()))
        self.flow = f.Flow(settings=self.settings, new_key=new_key)
        self.runner = EffectRunner(
            flow=self.flow,
            server=server,
            printer=printer,
            speaker=speaker,
            desk=desk,
            offline_numbers=kiosk_config.offline_numbers,
            new_key=new_key,
            clock=clock or (server.now if server is not None else lambda: datetime.now(UTC)),
            on_change=self.render,
        )
        self.server, self.desk = server, desk
        self.code_length = self.settings.code_max_length
        self.idle = IdleTimer(
            idle_timeout_s=kiosk_config.idle_timeout_s,
            ticket_timeout_s=kiosk_config.ticket_timeout_s,
        )
        self.wedge = ScannerWedge(on_scan=self._scanned)
        self.camera: CameraReader | None = None
        self._spoken: tuple[str, str] = ("", "")

    # --- wiring ---

    def build(self) -> KioskRoot:
        self.title = "townhall kiosk"
        Builder.load_file(str(Path(__file__).parent / "root.kv"))
        self._update_unit()
        root = KioskRoot()
        screens = root.ids.screens
        screens.transition = NoTransition()
        for screen_class in SCREENS:
            screens.add_widget(screen_class())
        screens.get_screen("appointment").alphabet = self.settings.code_alphabet
        for lang in self.settings.languages:
            root.ids.languages.add_widget(self._language_button(lang))
        Window.bind(on_touch_down=lambda *_: self.idle.activity())
        Window.bind(size=lambda *_: self._update_unit())
        if self.kiosk_config.scanner:
            Window.bind(on_textinput=lambda _w, text: self.wedge.text_input(text))
            Window.bind(on_key_down=lambda _w, key, *_: self.wedge.key_down(key))
        self.root = root
        self.render()
        return root

    def _language_button(self, lang: str) -> Any:
        button = StepButton(raw=Catalog(lang).text("language_name"), action=f"lang:{lang}")
        button.font_size = self.u * 3.3
        self.bind(u=lambda _a, u: setattr(button, "font_size", u * 3.3))
        button.bind(on_release=lambda b: self.act(b.action))
        return button

    def on_start(self) -> None:
        Clock.schedule_interval(self._check_idle, 1.0)
        self.runner.start()
        if self.kiosk_config.camera is not None:
            self.camera = CameraReader(
                source=KivyCamera(index=self.kiosk_config.camera), on_scan=self._scanned
            )
            if self.camera.start():
                Clock.schedule_interval(lambda _dt: self._poll_camera(), 0.25)

    def on_stop(self) -> None:
        self.runner.stop()
        if self.camera is not None:
            self.camera.stop()

    # --- visitor input ---

    def send(self, event: f.Event) -> None:
        self.runner.send(event)

    def act(self, action: str) -> None:
        self.idle.activity()
        if action.startswith("lang:"):
            self.send(f.ChangeLanguage(action.removeprefix("lang:")))
        elif action == "read_aloud":
            self.read_aloud()
        elif action in ACTION_EVENTS:
            self.send(ACTION_EVENTS[action]())

    def choose(self, kind: str, choice_id: str) -> None:
        self.idle.activity()
        if kind == "action":
            self.act(choice_id)
        elif kind == "more":
            self.root.ids.screens.get_screen("services").next_page()
        elif kind == "group":
            self.send(f.OpenGroup(choice_id))
        else:
            self.send(f.ChooseService(choice_id))

    def press_key(self, key: str) -> None:
        self.idle.activity()
        self.send(f.KeypadPress(key))

    def _scanned(self, text: str) -> None:
        self.idle.activity()
        self.send(f.Scanned(text))

    def _poll_camera(self) -> None:
        if self.camera is not None:
            self.camera.poll()

    def _check_idle(self, _dt: float) -> None:
        if self.idle.expired(self.flow.state):
            self.send(f.IdleTimeout())

    # --- drawing ---

    def _update_unit(self) -> None:
        scale = ACCESSIBLE_SCALE if self.accessible else 1.0
        self.u = min(Window.size) / 100 * scale
        self.qr_side = min(Window.size) * QR_SHARE

    def render(self) -> None:
        if self.root is None:
            return
        state = self.flow.state
        if state.accessible != self.accessible:
            self.accessible = state.accessible
            self.theme = HIGH_CONTRAST_THEME if state.accessible else NORMAL_THEME
            self._update_unit()
        self.rtl = Catalog(state.lang).rtl
        view = screen_view(state, settings=self.settings, symbols=dict(self.kiosk_config.symbols))
        self.root.chrome = chrome(
            state, printer_away=self.runner.printer_away, offline_tickets=self.settings.offline
        )
        screens = self.root.ids.screens
        screens.get_screen(state.screen).view = view
        for button in self.root.ids.languages.children:
            button.selected = button.action == f"lang:{state.lang}"
        screens.current = state.screen
        if self._spoken != (state.screen, state.lang) and state.accessible:
            self.read_aloud()
        self._spoken = (state.screen, state.lang)

    def read_aloud(self) -> None:
        if self.root is None:
            return
        state = self.flow.state
        view = self.root.ids.screens.get_screen(state.screen).view
        self.runner.say(view.spoken(), lang=state.lang)
