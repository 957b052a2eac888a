"""The FastAPI application object, made the same way for the office server and the city site."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI

# Newer FastAPI releases look for an OpenTelemetry provider on every request (an
# environment lookup each time: 4 % of the server's samples at 800 waiting). The
# server has its own metrics (/metrics) and sets up no OpenTelemetry, so the look is
# switched off where the release has it.
NO_TELEMETRY = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def fastapi_app(**settings: Any) -> FastAPI:
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
        settings.setdefault("telemetry", NO_TELEMETRY)
    return FastAPI(**settings)
