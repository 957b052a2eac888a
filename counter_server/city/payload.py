"""What one office event looks like on the city's wire, and what never goes there.

Events carry no contact data by design (event_types.py); this is the second lock on
that door: any key that could hold personal data or a visitor's secret link is
removed before an event leaves the office.
"""

from __future__ import annotations

import json
from typing import Any

# contact data, booking codes and tokens, and the ticket's unguessable status-page id
PRIVATE_KEYS = frozenset({
    "name", "email", "phone", "contact", "code", "token", "secret", "public_id", "address", "note",
})
SUBJECT_PREFIX = "townhall"


def subject(office_id: str) -> str:
    return f"{SUBJECT_PREFIX}.{office_id}.events"


def office_of(subject_: str) -> str:
    """The office id from `townhall.<office>.events`."""
    parts = subject_.split(".")
    if len(parts) != 3 or parts[0] != SUBJECT_PREFIX or parts[2] != "events":
        raise ValueError(f"not a townhall event subject: {subject_!r}")
    return parts[1]


def msg_id(office_id: str, seq: int) -> str:
    """JetStream drops a second message with the same id: the office's seq makes it unique."""
    return f"{office_id}:{seq}"


def scrub(value: Any) -> Any:
    """`value` without any private key, at any depth."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if k not in PRIVATE_KEYS}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def encode(office_id: str, seq: int, type_: str, at: str, data: dict[str, Any]) -> bytes:
    body = {"office": office_id, "seq": seq, "type": type_, "at": at, "data": scrub(data)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def decode(raw: bytes) -> dict[str, Any]:
    body = json.loads(raw)
    if not isinstance(body, dict) or not {"office", "seq", "type", "at", "data"} <= body.keys():
        raise ValueError("not a townhall city event")
    return body
