from kiosk.screens import KioskScreen, load_kv


class BusyScreen(KioskScreen):
    """Shown while the check-in is on its way; taps here change nothing."""


load_kv("busy")
