"""Driving a real kiosk window offscreen: taps, keystrokes, frames and screenshots.

Used by the tests in tests/kiosk/ and by bench/kiosk_bench.py. A tap is a Kivy
touch sent through the window like a finger's, so it goes through the same hit
testing and button behaviour as on the terminal. Each run owns its process: Kivy
has one window per process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from kiosk.config import KioskConfig
from kiosk.launch import create_app, run_async


class DriverTimeout(AssertionError):
    """What the driver waited for did not happen in time; the message says what."""


class Driver:
    def __init__(self, app: Any) -> None:
        self.app = app
        self._flipped: asyncio.Event | None = None

    @property
    def window(self) -> Any:
        from kivy.core.window import Window

        return Window

    @property
    def state(self) -> Any:
        return self.app.flow.state

    def _on_flip(self, *_: Any) -> None:
        if self._flipped is not None:
            self._flipped.set()

    async def drawn(self, frames: int = 1, timeout: float = 5.0) -> None:
        """Wait until the window has been drawn `frames` more times."""
        if self._flipped is None:
            self._flipped = asyncio.Event()
            self.window.bind(on_flip=self._on_flip)
        for _ in range(frames):
            self._flipped.clear()
            self.window.canvas.ask_update()
            await asyncio.wait_for(self._flipped.wait(), timeout)

    def widgets(self) -> Iterator[Any]:
        screens = self.app.root.ids.screens
        current = screens.current_screen
        for widget in self.app.root.walk(restrict=True):
            if widget is screens:
                continue
            if _inside(widget, screens) and not _inside(widget, current):
                continue
            yield widget

    def find(self, **match: Any) -> Any:
        """The one visible widget whose attributes equal `match` (e.g. action="back")."""
        found = [
            w for w in self.widgets() if all(getattr(w, k, object()) == v for k, v in match.items())
        ]
        if len(found) != 1:
            raise DriverTimeout(f"expected one widget with {match}, found {len(found)}")
        return found[0]

    async def tap(self, widget: Any, *, times: int = 1) -> None:
        from kivy.tests.common import UnitTestTouch

        screens = self.app.root.ids.screens
        # a screen manager ignores touches while it switches screens, as on the terminal
        await self.until(lambda: not screens.transition.is_active, what="the screen switch")
        x, y = widget.to_window(*widget.center)
        for _ in range(times):
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            touch.touch_up()

    async def type_scan(self, text: str) -> None:
        """Type `text` and Enter the way a keyboard-wedge scanner does.

        The keys arrive as one frame's queued events, as a scanner's burst does whenever
        the window is busy. Pausing between keys here would let a loaded test machine
        stretch one pause past the wedge's gap and split the scan; the gap rule itself
        is tested with a clock of its own (tests/kiosk/test_inputs.py).
        """
        for char in text:
            self.window.dispatch("on_textinput", char)
        self.window.dispatch("on_key_down", 13, 40, None, [])
        await asyncio.sleep(0)

    async def until(
        self, condition: Callable[[], bool], *, what: str, timeout: float = 10.0
    ) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise DriverTimeout(f"timed out waiting for {what} (on {self.state.screen})")
            await asyncio.sleep(0.01)

    async def screen(self, name: str, *, timeout: float = 10.0) -> None:
        screens = self.app.root.ids.screens
        await self.until(
            lambda: self.state.screen == name and not screens.transition.is_active,
            what=f"screen {name}",
            timeout=timeout,
        )
        await self.drawn(2)

    def screenshot(self, path: Path) -> Path:
        """The whole kiosk as the visitor sees it, rendered into its own framebuffer."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.app.root.export_to_png(str(path))
        return path

    def overflowing_labels(self) -> list[str]:
        """Visible texts cut off, or sticking out of their button, their screen or the window."""
        from kiosk.widgets import KioskLabel

        problems = []
        for widget in self.widgets():
            if not isinstance(widget, KioskLabel) or not widget.raw or widget.opacity == 0:
                continue
            tw, th = widget.texture_size
            if th > widget.height + 2 or tw > widget.width + 2:
                problems.append(
                    f"{widget.raw[:40]!r}: text {tw}x{th} in {widget.width:.0f}x{widget.height:.0f}"
                )
            container = _outside_of(widget)
            if container is not None:
                problems.append(f"{widget.raw[:40]!r}: sticks out of {type(container).__name__}")
        return problems


def _outside_of(widget: Any) -> Any:
    """The first ancestor (button, screen, window) that `widget` does not fit in, if any."""
    x, y = widget.to_window(widget.x, widget.y)
    right, top = x + widget.width, y + widget.height
    ancestor = widget.parent
    while ancestor is not None and ancestor is not ancestor.parent:
        if _is_frame(ancestor):
            ax, ay = ancestor.to_window(ancestor.x, ancestor.y) if ancestor.parent else (0, 0)
            if (
                x < ax - 1
                or y < ay - 1
                or right > ax + ancestor.width + 1
                or top > ay + ancestor.height + 1
            ):
                return ancestor
        ancestor = ancestor.parent
    return None


def _is_frame(widget: Any) -> bool:
    from kivy.core.window import WindowBase
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.screenmanager import Screen

    return isinstance(widget, (ButtonBehavior, Screen, WindowBase))


def _inside(widget: Any, ancestor: Any) -> bool:
    while widget is not None:
        if widget is ancestor:
            return True
        parent = widget.parent
        widget = parent if parent is not widget else None
    return False


def run_scenario(
    config: KioskConfig,
    scenario: Callable[[Driver], Awaitable[Any]],
    **parts: Any,
) -> Any:
    """Start the kiosk offscreen, run `scenario` once the start screen is drawn, then stop."""
    app = create_app(config, offscreen=True, **parts)
    outcome: dict[str, Any] = {}

    async def drive() -> None:
        driver = Driver(app)
        try:
            await driver.until(lambda: app.root is not None, what="the window", timeout=20)
            await driver.drawn(2)
            outcome["result"] = await scenario(driver)
        except BaseException as error:  # noqa: BLE001 - reported to the caller after stopping
            outcome["error"] = error
        finally:
            app.stop()

    async def main() -> None:
        task = asyncio.get_event_loop().create_task(drive())
        await run_async(app)
        await task

    asyncio.run(main())
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")
