"""Offline tickets the server refused for good, kept so staff and the visitor learn of it.

A kiosk printed the number and a visitor holds it; when the server cannot honour it
(it was leased for another day, say), the visitor must not wait for a call that never
comes. The refusal is written on the leased number: the visitor's status page says
"refused" with the reason, staff see it in `GET /api/v1/leases/refused` and the log.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import sqlite_utils

from ..core.numbering import office_day
from ..uow import Work

log = logging.getLogger(__name__)

# refusals that no retry can change; anything else (a malformed request) is the kiosk's bug
FOR_GOOD = frozenset({"lease_expired", "idempotency_key_reused"})


def record(work: Work, *, device_id: str, lease_id: str, code: str, issued_at: datetime) -> bool:
    """Note that the number was refused; False when it is not this kiosk's open number."""
    row = work.db.execute(
        "SELECT number, office_day, service_id FROM number_leases"
        " WHERE id = ? AND device_id = ? AND ticket_id IS NULL",
        [lease_id, device_id],
    ).fetchone()
    if row is None or code not in FOR_GOOD:
        return False
    work.db.table("number_leases").update(
        lease_id,
        {"refusal": code, "refused_at": work.now.isoformat(), "issued_at": issued_at.isoformat()},
    )
    work.emit("checkin.refused", {"service_id": row[2], "reason": code, "offline": True})
    log.warning(
        "offline ticket %s of %s (kiosk %s) refused: %s; the visitor holds a number that will not"
        " be called", row[0], row[1], device_id, code,
    )
    return True


def refusal_of(row: dict[str, Any], now: datetime, timezone: str) -> str | None:
    """Why a number never handed in will not be called: recorded, or leased for a past day."""
    if row.get("refusal"):
        return str(row["refusal"])
    if row["office_day"] < office_day(now, timezone).isoformat():
        return "lease_expired"
    return None


def refused_on(db: sqlite_utils.Database, day: date, timezone: str) -> list[dict[str, Any]]:
    """Numbers refused on `day` (office time), with the kiosk that issued them."""
    rows = db.query(
        "SELECT l.number, l.service_id, l.office_day, l.issued_at, l.refusal, l.refused_at,"
        " d.name AS kiosk FROM number_leases l LEFT JOIN devices d ON d.id = l.device_id"
        " WHERE l.refused_at IS NOT NULL ORDER BY l.refused_at",
    )
    return [
        r for r in rows
        if office_day(datetime.fromisoformat(r["refused_at"]), timezone) == day
    ]
