"""The hub's direct writes to a caught-up socket (counter_server/frames.py), on a real socket
pair: one write per commit, in order, nothing the catch-up already sent, and a client too far
behind is dropped."""

from __future__ import annotations

import asyncio
import socket

import pytest

from counter_server import frames
from counter_server.events import Hub
from counter_server.frames import FrameWriter, text_frame
from counter_server.store import Event


def _event(seq: int) -> Event:
    return Event(seq=seq, type="ticket.created", at="2026-12-01T09:00:00+01:00", data={"n": seq})


async def _pair() -> tuple[asyncio.Transport, socket.socket]:
    ours, theirs = socket.socketpair()
    transport, _ = await asyncio.get_running_loop().connect_accepted_socket(asyncio.Protocol, ours)
    theirs.setblocking(False)
    return transport, theirs  # type: ignore[return-value]


async def _received(sock: socket.socket, size: int) -> bytes:
    data = b""
    loop = asyncio.get_running_loop()
    while len(data) < size:
        data += await asyncio.wait_for(loop.sock_recv(sock, 65536), 5)
    return data


def test_a_commit_is_one_write_and_what_the_catch_up_sent_is_not_sent_again() -> None:
    async def run() -> None:
        transport, client = await _pair()
        hub = Hub()
        subscriber = hub.join()
        subscriber.direct, subscriber.last_sent = FrameWriter(transport, lambda: True), 5
        hub.publish([_event(4), _event(5), _event(6)])  # 4 and 5 came with the catch-up
        hub.publish([_event(7), _event(8)])
        hub.send_derived("board", to=lambda s: True)
        expected = b"".join(text_frame(e.to_json()) for e in (_event(6), _event(7), _event(8)))
        expected += text_frame("board")
        assert await _received(client, len(expected)) == expected
        assert subscriber.last_sent == 8 and subscriber.queue.empty()
        transport.close()
        client.close()

    asyncio.run(run())


def test_a_client_too_far_behind_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    async def run() -> None:
        transport, client = await _pair()
        hub = Hub()
        subscriber = hub.join()
        subscriber.direct = FrameWriter(transport, lambda: True)
        seq = 0
        while not subscriber.overflowed.is_set() and seq < 100_000:
            seq += 1
            hub.publish([Event(seq=seq, type="x", at="", data={"pad": "x" * 2000})])
        assert subscriber.overflowed.is_set()
        assert transport.get_write_buffer_size() <= frames.MAX_UNSENT + 4096
        transport.close()
        client.close()

    monkeypatch.setattr(frames, "MAX_UNSENT", 64 * 1024)  # the client never reads: the kernel's buffers fill, then ours
    asyncio.run(run())
