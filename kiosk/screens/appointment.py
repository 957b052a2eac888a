from kivy.app import App
from kivy.properties import StringProperty

from kiosk.flow import KEYPAD_BACKSPACE
from kiosk.screens import KioskScreen, load_kv
from kiosk.widgets import KeyButton

BACKSPACE_SYMBOL = "⌫"


class AppointmentScreen(KioskScreen):
    """Hold the QR code to the scanner, or type the booking code on a large keypad."""

    alphabet = StringProperty("")

    def on_view(self, *_: object) -> None:
        self.fill_actions(self.ids.actions, self.view.actions)

    def on_alphabet(self, *_: object) -> None:
        keypad = self.ids.keypad
        keypad.clear_widgets()
        app = App.get_running_app()
        for key in [*self.alphabet, KEYPAD_BACKSPACE]:
            label = BACKSPACE_SYMBOL if key == KEYPAD_BACKSPACE else key
            button = KeyButton(text=label, key=key)
            button.bind(on_release=lambda b: app.press_key(b.key))
            keypad.add_widget(button)


load_kv("appointment")
