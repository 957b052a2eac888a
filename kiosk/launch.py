"""Starting the kiosk: Kivy's settings first, then the App with its real parts.

Kivy reads its configuration when its widgets are first imported, so
`prepare_kivy` runs before `kiosk.app` is imported; `create_app` keeps that
order for every caller (the CLI, `kiosk.testing`, the benchmark).
"""

from __future__ import annotations

import asyncio
import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kiosk.config import KioskConfig

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from kiosk.app import KioskApp
    from kiosk.offline import OfflineDesk
    from kiosk.ports import Printer, Server, Speaker


class _Default(Enum):
    PART = "the part the configuration gives"


DEFAULT: Literal[_Default.PART] = _Default.PART


def prepare_kivy(config: KioskConfig, *, offscreen: bool = False) -> None:
    """Kivy settings that must be in place before the window exists."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    if "KIVY_HOME" not in os.environ:
        # Kivy writes its own config there; keep it out of the user's ~/.kivy
        home = Path.home() / ".cache" / "townhall-kiosk" / "kivy"
        home.mkdir(parents=True, exist_ok=True)
        os.environ["KIVY_HOME"] = str(home)
    if offscreen:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    from kivy.config import Config

    Config.set("graphics", "width", str(config.width))
    Config.set("graphics", "height", str(config.height))
    Config.set("graphics", "fullscreen", "auto" if config.fullscreen else "0")
    Config.set("graphics", "resizable", "0" if config.fullscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "keyboard_mode", "system")


def create_app(
    config: KioskConfig,
    *,
    offscreen: bool = False,
    server: Server | None | _Default = DEFAULT,
    printer: Printer | None | _Default = DEFAULT,
    speaker: Speaker | None | _Default = DEFAULT,
    desk: OfflineDesk | None | _Default = DEFAULT,
    new_key: Callable[[], str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> KioskApp:
    """A ready kiosk App; tests and the benchmark may hand in other parts, or None for none."""
    prepare_kivy(config, offscreen=offscreen)
    from kiosk.app import KioskApp

    return KioskApp(
        kiosk_config=config,
        server=_default_server(config) if server is DEFAULT else server,
        printer=_default_printer(config) if printer is DEFAULT else printer,
        speaker=_default_speaker(config) if speaker is DEFAULT else speaker,
        desk=_default_desk(config) if desk is DEFAULT else desk,
        new_key=new_key,
        clock=clock,
    )


def _default_server(config: KioskConfig) -> Server:
    from kiosk.client import ServerClient

    return ServerClient(base_url=config.server, token=config.token, ca_file=config.ca)


def _default_printer(config: KioskConfig) -> Printer | None:
    if not config.printer:
        return None
    from kiosk.printing import KioskPrinter

    return KioskPrinter(address=config.printer, paper_mm=config.paper_mm)


def _default_speaker(config: KioskConfig) -> Speaker:
    from speech import Speaker as EspeakSpeaker

    return EspeakSpeaker(executable=config.read_aloud)


def _default_desk(config: KioskConfig) -> OfflineDesk | None:
    if config.offline_numbers <= 0:
        return None
    from kiosk.offline import OfflineDesk

    return OfflineDesk(config.offline_file)


async def run_async(app: KioskApp) -> None:
    try:
        await app.async_run(async_lib="asyncio")
    finally:
        if app.server is not None:
            await app.server.close()


def run(config: KioskConfig, *, offscreen: bool = False) -> None:
    """Start the kiosk and block until its window closes."""
    asyncio.run(run_async(create_app(config, offscreen=offscreen)))
