"""The server's own log: a start line and one line per request and per event.

Plain `key=value` lines by default, JSON lines with `townhall serve --log-json`.
Tokens never appear: the path is logged without its query string.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .logs import HideTokens

log = logging.getLogger("townhall")
# (method, route template, status, seconds) after each HTTP request
Observer = Callable[[str, str, int, float], None]


class _Structured(logging.Formatter):
    def __init__(self, *, as_json: bool) -> None:
        super().__init__()
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "msg": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if self.as_json:
            return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        return " ".join(f"{key}={_plain(value)}" for key, value in fields.items())


def _plain(value: object) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or any(c in text for c in ' "=') else text


def setup(*, as_json: bool, requests: bool = True) -> None:
    """Structured lines on stderr for the `townhall` logger; `requests=False`: no line per
    request and none per event (the start and stop lines stay)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Structured(as_json=as_json))
    handler.addFilter(HideTokens())
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    # by level, not `disabled`: uvicorn's logging set-up (dictConfig) enables every logger again
    for name in ("townhall.request", "townhall.event"):
        logging.getLogger(name).setLevel(logging.INFO if requests else logging.WARNING)


def info(message: str, **fields: Any) -> None:
    log.info(message, extra={"fields": fields})


def route_of(scope: Scope) -> str:
    """The route template (`/api/v1/tickets/{ticket_id}/{action}`), never the ids in the path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestLog:
    """ASGI middleware: a log line and the observers' figures for every HTTP request."""

    def __init__(self, app: ASGIApp, observers: list[Observer] | None = None) -> None:
        self.app = app
        self.observers = observers if observers is not None else []
        self.log = logging.getLogger("townhall.request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            self._done(scope, status, time.perf_counter() - started)

    def _done(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_of(scope)
        method = str(scope.get("method", ""))
        for observe in self.observers:
            observe(method, route, status, seconds)
        client = scope.get("client")
        self.log.info("request", extra={"fields": {
            "method": method, "path": scope.get("path", ""), "route": route, "status": status,
            "ms": round(seconds * 1000, 1), "client": client[0] if client else "",
        }})


_events = logging.getLogger("townhall.event")


def log_events(events: list[Any]) -> None:
    """A hub listener: one line per committed event (type and seq; the data stays in the database)."""
    for event in events:
        _events.info("event", extra={"fields": {"type": event.type, "seq": event.seq}})
