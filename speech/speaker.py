"""The kiosk's read-aloud through espeak-ng, so nothing leaves the office.

Speaking never blocks the screen: the synthesiser runs as a child process, and a
new screen interrupts the previous sentence. Without espeak-ng the button still
works, it just stays silent (and says so in the log).
"""

from __future__ import annotations

import asyncio
import logging
import shutil

from .espeak import espeak_command

log = logging.getLogger(__name__)

class Speaker:
    def __init__(self, *, executable: str = "espeak-ng") -> None:
        self.executable = shutil.which(executable) if executable else None
        if executable and self.executable is None:
            log.warning("%s not found: read-aloud is silent", executable)
        self._current: asyncio.subprocess.Process | None = None

    @property
    def available(self) -> bool:
        return self.executable is not None

    async def say(self, text: str, *, lang: str, wav_path: str | None = None) -> None:
        await self.stop()
        if self.executable is None or not text:
            return
        command = espeak_command(
            executable=self.executable, text=text, lang=lang, wav_path=wav_path
        )
        try:
            self._current = await asyncio.create_subprocess_exec(
                *command,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
            await self._current.wait()
        except OSError as error:
            log.warning("read-aloud failed: %s", error)
        finally:
            self._current = None

    async def stop(self) -> None:
        process = self._current
        if process is not None and process.returncode is None:
            process.terminate()
            await process.wait()
