"""JSON answers of the HTTP API, encoded once and fast (see jsontext.py)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from ..jsontext import encode


class JsonAnswer(JSONResponse):
    """FastAPI's JSONResponse, encoded by `jsontext.encode`."""

    def render(self, content: Any) -> bytes:
        return encode(content)
