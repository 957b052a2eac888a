"""Request bodies have a size limit per route: a 413 JSON error, before the body is read."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import error_body

DEFAULT_LIMIT = 64 * 1024
# path prefix -> bytes
LIMITS = {"/api/v1/appointments/import": 2_000_000}


class BodyTooLarge(Exception):
    """The body grew past the route's limit while it was read."""


def limit_for(path: str) -> int:
    return next((size for prefix, size in LIMITS.items() if path.startswith(prefix)), DEFAULT_LIMIT)


class BodyLimit:
    """ASGI middleware: refuse a body over the route's limit with 413 `payload_too_large`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:


    body = json.dumps(error_body("payload_too_large", f"the request body may be at most {limit} bytes")).encode()
    headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
