"""The waiting list for earlier times: a freed time is held for the first in line, then the next.

An entry waits for a time of its errand earlier than `before` (the earliest free time
when it signed up). When such a time frees, it is held for that entry for
`[booking] waitlist_hold_min` minutes (a row of `waitlist_offers`, which the slot
computation counts as taken); unanswered, declined or expired, it goes to the next.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from ..core.errors import Conflict, NotFound
from ..core.slots import SlotUnavailable, choose_counter
from ..mail import notify
from ..uow import Work
from .rows import bookings_of_day, day_of, secret_hash

SECRET_BYTES = 24


class WaitlistLinkUnknown(NotFound):
    """No waiting-list entry or offer has this link."""

    code = "waitlist_link_unknown"


class OfferExpired(Conflict):
    """The time held for this waiting-list entry was taken back (too late, or answered)."""

    code = "offer_expired"


def join(work: Work, *, service_id: str, email: str, lang: str, before: datetime) -> str:
    """Put an e-mail address on the list of `service_id`; returns the entry's link secret."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    now = work.now.isoformat()
    work.db.table("waitlist").insert({
        "id": secrets.token_hex(16), "service_id": service_id, "email": email, "lang": lang,
        "before": before.isoformat(), "secret_hash": secret_hash(secret), "status": "waiting",
        "created_at": now, "updated_at": now,
    })
    return secret


def entry_by_secret(db: sqlite_utils.Database, secret: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM waitlist WHERE secret_hash = ?", [secret_hash(secret)]))
    if not rows:
        raise WaitlistLinkUnknown("no waiting-list entry has this link")
    return rows[0]


def offer_by_secret(db: sqlite_utils.Database, secret: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM waitlist_offers WHERE secret_hash = ?", [secret_hash(secret)]))
    if not rows:
        raise WaitlistLinkUnknown("no offer has this link")
    return rows[0]


def open_offer_of(db: sqlite_utils.Database, entry_id: str) -> dict[str, Any] | None:
    rows = list(db.query(
        "SELECT * FROM waitlist_offers WHERE waitlist_id = ? AND status = 'open'", [entry_id]))
    return rows[0] if rows else None


def _set(work: Work, table: str, row_id: str, status: str) -> None:
    values: dict[str, Any] = {"status": status}
    if table == "waitlist":
        values["updated_at"] = work.now.isoformat()
    work.db.table(table).update(row_id, values)


def _next_in_line(db: sqlite_utils.Database, service_id: str, start: datetime) -> dict[str, Any] | None:
    rows = list(db.query(
        "SELECT * FROM waitlist WHERE service_id = ? AND status = 'waiting' AND before > ?"
        " ORDER BY created_at, id LIMIT 1", [service_id, start.isoformat()]))
    return rows[0] if rows else None


def time_freed(work: Work, *, service_id: str, start: datetime) -> bool:
    """Hold the freed time `start` for the first entry waiting for an earlier one; True if held."""
    service = work.office.service(service_id)
    entry = _next_in_line(work.db, service_id, start) if start > work.now else None
    if service is None or entry is None:
        return False
    day = day_of(work.config, start)
    try:
        slot = choose_counter(
            office=work.office, service=service, start=start, booked=bookings_of_day(work.db, day),
            rules=work.config.appointments.slots, now=work.now)
    except SlotUnavailable:
        return False
    secret = secrets.token_urlsafe(SECRET_BYTES)
    expires = work.now + timedelta(minutes=work.config.booking.waitlist_hold_min)
    work.db.table("waitlist_offers").insert({
        "id": secrets.token_hex(16), "waitlist_id": entry["id"], "service_id": service_id,
        "counter_id": slot.counter_ids[0], "start": slot.start.isoformat(),
        "end": slot.end.isoformat(), "office_day": day.isoformat(), "secret_hash": secret_hash(secret),
        "status": "open", "expires_at": expires.isoformat(), "created_at": work.now.isoformat(),
    })
    _set(work, "waitlist", entry["id"], "offered")
    offer_url = f"{work.config.public_url}/book/offer/{secret}"
    notify.waitlist_offer(work, entry["email"], entry["lang"], service_id, slot.start, offer_url, expires)
    return True


def check_open(work: Work, offer: dict[str, Any]) -> None:
    if offer["status"] != "open" or datetime.fromisoformat(offer["expires_at"]) <= work.now:
        raise OfferExpired("this time is no longer held for you")


def close_offer(work: Work, offer: dict[str, Any], *, taken: bool) -> None:
    """The offer was taken (the entry is done) or declined (the time goes to the next)."""
    _set(work, "waitlist_offers", offer["id"], "taken" if taken else "declined")
    _set(work, "waitlist", offer["waitlist_id"], "done")
    if not taken:
        time_freed(work, service_id=offer["service_id"], start=datetime.fromisoformat(offer["start"]))


def leave(work: Work, entry: dict[str, Any]) -> None:
    offer = open_offer_of(work.db, entry["id"])
    if offer is not None:
        close_offer(work, offer, taken=False)
    _set(work, "waitlist", entry["id"], "left")


def expire_offers(work: Work) -> int:
    """Offers not answered in time go to the next in line; returns how many expired."""
    rows = list(work.db.query(
        "SELECT * FROM waitlist_offers WHERE status = 'open' AND expires_at <= ?",
        [work.now.isoformat()]))
    for offer in rows:
        _set(work, "waitlist_offers", offer["id"], "expired")
        _set(work, "waitlist", offer["waitlist_id"], "missed")
        time_freed(work, service_id=offer["service_id"], start=datetime.fromisoformat(offer["start"]))
    return len(rows)


def delete_old_entries(work: Work) -> int:
    """E-mail addresses leave with their entry: ended entries are deleted after the retention."""
    now = work.now.isoformat()
    work.db.execute(
        "UPDATE waitlist SET status = 'ended', updated_at = ? WHERE status = 'waiting' AND before <= ?",
        [now, now])
    cutoff = (work.now - timedelta(days=work.config.appointments.contact_retention_days)).isoformat()
    cursor = work.db.execute(
        "DELETE FROM waitlist WHERE status NOT IN ('waiting', 'offered') AND updated_at < ?", [cutoff])
    work.db.execute(
        "DELETE FROM waitlist_offers WHERE waitlist_id NOT IN (SELECT id FROM waitlist)")
    return cursor.rowcount
