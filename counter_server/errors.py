"""Every refusal as `{"error": {"code", "message", "details"?}}` with a 4xx status.

Domain errors are mapped to HTTP here, in one place. A 500 is a bug.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .core import errors as domain
from .text import BadText

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal decided at the HTTP edge (auth, request shape, idempotency)."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def unauthorized(message: str = "a valid device token is required") -> ApiError:
    return ApiError(401, "unauthorized", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def bad_request(message: str, code: str = "invalid_request", **details: Any) -> ApiError:
    return ApiError(422, code, message, **details)


STATUS_BY_DOMAIN: list[tuple[type[domain.DomainError], int]] = [
    (domain.NotFound, 404),
    (domain.Conflict, 409),
]


def status_of(error: domain.DomainError) -> int:
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return status
    for kind, code in STATUS_BY_DOMAIN:
        if isinstance(error, kind):
            return code
    return 422


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def respond(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status)


def _validation_message(error: RequestValidationError) -> tuple[str, str]:
    problems = error.errors()
    for problem in problems:
        if problem.get("type") == "json_invalid":
            return "malformed_json", "the request body is not valid JSON"
    first = problems[0] if problems else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    return "invalid_request", f"{where or 'body'}: {first.get('msg', 'invalid')}"


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, error: ApiError) -> JSONResponse:
        return respond(error.status, error.code, error.message, error.details)

    @app.exception_handler(domain.DomainError)
    async def _domain(_: Request, error: domain.DomainError) -> JSONResponse:
        return respond(status_of(error), error.code, error.message, error.details)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        code, message = _validation_message(error)
        return respond(400 if code == "malformed_json" else 422, code, message)

    @app.exception_handler(json.JSONDecodeError)
    async def _json(_: Request, error: json.JSONDecodeError) -> JSONResponse:
        return respond(400, "malformed_json", f"the request body is not valid JSON: {error.msg}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        response = respond(error.status_code, codes.get(error.status_code, "http_error"), str(error.detail))
        response.headers.update(error.headers or {})  # e.g. Allow with a 405
        return response

    @app.exception_handler(BadText)
    async def _bad_text(_: Request, error: BadText) -> JSONResponse:
        return respond(422, "invalid_text", str(error))

    @app.exception_handler(UnicodeEncodeError)
    async def _unstorable(_: Request, error: UnicodeEncodeError) -> JSONResponse:
        # a text that slipped past the edge's checks: the write rolled back, nothing changed
        return respond(422, "invalid_text", "a text contains a character that is not valid text")

    @app.exception_handler(RecursionError)
    async def _too_deep(_: Request, error: RecursionError) -> JSONResponse:
        return respond(400, "malformed_json", "the request nests too deeply")

    @app.exception_handler(sqlite3.OperationalError)
    async def _storage(_: Request, error: sqlite3.OperationalError) -> JSONResponse:
        # A full disk or a locked file: the transaction rolled back, nothing changed. Or the
        # WAL could not be synced after the commit (walsync.py): a retry with the same
        # Idempotency-Key gets the stored answer.
        log.error("storage refused a write: %s", error)
        return respond(503, "storage_unavailable", f"the database refused the change: {error}")
