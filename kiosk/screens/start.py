from kiosk.screens import KioskScreen, load_kv


class StartScreen(KioskScreen):
    """Welcome, and the two ways in: a walk-in ticket or "I have an appointment"."""

    def on_view(self, *_: object) -> None:
        self.fill_choices(self.ids.choices, self.view.choices)


load_kv("start")
