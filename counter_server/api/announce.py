"""Spoken calls for the waiting-room display: the sentence per language, and a WAV of it.

The server is the one source of the sentence: a display whose browser has a voice speaks
the text it gets here, a display without voices (many TV browsers) plays the WAV that
espeak-ng makes of the same text. Only the ticket number and the counter label are
spoken, never a name.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import struct
import subprocess
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from kiosk.speech import espeak_command

from ..auth import Device
from ..config import LANGUAGES
from ..context import Context, context, role
from ..core.errors import Conflict
from ..core.model import Ticket, TicketState
from ..errors import ApiError, bad_request
from ..queue.rows import load_ticket

router = APIRouter(prefix="/api/v1/announcements")

ESPEAK_ENV = "TOWNHALL_ESPEAK"  # names the synthesiser; tests point it at a missing one
SPEAK_TIMEOUT_S = 5.0
CACHED_WAVS = 50
SENTENCES = {
    "de": "Nummer {number}, bitte zu {counter}.",
    "en": "Number {number}, please go to {counter}.",
    "tr": "Numara {number}, lütfen {counter} gişesine gidin.",
    "ar": "الرقم {number}، يرجى التوجه إلى {counter}.",
    "uk": "Номер {number}, пройдіть, будь ласка, до: {counter}.",
    "ru": "Номер {number}, пройдите, пожалуйста, к: {counter}.",
}


class TicketNotCalled(Conflict):
    """Only a ticket that is called right now is announced."""

    code = "ticket_not_called"


class SpeechUnavailable(Exception):
    """espeak-ng is missing, failed or took too long; the display keeps its chime."""


def announcement_text(*, number: str, counter_label: str, lang: str) -> str:
    # Spelled out ("A 0 4 2"): read as a whole, "A042" becomes a word or "forty-two".
    return SENTENCES[lang].format(number=" ".join(number), counter=counter_label)


def _with_sizes(wav: bytes) -> bytes:
    """espeak-ng cannot seek back on a pipe and leaves placeholder sizes; write the real ones."""
    data_at = wav.find(b"data", 12)
    if not wav.startswith(b"RIFF") or data_at < 0 or len(wav) <= data_at + 8:
        raise SpeechUnavailable("espeak-ng did not produce a WAV")
    fixed = bytearray(wav)
    struct.pack_into("<I", fixed, 4, len(wav) - 8)
    struct.pack_into("<I", fixed, data_at + 4, len(wav) - data_at - 8)
    return bytes(fixed)


def synthesise(*, text: str, lang: str) -> bytes:
    """A WAV of `text`; blocking, so callers run it in a worker thread."""
    name = os.environ.get(ESPEAK_ENV, "espeak-ng")
    executable = shutil.which(name)
    if executable is None:
        raise SpeechUnavailable(f"{name} is not installed")
    # the kiosk's voices and pace: one way to speak in the whole office
    command = espeak_command(executable=executable, text=text, lang=lang, to_stdout=True)
    try:
        done = subprocess.run(command, capture_output=True, timeout=SPEAK_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise SpeechUnavailable(f"{name} took longer than {SPEAK_TIMEOUT_S:g} s") from None
    except OSError as error:
        raise SpeechUnavailable(f"{name} could not run: {error}") from None
    if done.returncode != 0:
        raise SpeechUnavailable(f"{name} failed with exit code {done.returncode}")
    return _with_sizes(done.stdout)


class SpeechCache:
    """The last WAVs by (text, lang): a recall, and every further display, gets them at once.

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


def _cache(request: Request) -> SpeechCache:
    state = request.app.state
    if not hasattr(state, "speech_cache"):
        state.speech_cache = SpeechCache()
    cache: SpeechCache = state.speech_cache
    return cache


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise bad_request(
            f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})", code="unknown_language"
        )
    return lang


async def _called_ticket(ctx: Context, ticket_id: str) -> Ticket:
    ticket = await ctx.store.read(lambda db: load_ticket(db, ticket_id))
    if ticket.state is not TicketState.CALLED:
        raise TicketNotCalled(
            f"ticket {ticket.number} is {ticket.state.value}, not called", state=ticket.state.value
        )
    return ticket


async def _text(ctx: Context, ticket_id: str, lang: str) -> tuple[Ticket, str]:
    language = _language(lang)
    ticket = await _called_ticket(ctx, ticket_id)
    counter = ctx.config.office.counter(ticket.counter_id) if ticket.counter_id else None
    label = counter.label if counter else ""
    return ticket, announcement_text(number=ticket.number, counter_label=label, lang=language)


# Declared before the plain id route: "{ticket_id}" alone would also match "x.wav".
@router.get("/{ticket_id}.wav", response_class=Response)
async def announcement_wav(
    ticket_id: str,
    request: Request,
    lang: str = "de",
    ctx: Context = Depends(context),
    _: Device = Depends(role("display")),
) -> Response:
    _ticket, text = await _text(ctx, ticket_id, lang)
    try:
        wav = await _cache(request).wav(text=text, lang=lang)
    except SpeechUnavailable as error:
        raise ApiError(503, "speech_unavailable", str(error)) from None
    return Response(wav, media_type="audio/wav", headers={"Cache-Control": "private, max-age=600"})


@router.get("/{ticket_id}")
async def announcement(
    ticket_id: str,
    lang: str = "de",
    ctx: Context = Depends(context),
    _: Device = Depends(role("display")),
) -> dict[str, Any]:
    ticket, text = await _text(ctx, ticket_id, lang)
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "lang": lang,
        "text": text,
        "audio_url": f"{router.prefix}/{ticket.id}.wav?lang={lang}",
    }
