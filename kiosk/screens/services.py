from kiosk.screens import KioskScreen, load_kv


class ServicesScreen(KioskScreen):
    """The errands as large buttons, with how busy each is and why one is not possible."""

    def on_view(self, *_: object) -> None:
        self.fill_choices(self.ids.grid, self.view.choices)
        self.fill_actions(self.ids.actions, self.view.actions)


load_kv("services")
