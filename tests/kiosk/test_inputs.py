"""The kiosk's inputs without a window: keystrokes of a wedge scanner, camera frames, idle time."""

from __future__ import annotations

import qrcode
from PIL import Image

from kiosk import flow as f
from kiosk.inputs import CameraReader, IdleTimer, ScannerWedge


class ManualClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_fast_burst_ending_in_enter_is_one_scan() -> None:
    clock, scans = ManualClock(), []
    wedge = ScannerWedge(on_scan=scans.append, clock=clock)
    for char in "ABCD2345":
        wedge.text_input(char)
        clock.now += 0.01
    assert wedge.key_down(13) is True
    assert scans == ["ABCD2345"]
    wedge.text_input("v1.token-typed-in-one-event")
    assert wedge.key_down(271) is True, "keypad Enter ends a scan too"
    assert scans == ["ABCD2345", "v1.token-typed-in-one-event"]


def test_a_scan_read_across_a_busy_moment_of_the_window_stays_one_scan() -> None:
    clock, scans = ManualClock(), []
    wedge = ScannerWedge(on_scan=scans.append, clock=clock)
    wedge.text_input("v1.first-half")
    clock.now += 0.5  # the window was busy; the rest of the keys waited and come at once
    wedge.text_input("-second-half")
    assert wedge.key_down(13) is True
    assert scans == ["v1.first-half-second-half"]


def test_slow_keys_and_other_keys_are_not_scans() -> None:
    clock, scans = ManualClock(), []
    wedge = ScannerWedge(on_scan=scans.append, clock=clock)
    for char in "ABCD":
        wedge.text_input(char)
        clock.now += 1.0  # a person pressing keys, not a scanner
    assert wedge.key_down(97) is False  # "a": the window handles it as usual
    assert wedge.key_down(13) is True
    assert wedge.key_down(13) is True  # Enter alone
    assert scans == []


class Frames:
    """A camera that shows the pictures the test holds up; it may also be missing."""

    def __init__(self, *pictures: Image.Image | None, present: bool = True) -> None:
        self.pictures = list(pictures)
        self.present = present
        self.stopped = False

    def start(self) -> bool:
        return self.present

    def frame(self) -> Image.Image | None:
        return self.pictures.pop(0) if self.pictures else None

    def stop(self) -> None:
        self.stopped = True


def qr_picture(text: str) -> Image.Image:
    image: Image.Image = qrcode.make(text).get_image().convert("RGBA")
    return image


def test_a_code_in_front_of_the_camera_is_reported_once_until_it_leaves() -> None:
    code, blank = qr_picture("v1.signed-appointment-token"), Image.new("RGBA", (300, 300), "white")
    scans: list[str] = []
    frames = Frames(code, code, None, code, blank, code)
    camera = CameraReader(source=frames, on_scan=scans.append)
    assert camera.start()
    for _ in range(6):
        camera.poll()
    assert scans == ["v1.signed-appointment-token", "v1.signed-appointment-token"]
    camera.stop()
    assert frames.stopped


def test_no_camera_is_said_not_fatal() -> None:
    camera = CameraReader(source=Frames(present=False), on_scan=lambda _text: None)
    assert camera.start() is False
    camera.poll()


def test_the_kiosk_resets_after_the_idle_time_of_its_screen() -> None:
    clock = ManualClock()
    idle = IdleTimer(idle_timeout_s=60, ticket_timeout_s=20, clock=clock)
    services, ticket = f.KioskState(screen="services"), f.KioskState(screen="ticket")
    clock.now += 30
    assert not idle.expired(services) and idle.expired(ticket)
    clock.now += 31
    assert idle.expired(services)
    assert not idle.expired(f.KioskState(screen="start"))
    assert not idle.expired(f.KioskState(screen="busy")), "never while a check-in is on its way"
    idle.activity()
    clock.now += 21
    assert idle.expired(ticket)
    assert not idle.expired(f.KioskState(screen="ticket", accessible=True)), "slower readers"
