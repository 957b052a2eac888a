"""Idempotent writes: a retry with the same key returns the first answer and writes nothing.

Only a hash of each request is kept (enough to tell a different request under the
same key), never the request itself: a booking's body carries contact data. Keys
are remembered for a day (`purge`), long enough for any retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from . import jsontext
from .errors import ApiError
from .store import Tx

Answer = tuple[int, Any]
KEEP = timedelta(days=1)


def fingerprint(request: str) -> str:
    return hashlib.sha256(request.encode("utf-8", "surrogatepass")).hexdigest()


def key_taken(tx: Tx, *, device_id: str, key: str, request: str) -> bool:
    """True when this device already used `key` for another request."""
    row = tx.db.execute(
        "SELECT request FROM idempotency WHERE device_id = ? AND key = ?", [device_id, key]
    ).fetchone()
    return row is not None and row[0] != fingerprint(request)


def run_once(tx: Tx, *, device_id: str, key: str | None, request: str, act: Callable[[], Answer]) -> Answer:
    """Run `act` unless this device already sent `key`; then replay the stored answer."""
    if not key:
        return act()
    if len(key) > 200:
        raise ApiError(422, "invalid_request", "Idempotency-Key is longer than 200 characters")
    digest = fingerprint(request)
    rows = tx.db.execute(
        "SELECT request, status, body FROM idempotency WHERE device_id = ? AND key = ?",
        [device_id, key],
    ).fetchall()
    if rows:
        stored_request, status, body = rows[0]
        if stored_request != digest:
            raise ApiError(
                422, "idempotency_key_reused", "this Idempotency-Key was used for another request"
            )
        return status, json.loads(body) if body else None
    status, body = act()
    tx.db.table("idempotency").insert(
        {
            "device_id": device_id, "key": key, "request": digest, "status": status,
            "body": jsontext.text(body) if body is not None else "",
            "created_at": tx.now.isoformat(),
        }
    )
    return status, body


def purge(tx: Tx) -> int:
    """Forget keys older than a day."""
    cutoff = (tx.now - KEEP).isoformat()
    return tx.db.execute("DELETE FROM idempotency WHERE created_at < ?", [cutoff]).rowcount
