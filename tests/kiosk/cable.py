"""A network cable between a kiosk and the server that a test can pull, or that loses answers.

It forwards raw bytes (HTTP and the websocket alike) to the real server. With
`lose_answers` set, a request still reaches the server but its answer is dropped and
the connection closed, as when a switch fails between the two. `unplug()` stops
listening: the kiosk's next connection is refused.
"""

from __future__ import annotations

import asyncio
import contextlib


class Cable:
    def __init__(self, *, port: int, upstream_port: int) -> None:
        self.port, self.upstream_port = port, upstream_port
        self.lose_answers = False
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def plug(self) -> None:
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port)

    async def unplug(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for writer in list(self._open):
            writer.close()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        self._open |= {writer, up_writer}
        try:
            await asyncio.gather(
                self._pipe(reader, up_writer, answers=False),
                self._pipe(up_reader, writer, answers=True),
            )
        except asyncio.CancelledError:
            pass  # the test is over
        finally:
            for end in (writer, up_writer):
                self._open.discard(end)
                end.close()

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, answers: bool
    ) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await source.read(65536):
                if answers and self.lose_answers:
                    break
                sink.write(data)
                await sink.drain()
        sink.close()
