"""One event to hundreds of screens: its websocket frame made once, written to every socket.

Each connected display used to get every event through its own coroutine: woken by its
queue, then `send_text` through Starlette and uvicorn, which framed the same text again
for every socket and waited for its buffer. With 200 displays that was most of an
event's cost (bench/fanout.py). A subscriber that has caught up is now written to at
once, by the hub, with the frame made once per event (`text_frame`), as `websockets`'
own `broadcast` does, on the event loop's thread.

That needs the connection's protocol, which ASGI does not hand to the app: an outermost
middleware (`KeepProtocol`) notes it in the websocket's scope. Only uvicorn's
`websockets` sans-I/O protocol without extensions (no compression: serve_cli.py) is
written to this way; any other server or protocol keeps the coroutine per subscriber.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import OP_TEXT, Frame
from websockets.protocol import State

SCOPE_KEY = "townhall.websocket_protocol"
# a socket that has this much unsent is too far behind (the queue's limit, in bytes)
MAX_UNSENT = 8 * 1024 * 1024


def text_frame(text: str) -> bytes:
    """A server's unmasked, unfragmented text frame."""
    return Frame(OP_TEXT, text.encode()).serialize(mask=False)


class FrameWriter:
    """Writes prepared frames to one websocket's transport at once, without waiting."""

    __slots__ = ("_transport", "_is_open")

    def __init__(self, transport: asyncio.Transport, is_open: Callable[[], bool]) -> None:
        self._transport = transport
        self._is_open = is_open

    def write(self, frame: bytes) -> bool:
        """Send `frame`; False when the client is too far behind (the caller drops it).
        A connection that is closing is skipped: its handler ends by itself."""
        transport = self._transport
        if not self._is_open() or transport.is_closing():
            return True
        if transport.get_write_buffer_size() > MAX_UNSENT:
            return False
        transport.write(frame)
        return True


def frame_writer(scope: Scope) -> FrameWriter | None:
    """A writer for this websocket, when its server lets frames be written directly:
    uvicorn's websockets protocol (sans-I/O, its default with `websockets` installed),
    uncompressed."""
    owner = scope.get(SCOPE_KEY)
    if not isinstance(owner, WebSocketsSansIOProtocol) or owner.conn.extensions:
        return None
    conn = owner.conn
    return FrameWriter(owner.transport, lambda: conn.state is State.OPEN and not owner.close_sent)


class KeepProtocol:
    """Outermost middleware: a websocket's scope carries the protocol of its connection
    (the object behind uvicorn's ASGI `send`), for `frame_writer`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            owner: Any = getattr(send, "__self__", None)
            if isinstance(owner, WebSocketsSansIOProtocol):
                scope[SCOPE_KEY] = owner
        await self.app(scope, receive, send)
