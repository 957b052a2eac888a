"""One module and one .kv file per screen; each screen only shows a `ScreenView`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.views import Action, Choice, ScreenView
from kiosk.widgets import ChoiceButton, StepButton

KV_DIR = Path(__file__).parent


def load_kv(name: str) -> None:
    Builder.load_file(str(KV_DIR / f"{name}.kv"))


class KioskScreen(Screen):
    """A screen that renders `view`; dynamic rows are rebuilt only when they change."""

    view = ObjectProperty(ScreenView(screen="", title=""), rebind=True)

    def fill_choices(self, container: Widget, choices: tuple[Choice, ...], **look: Any) -> None:
        if getattr(container, "_shown", None) == choices:
            return
        shown: tuple[Choice, ...] = getattr(container, "_shown", ())
        container._shown = choices
        if [(c.id, c.kind) for c in shown] == [(c.id, c.kind) for c in choices]:
            # same buttons, new waiting figures: update in place instead of new textures
            for button, choice in zip(reversed(container.children), choices, strict=True):
                _show_choice(button, choice)
            return
        container.clear_widgets()
        app = App.get_running_app()
        for choice in choices:
            button = ChoiceButton(choice_id=choice.id, kind=choice.kind, **look)
            _show_choice(button, choice)
            button.bind(on_release=lambda b: app.choose(b.kind, b.choice_id))
            container.add_widget(button)

    def fill_actions(self, container: Widget, actions: tuple[Action, ...], **look: Any) -> None:
        if getattr(container, "_shown", None) == actions:
            return
        container._shown = actions
        container.clear_widgets()
        app = App.get_running_app()
        for action in actions:
            button = StepButton(
                raw=action.label, action=action.action, primary=action.primary, **look
            )
            button.bind(on_release=lambda b: app.act(b.action))
            container.add_widget(button)


def _show_choice(button: ChoiceButton, choice: Choice) -> None:
    button.title = choice.title
    button.detail = choice.detail
    button.symbol = choice.symbol
    button.disabled = not choice.enabled
