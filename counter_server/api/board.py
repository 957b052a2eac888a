"""The waiting-room board and the live event stream."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect

from ..auth import Device
from ..console.sessions import session_device
from ..context import Context, CtxDep, bearer, role
from ..events import Subscriber, events_after, pump, until_first
from ..frames import frame_writer
from ..queue.views import board, snapshot
from ..store import Event
from .answer import JsonAnswer
from .models import Board, errors

router = APIRouter(prefix="/api/v1")


BoardReader = Annotated[Device, Depends(role("display"))]


@router.get("/board", response_model=Board, responses=errors(401, 403))
async def get_board(ctx: CtxDep, _: BoardReader) -> JsonAnswer:
    """What a waiting-room screen shows: recent calls and who waits for what."""
    now = ctx.clock.now()
    return JsonAnswer(await ctx.read(lambda db: board(db, ctx.config, now)))


def _since(text: str | None) -> int | None:
    if text is None or not text.strip().lstrip("-").isdigit():
        return None
    return int(text)


async def _catch_up(ws: WebSocket, ctx: Context, since: int | None) -> int:
    """Send what the client missed, or a snapshot; return the last seq it has."""
    if since is not None:
        texts, last, complete = await ctx.store.read(lambda db: events_after(db, since))
        if complete:
            for text in texts:
                await ws.send_text(text)
            return last
    now = ctx.clock.now()

    def read(db: Any) -> tuple[int, dict[str, Any]]:
        data = snapshot(db, ctx.config, now)
        return data["board"]["seq"], data

    seq, data = await ctx.store.read(read)
    await ws.send_text(Event(seq=seq, type="snapshot", at=now.isoformat(), data=data).to_json())
    return seq


async def _drain_incoming(ws: WebSocket) -> None:
    while True:
        await ws.receive_text()


@router.websocket("/events")
async def events(ws: WebSocket) -> None:
    ctx: Context = ws.app.state.ctx
    token = bearer(ws, query=True)
    device = await ctx.device_for(token) if token else await session_device(ctx, ws)
    if device is None:
        await ws.close(code=4401, reason="unauthorized")
        return
    await ws.accept()
    ctx.saw(device, ws)
    # a display asks for the board with its events (?board=1), so it never refetches it
    subscriber: Subscriber = ctx.hub.join(wants_board=ws.query_params.get("board") == "1", device_id=device.id)
    try:
        last = await _catch_up(ws, ctx, _since(ws.query_params.get("since")))
        await until_first(pump(subscriber, ws.send_text, last, frame_writer(ws.scope)), _drain_incoming(ws),
                          subscriber.overflowed.wait(),
                          subscriber.revoked.wait())
        if subscriber.revoked.is_set():
            await ws.close(code=4401, reason="revoked")
    except WebSocketDisconnect:
        pass
    finally:
        ctx.hub.leave(subscriber)
