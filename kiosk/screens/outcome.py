from kiosk.screens import KioskScreen, load_kv


class OutcomeScreen(KioskScreen):
    """Why there is no ticket, in plain words, and what the visitor can do next."""

    def on_view(self, *_: object) -> None:
        self.fill_actions(self.ids.actions, self.view.actions)


load_kv("outcome")
