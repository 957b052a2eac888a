"""The public listener (`townhall serve --public-port P`): the booking site and visitors' pages only.

A town exposes this listener alone through its reverse proxy. It answers the paths
below and 404 to everything else: every device API, the clerk page, the display,
the API docs. It serves the same app, so both listeners share one database writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import error_body

# exact paths, and prefixes that end in "/"
PUBLIC_PATHS = frozenset({"/book", "/privacy", "/health", "/favicon.ico"})
PUBLIC_PREFIXES = (
    "/book/", "/t/", "/open/", "/api/v1/tickets/public/", "/api/v1/texts/",
    "/static/book/", "/static/i18n/", "/static/web/ticket", "/static/web/tones.js", "/static/web/live.js",
)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


class PublicOnly:
    """ASGI wrapper: the public paths reach the app, everything else gets 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" or is_public(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4404})
            return
        body = json.dumps(error_body("not_found", "not served on the public listener")).encode()
        await send({"type": "http.response.start", "status": 404,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _PublicServer(uvicorn.Server):
    """The public listener's server: the main server takes the signals and then stops it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_both(main: uvicorn.Server, public: uvicorn.Config) -> None:
    """Run the main listener and the public one in one event loop, until the main one stops."""
    second = _PublicServer(public)
    task = asyncio.create_task(second.serve())
    try:
        await main.serve()
    finally:
        second.should_exit = True
        await task
