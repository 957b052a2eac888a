"""Spoken calls for the waiting-room display: the sentence per language, and a WAV of it.

The server is the one source of the sentence: a display whose browser has a voice speaks
the text it gets here, a display without voices (many TV browsers) plays the WAV that
espeak-ng makes of the same text. The sentences, espeak-ng and the WAV cache live in the
`speech` package; this module only routes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from speech import SpeechCache, SpeechUnavailable, call_sentence

from ..auth import Device
from ..config import LANGUAGES
from ..context import Context, context_dependency, role
from ..core.errors import Conflict
from ..core.model import Ticket, TicketState
from ..errors import ApiError, bad_request
from ..queue.rows import load_ticket
from .fields import one_of
from .models import errors

router = APIRouter(prefix="/api/v1/announcements")


class TicketNotCalled(Conflict):
    """Only a ticket that is called right now is announced."""

    code = "ticket_not_called"


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
    return ticket, call_sentence(number=ticket.number, counter_label=label, lang=language)


# Declared before the plain id route: "{ticket_id}" alone would also match "x.wav".
@router.get(
    "/{ticket_id}.wav", response_class=Response,
    responses={200: {"content": {"audio/wav": {}}}, **errors(401, 403, 404, 409, 422, 503)},
)
async def announcement_wav(
    ticket_id: str,
    request: Request,
    lang: str = Query("de", json_schema_extra=one_of(*LANGUAGES)),
    ctx: Context = Depends(context_dependency),
    # an <audio> element cannot send a header: the WAV also takes ?token=
    _: Device = Depends(role("display", query_token=True)),
) -> Response:
    _ticket, text = await _text(ctx, ticket_id, lang)
    try:
        wav = await _cache(request).wav(text=text, lang=lang)
    except SpeechUnavailable as error:
        raise ApiError(503, "speech_unavailable", str(error)) from None
    return Response(wav, media_type="audio/wav", headers={"Cache-Control": "private, max-age=600"})


@router.get("/{ticket_id}", responses=errors(401, 403, 404, 409, 422))
async def announcement(
    ticket_id: str,
    lang: str = Query("de", json_schema_extra=one_of(*LANGUAGES)),
    ctx: Context = Depends(context_dependency),
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
