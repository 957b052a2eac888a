"""Read-aloud through offline speech (espeak-ng), so nothing leaves the office.

Speaking never blocks the screen: the synthesiser runs as a child process, and a
new screen interrupts the previous sentence. Without espeak-ng the button still
works, it just stays silent (and says so in the log).
"""

from __future__ import annotations

import asyncio
import logging
import shutil

log = logging.getLogger(__name__)

VOICES = {"de": "de", "en": "en-gb", "tr": "tr", "ar": "ar", "uk": "uk", "ru": "ru"}
WORDS_PER_MINUTE = 140  # slower than the default 175: many listeners are elderly


def espeak_command(
    *, executable: str, text: str, lang: str, wav_path: str | None = None, to_stdout: bool = False
) -> list[str]:
    """The espeak-ng call for `text`: played, written to `wav_path`, or a WAV on stdout."""
    command = [executable, "-v", VOICES.get(lang, "de"), "-s", str(WORDS_PER_MINUTE)]
    if wav_path is not None:
        command += ["-w", wav_path]
    if to_stdout:
        command.append("--stdout")
    return [*command, "--", text]


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
