"""The kiosk's few building blocks: a label that handles every script, big buttons.

Sizes are in `app.u`, one hundredth of the screen's shorter side (larger in the
accessible mode), so the layout is the same on every screen size.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.shaping import font_for, has_arabic, visual_text

Color = tuple[float, float, float, float]


def _rgba(hex_color: str) -> Color:
    value = hex_color.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, 1.0)


@dataclass(frozen=True)
class Theme:
    """Colours of one look. Text on its background reaches WCAG AAA (7:1) in both looks."""

    bg: Color
    fg: Color
    muted: Color
    surface: Color
    on_surface: Color
    primary: Color
    on_primary: Color
    pressed: Color
    border: Color
    disabled_bg: Color
    disabled_fg: Color
    banner_bg: Color
    banner_fg: Color
    selected: Color
    border_width: float


NORMAL_THEME = Theme(
    bg=_rgba("#f2f4f7"),
    fg=_rgba("#101418"),
    muted=_rgba("#343c45"),
    surface=_rgba("#ffffff"),
    on_surface=_rgba("#101418"),
    primary=_rgba("#0a3d73"),
    on_primary=_rgba("#ffffff"),
    pressed=_rgba("#c9d8ea"),
    border=_rgba("#5d6b7a"),
    disabled_bg=_rgba("#e1e4e8"),
    disabled_fg=_rgba("#454c54"),
    banner_bg=_rgba("#fff1c2"),
    banner_fg=_rgba("#3d2e00"),
    selected=_rgba("#0a3d73"),
    border_width=1.5,
)
HIGH_CONTRAST_THEME = Theme(
    bg=_rgba("#000000"),
    fg=_rgba("#ffffff"),
    muted=_rgba("#ffffff"),
    surface=_rgba("#000000"),
    on_surface=_rgba("#ffff00"),
    primary=_rgba("#ffff00"),
    on_primary=_rgba("#000000"),
    pressed=_rgba("#555500"),
    border=_rgba("#ffff00"),
    disabled_bg=_rgba("#1c1c1c"),
    disabled_fg=_rgba("#bdbdbd"),
    banner_bg=_rgba("#ffffff"),
    banner_fg=_rgba("#000000"),
    selected=_rgba("#ffff00"),
    border_width=4,
)


@cache
def _measurer(font_name: str, font_size: float) -> CoreLabel:
    return CoreLabel(font_name=font_name, font_size=font_size)


WRAP_SLACK = 0.95


class KioskLabel(Label):
    """A label for any of the six languages: right font, Arabic shaped, aligned to reading order.

    Set `raw` (logical text), never `text`.
    """

    raw = StringProperty("")
    strong = BooleanProperty(False)
    align = OptionProperty("start", options=["start", "center", "end"])
    rtl = BooleanProperty(False)
    # with `base_font_size` set, a text too long for one line first shrinks (to 3/4 at most)
    base_font_size = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        self._trigger = Clock.create_trigger(self._update, -1)
        super().__init__(**kwargs)
        for name in ("raw", "strong", "align", "rtl", "width", "font_size", "base_font_size"):
            self.fbind(name, self._trigger)
        self._update()

    def _update(self, *_: Any) -> None:
        self.font_name = font_for(self.raw, bold=self.strong)
        start, end = ("right", "left") if self.rtl else ("left", "right")
        self.halign = {"start": start, "center": "center", "end": end}[self.align]
        width = max(self.width - 2 * self.padding[0], 10)
        if self.base_font_size:
            self.font_size = self._fitting_size(width)
        self.text_size = (width, None)
        if has_arabic(self.raw):
            measure = _measurer(self.font_name, self.font_size).get_extents
            # a little slack: should Kivy find a line wider than measured here, it would wrap
            # the already reordered line again and scramble the reading order
            self.text = visual_text(
                self.raw, width=width * WRAP_SLACK, measure=lambda s: measure(s)[0]
            )
        else:
            self.text = self.raw

    def _fitting_size(self, width: float) -> float:
        size = float(self.base_font_size)
        needed = _measurer(self.font_name, size).get_extents(self.raw)[0]
        if needed <= width:
            return size
        return max(size * MIN_FIT_SCALE, size * width / needed * 0.97)


MIN_FIT_SCALE = 0.75


class MirrorBox(BoxLayout):
    """A horizontal box whose children run right to left when `mirrored`."""

    mirrored = BooleanProperty(False)

    def on_mirrored(self, *_: Any) -> None:
        children = list(self.children)
        self.clear_widgets()
        for child in children:
            self.add_widget(child)


class ChoiceButton(ButtonBehavior, MirrorBox):
    """A large errand button: symbol, name in plain words, and how busy it is."""

    choice_id = StringProperty("")
    kind = StringProperty("service")
    title = StringProperty("")
    detail = StringProperty("")
    symbol = StringProperty("")


class StepButton(ButtonBehavior, KioskLabel):
    """A button that moves the visitor on ("Back", "Try again")."""

    action = StringProperty("")
    primary = BooleanProperty(False)
    selected = BooleanProperty(False)


class KeyButton(ButtonBehavior, Label):
    """One key of the booking-code keypad."""

    key = StringProperty("")
    border_color = ListProperty([0, 0, 0, 1])


Builder.load_file(str(Path(__file__).parent / "widgets.kv"))
