"""What the visitor does besides tapping: a keyboard-wedge scanner, a camera, and walking away.

Each input turns hardware events into one plain call (`on_scan(text)`) or one
answer (`IdleTimer.expired`); the App only binds them to the window and the
Kivy clock. Time comes in as a monotonic clock, so all of it is tested without
a window, with keystrokes and camera frames as the only stand-ins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from PIL import Image

from kiosk.flow import KioskState
from kiosk.scan import WedgeBuffer, decode_qr

log = logging.getLogger(__name__)

ENTER_KEYS = (13, 271)  # Enter, keypad Enter (Kivy key codes)
ACCESSIBLE_TIME_FACTOR = 2  # slower readers get longer before the kiosk resets
CAMERA_RESOLUTION = (640, 480)

Clock = Callable[[], float]
OnScan = Callable[[str], None]


class IdleTimer:
    """When a visitor has walked away: no touch or scan for longer than the screen allows."""

    def __init__(
        self, *, idle_timeout_s: float, ticket_timeout_s: float, clock: Clock = time.monotonic
    ) -> None:
        self.idle_timeout_s = idle_timeout_s
        self.ticket_timeout_s = ticket_timeout_s
        self._clock = clock
        self._last_activity = clock()

    def activity(self) -> None:
        self._last_activity = self._clock()

    def expired(self, state: KioskState) -> bool:
        """Whether `state` has waited for the visitor too long (never on start or busy)."""
        if state.screen in ("start", "busy"):
            return False
        limit = self.ticket_timeout_s if state.screen == "ticket" else self.idle_timeout_s
        if state.accessible:
            limit *= ACCESSIBLE_TIME_FACTOR
        return self._clock() - self._last_activity > limit


class ScannerWedge:
    """A keyboard-wedge scanner: a fast burst of typed characters, then Enter, is one scan."""

    def __init__(
        self, *, on_scan: OnScan, clock: Clock = time.monotonic, buffer: WedgeBuffer | None = None
    ) -> None:
        self._on_scan = on_scan
        self._clock = clock
        self._buffer = buffer or WedgeBuffer()

    def text_input(self, text: str) -> None:
        for char in text:
            self._buffer.key(char, now=self._clock())

    def key_down(self, key: int) -> bool:
        """Handle one key press; True when it was Enter (the window need not act on it)."""
        if key not in ENTER_KEYS:
            return False
        scanned = self._buffer.enter(now=self._clock())
        if scanned:
            self._on_scan(scanned)
        return True


class FrameSource(Protocol):
    """A camera: it starts (or says it cannot) and hands out its current picture."""

    def start(self) -> bool: ...

    def frame(self) -> Image.Image | None: ...

    def stop(self) -> None: ...


class KivyCamera:
    """The camera through Kivy's camera provider, when this machine has one."""

    def __init__(self, *, index: int) -> None:
        self.index = index
        self._camera: object | None = None

    def start(self) -> bool:
        """Open the camera; False (and a log line) when there is none."""
        try:
            from kivy.core.camera import Camera

            if Camera is None:
                raise RuntimeError("no Kivy camera provider installed")
            self._camera = Camera(index=self.index, resolution=CAMERA_RESOLUTION, stopped=False)
        except Exception as error:  # noqa: BLE001 - any provider failure means "no camera"
            log.warning("camera %s not available: %s", self.index, error)
            self._camera = None
            return False
        return True

    def frame(self) -> Image.Image | None:
        texture = getattr(self._camera, "texture", None)
        if texture is None:
            return None
        return Image.frombytes("RGBA", texture.size, texture.pixels)

    def stop(self) -> None:
        camera, self._camera = self._camera, None
        stop = getattr(camera, "stop", None)
        if stop is not None:
            stop()


class CameraReader:
    """QR codes held up to the camera; a code is reported once until it leaves the picture."""

    def __init__(self, *, source: FrameSource, on_scan: OnScan) -> None:
        self.source = source
        self._on_scan = on_scan
        self._last_text: str | None = None

    def start(self) -> bool:
        return self.source.start()

    def poll(self) -> None:
        """Look at the current frame once."""
        image = self.source.frame()
        if image is None:
            return
        text = decode_qr(image)
        if text != self._last_text and text:
            self._on_scan(text)
        self._last_text = text

    def stop(self) -> None:
        self.source.stop()
