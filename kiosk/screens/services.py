from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty

from kiosk.screens import KioskScreen, load_kv
from kiosk.views import Choice

MORE_SYMBOL = "…"
FIRST_PAGE_SYMBOL = "↺"
# an errand button needs this many units to show two lines of name and one of detail
MIN_CHOICE_HEIGHT_U = 14.5


class ServicesScreen(KioskScreen):
    """The errands as large buttons, with how busy each is and why one is not possible.

    When the buttons do not fit at a readable size (large text, small screen), the
    last place becomes "More errands", which turns the page; on the last page it
    says that it goes back to the first.
    """

    page = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._trigger_layout = Clock.create_trigger(self._layout, -1)
        self.ids.grid.bind(height=self._trigger_layout)
        self.bind(page=self._trigger_layout)

    def on_pre_enter(self, *_: object) -> None:
        self.page = 0

    def on_view(self, *_: object) -> None:
        self.fill_actions(self.ids.actions, self.view.actions)
        self._trigger_layout()

    def next_page(self) -> None:
        self.page += 1

    def _layout(self, *_: object) -> None:
        grid = self.ids.grid
        u = App.get_running_app().u
        per_column = int(
            (grid.height + grid.spacing[1]) // (MIN_CHOICE_HEIGHT_U * u + grid.spacing[1])
        )
        self.fill_choices(grid, self._page_of(self.view.choices, max(per_column, 2) * grid.cols))

    def _page_of(self, choices: tuple[Choice, ...], places: int) -> tuple[Choice, ...]:
        if len(choices) <= places:
            return choices
        per_page = places - 1
        pages = -(-len(choices) // per_page)
        page = self.page % pages
        last = page == pages - 1
        more = Choice(
            id="more",
            kind="more",
            title=self.view.first_page if last else self.view.more,
            detail=self.view.page_of.format(page=page + 1, pages=pages),
            symbol=FIRST_PAGE_SYMBOL if last else MORE_SYMBOL,
            enabled=True,
        )
        return (*choices[page * per_page : (page + 1) * per_page], more)


load_kv("services")
