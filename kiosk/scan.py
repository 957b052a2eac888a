"""Reading appointment QR codes: a keyboard-wedge scanner, and optionally a camera.

A wedge scanner types the code as fast keystrokes ending in Enter. The kiosk has
no keyboard otherwise, so any such burst on any screen is a scan; slow stray keys
are dropped. Camera frames are decoded with zxing-cpp. The inputs that feed these
(window keys, the camera) are in `kiosk.inputs`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import zxingcpp
from PIL import Image

log = logging.getLogger(__name__)

# Scanners type a character every few milliseconds; a person pressing keys one by one
# needs about a second. The limit is well above a scanner's pace because the kiosk reads
# the keys when it gets to them: a window busy for a moment (a screen being built on a
# slow PC) leaves a gap that long in the middle of a scan, and the rest comes at once.
MAX_KEY_GAP_S = 0.75
MIN_LENGTH = 4


@dataclass
class WedgeBuffer:
    """Collects keystrokes; `enter` gives the scanned text or None."""

    max_gap_s: float = MAX_KEY_GAP_S
    min_length: int = MIN_LENGTH
    _chars: list[str] = field(default_factory=list)
    _last: float | None = None

    def key(self, char: str, *, now: float) -> None:
        if self._last is not None and now - self._last > self.max_gap_s:
            self._chars.clear()
        self._chars.append(char)
        self._last = now

    def enter(self, *, now: float) -> str | None:
        stale = self._last is None or now - self._last > self.max_gap_s
        text = "".join(self._chars)
        self._chars.clear()
        self._last = None
        if stale or len(text) < self.min_length:
            return None
        return text


def decode_qr(image: Image.Image) -> str | None:
    """The text of the first QR code in `image`, or None."""
    try:
        qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        results = zxingcpp.read_barcodes(image, formats=qr_only)
    except (ValueError, RuntimeError) as error:
        log.warning("QR decoding failed: %s", error)
        return None
    return next((r.text for r in results if r.valid and r.text), None)
