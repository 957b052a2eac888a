"""The last WAVs of spoken calls, so a recall and every further display get them at once."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from .espeak import synthesise

CACHED_WAVS = 50


class SpeechCache:
    """The last WAVs by (text, lang).

    All displays ask for a call's WAV at the same moment; the first request starts
    espeak-ng and the others wait for that one run instead of starting their own.
    A failed run is not kept, so the next request tries again.
    """

    def __init__(self, size: int = CACHED_WAVS) -> None:
        self.size = size
        self._wavs: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._running: dict[tuple[str, str], asyncio.Task[bytes]] = {}

    async def wav(self, *, text: str, lang: str) -> bytes:
        key = (text, lang)
        if key in self._wavs:
            self._wavs.move_to_end(key)
            return self._wavs[key]
        task = self._running.get(key)
        if task is None:
            task = asyncio.create_task(asyncio.to_thread(synthesise, text=text, lang=lang))
            self._running[key] = task
            task.add_done_callback(lambda done: self._keep(key, done))
        # one display giving up (closed connection) must not cancel the run the others wait for
        return await asyncio.shield(task)

    def _keep(self, key: tuple[str, str], task: asyncio.Task[bytes]) -> None:
        del self._running[key]
        if task.cancelled() or task.exception() is not None:
            return
        self._wavs[key] = task.result()
        while len(self._wavs) > self.size:
            self._wavs.popitem(last=False)
