"""Tickets while the server is away: leased numbers, local QR checks and the outbox.

The kiosk keeps, in one small file, the block of numbers the server leased to it,
the public keys that sign appointment QR codes, the last errand list, and the
outbox of tickets it issued itself. Each change is written (temp file, fsync,
rename) before the visitor sees a ticket, so a crash or a power cut never loses a
ticket and never hands one number out twice. When the file cannot be written (a
full disk), no offline ticket is issued and the visitor is told to try again.

Nothing here talks to the network or reads the clock: `now` comes in, and the app
carries the outbox to the server (`POST /api/v1/leases/{id}/redeem`).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from counter_server.core.appointments import (
    Appointment,
    AppointmentAlreadyCheckedIn,
    AppointmentRefused,
    AppointmentStatus,
    check_arrival,
)
from counter_server.core.errors import DomainError
from counter_server.core.tokens import (
    AppointmentClaim,
    public_key_from_text,
    verify_appointment_token,
)
from kiosk.flow import CheckinFailed, CheckinRequest, Office, Service, ServicesLoaded, Ticket
from kiosk.outbox import Lease, Leased, OutboxEntry

__all__ = ["Lease", "Leased", "OfflineDesk", "OfflineStorageError", "OutboxEntry"]

log = logging.getLogger(__name__)

FILE_VERSION = 2
# the server's clock is written down again only when it moved this much against the kiosk's
CLOCK_SLACK = timedelta(seconds=2)
# refused by servers that did not yet know a lost check-in from a reused key (issue 13):
# such tickets are handed in again and resolve to the number the visitor holds
RESOLVABLE_REFUSALS = ("idempotency_key_reused",)


class OfflineStorageError(OSError):
    """The kiosk's offline file cannot be written; no offline ticket may be issued."""


def _claimed(claim: AppointmentClaim, number: str | None) -> Appointment:
    """The appointment as far as a token and the outbox tell it (checked in here or not)."""
    status = AppointmentStatus.BOOKED if number is None else AppointmentStatus.CHECKED_IN
    return Appointment(
        id=claim.appointment_id,
        code="",
        service_id=claim.service_id,
        counter_id="",
        start=claim.start,
        duration_min=0,
        status=status,
    )


class OfflineDesk:
    """The kiosk's offline state, kept in `path`; every change is on disk before it counts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lease: Lease | None = None
        self.outbox: tuple[OutboxEntry, ...] = ()
        self.spent: frozenset[str] = frozenset()
        self.keys: dict[str, Any] = {}
        self.services: dict[str, Any] | None = None
        # entries the server refused for good, kept for the admin to look at
        self.rejected: tuple[dict[str, Any], ...] = ()
        # numbers given back to the server unspent: never issued, resent until it confirms
        self.released: frozenset[str] = frozenset()
        # the server's clock minus the kiosk's, as last learned: a kiosk restarted during an
        # outage still decides (office day, closing time) by the server's clock
        self.clock_offset: timedelta | None = None
        self._load()

    # --- what the kiosk can offer ---

    def numbers_left(self, service_id: str, now: datetime) -> int:
        return sum(1 for n in self._unspent_today(now) if n.service_id == service_id)

    def offline_services(self, services: tuple[Service, ...], now: datetime) -> tuple[Service, ...]:
        """The errand list as far as the kiosk can vouch for it without the server."""
        open_ = self.lease is not None and self.lease.walk_ins_open(now)
        return tuple(
            replace(
                s,
                available=open_ and s.walk_in and self.numbers_left(s.id, now) > 0,
                unavailable_reason=None if open_ else "walk_in_closed",
                waiting=None,  # the kiosk cannot know the queue while the server is away
                eta_min=None,
            )
            for s in services
        )

    # --- issuing ---

    def issue(
        self, *, key: str, request: CheckinRequest, now: datetime
    ) -> Ticket | CheckinFailed:
        """A ticket from a leased number for `request`, or why there is none.

        The same `key` gives the same ticket (a double tap while offline).
        """
        done = next((e for e in self.outbox if e.key == key), None)
        if done is not None:
            return self._ticket(done)
        if request.appointment_code is not None:
            return CheckinFailed(code="server_unreachable")
        service_id, start = request.service_id or "", None
        if request.appointment_token is not None:
            checked = self._check_token(request.appointment_token, now)
            if isinstance(checked, CheckinFailed):
                return checked
            service_id, start = checked
        elif self.lease is None or not self.lease.walk_ins_open(now):
            return CheckinFailed(code="server_unreachable")
        leased = next((n for n in self._unspent_today(now) if n.service_id == service_id), None)
        if leased is None:
            return CheckinFailed(code="server_unreachable")
        entry = OutboxEntry(
            key=key,
            lease_id=leased.id,
            number=leased.number,
            service_id=service_id,
            public_id=leased.public_id,
            issued_at=now.isoformat(),
            lang=request.lang or "de",
            priority=request.priority or "normal",
            appointment_token=request.appointment_token,
            appointment_at=start,
        )
        self._change(outbox=(*self.outbox, entry), spent=self.spent | {leased.id})
        return self._ticket(entry)

    def _ticket(self, entry: OutboxEntry) -> Ticket:
        base = self.lease.status_url_base if self.lease else ""
        return Ticket(
            id=f"offline:{entry.lease_id}",
            number=entry.number,
            service_id=entry.service_id,
            kind="appointment" if entry.appointment_token else "walk_in",
            status_url=f"{base}{entry.public_id}" if base else "",
            appointment_at=entry.appointment_at,
            created_at=entry.issued_at,
            offline=True,
        )

    def _check_token(self, token: str, now: datetime) -> tuple[str, str] | CheckinFailed:
        """The service and slot of a genuine token that is due now, checked with the public keys."""
        if self.lease is None or not self.keys.get("keys"):
            return CheckinFailed(code="server_unreachable")
        try:
            public = {kid: public_key_from_text(text) for kid, text in self.keys["keys"].items()}
            claim = verify_appointment_token(
                token, public_keys=public, office_id=self.lease.office_id, now=now
            )
        except DomainError as error:
            return CheckinFailed(code=error.code, details=dict(error.details))
        except ValueError:
            return CheckinFailed(code="token_invalid")
        number = next((e.number for e in self.outbox if e.appointment_token == token), None)
        try:
            check_arrival(appointment=_claimed(claim, number), window=self.lease.window, now=now)
        except AppointmentAlreadyCheckedIn as error:
            return CheckinFailed(code=error.code, details={"ticket": {"number": number}})
        except AppointmentRefused as error:
            return CheckinFailed(code=error.code, details=dict(error.details))
        return claim.service_id, claim.start.isoformat()

    # --- keeping up with the server ---

    def take_lease(self, data: Mapping[str, Any]) -> None:
        """The server's lease answer; numbers already issued here stay spent."""
        lease = Lease.from_json(data)
        spent = self.spent if self.lease and self.lease.office_day == lease.office_day else frozenset()
        spent = spent | {e.lease_id for e in self.outbox}
        # a release the server has not confirmed (its answer lost) is sent again
        listed = {n.id for n in lease.numbers}
        self._change(lease=lease, spent=spent, released=self.released & listed)

    def to_release(self, now: datetime) -> tuple[str, ...]:
        """Numbers beyond this kiosk's share, struck off here before the server is told.

        Struck off first, so a number is never issued here once another kiosk may hold it.
        """
        if self.lease is None or not self.lease.is_today(now) or not self.lease.per_service:
            return tuple(sorted(self.released))
        excess: set[str] = set()
        for service_id, share in self.lease.per_service.items():
            held = [n for n in self._unspent_today(now) if n.service_id == service_id]
            excess |= {n.id for n in held[share:]}
        if excess:
            self._change(released=self.released | excess)
        return tuple(sorted(self.released))

    def take_clock(self, offset: timedelta) -> None:
        """Remember the server's clock (as an offset to the kiosk's) for a restart."""
        if self.clock_offset is None or abs(offset - self.clock_offset) > CLOCK_SLACK:
            self._change(clock_offset=offset)

    def take_keys(self, data: Mapping[str, Any]) -> None:
        keys = {str(k["kid"]): str(k["public_key"]) for k in data.get("keys", ())}
        self._change(keys={"office_id": str(data.get("office_id", "")), "keys": keys})

    def take_services(self, loaded: ServicesLoaded) -> None:
        """Remember the errand list, so a kiosk restarted during an outage can still offer it."""
        # only what defines the list: waiting counts change with every ticket and would
        # rewrite (and fsync) the file at every refresh
        office = asdict(loaded.office)
        data = {
            "office": {k: office[k] for k in ("name", "timezone")},
            "services": [
                {"id": s.id, "names": dict(s.names), "prefix": s.prefix, "walk_in": s.walk_in,
                 "group": s.group}
                for s in loaded.services
            ],
        }
        if data != self.services:
            self._change(services=data)

    def cached_services(self) -> ServicesLoaded | None:
        if not self.services:
            return None
        try:
            return ServicesLoaded(
                office=Office(**self.services["office"]),
                services=tuple(Service(**s) for s in self.services["services"]),
                online=False,
            )
        except (KeyError, TypeError) as error:
            log.warning("cached errand list unusable: %s", error)
            return None

    def redeemed(self, key: str, *, refusal: Mapping[str, Any] | None = None) -> None:
        """The server has the ticket, or has refused it for good: it leaves the outbox.

        A refused ticket is kept under `rejected` with the server's reason.
        """
        rejected = self.rejected
        if refusal is not None:
            entry = next((e for e in self.outbox if e.key == key), None)
            if entry is not None:
                rejected = (*rejected, {**entry.__dict__, "refusal": dict(refusal)})
        self._change(outbox=tuple(e for e in self.outbox if e.key != key), rejected=rejected)

    def wants_numbers(self, per_service: int, service_ids: tuple[str, ...], now: datetime) -> bool:
        """True when the kiosk holds fewer numbers than it should, or has some to give back."""
        if self.lease is None or not self.lease.is_today(now) or self.released:
            return True
        shares = self.lease.per_service
        return any(
            self.numbers_left(s, now) != min(per_service, shares.get(s, per_service))
            for s in service_ids
        )

    def _unspent_today(self, now: datetime) -> list[Leased]:
        if self.lease is None or not self.lease.is_today(now):
            return []
        return [n for n in self.lease.numbers if n.id not in self.spent | self.released]

    # --- the file ---

    def _change(self, **fields: Any) -> None:
        before = {name: getattr(self, name) for name in fields}
        for name, value in fields.items():
            setattr(self, name, value)
        try:
            self._save()
        except OSError as error:
            for name, value in before.items():
                setattr(self, name, value)
            raise OfflineStorageError(f"cannot write {self.path}: {error}") from error

    def _save(self) -> None:
        data = {
            "version": FILE_VERSION,
            "lease": self.lease.to_json() if self.lease else None,
            "outbox": [e.__dict__ for e in self.outbox],
            "spent": sorted(self.spent),
            "keys": self.keys,
            "services": self.services,
            "rejected": list(self.rejected),
            "released": sorted(self.released),
            "clock_offset_s": (
                None if self.clock_offset is None else self.clock_offset.total_seconds()
            ),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".offline-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            lease = Lease.from_json(data["lease"]) if data.get("lease") else None
            outbox = tuple(OutboxEntry(**e) for e in data.get("outbox", ()))
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as error:
            # keep the file for the admin and start with nothing rather than crash
            log.error("offline file %s unreadable, kept as .unreadable: %s", self.path, error)
            self.path.replace(self.path.with_suffix(".unreadable"))
            return
        self.lease, self.outbox = lease, outbox
        self.spent = frozenset(data.get("spent", ()))
        self.keys = dict(data.get("keys") or {})
        self.services = data.get("services")
        self.rejected = tuple(data.get("rejected", ()))
        self.released = frozenset(data.get("released", ()))
        offset = data.get("clock_offset_s")
        self.clock_offset = None if offset is None else timedelta(seconds=float(offset))
        self._resolve_old_refusals()

    def _resolve_old_refusals(self) -> None:
        """Tickets an older server refused because of a lost check-in go back to the outbox."""
        again = [r for r in self.rejected if r.get("refusal", {}).get("code") in RESOLVABLE_REFUSALS]
        if not again:
            return
        fields = set(OutboxEntry.__dataclass_fields__)
        entries = tuple(OutboxEntry(**{k: v for k, v in r.items() if k in fields}) for r in again)
        rest = tuple(r for r in self.rejected if r not in again)
        self.outbox, self.rejected = (*self.outbox, *entries), rest
        log.warning("handing in again %d offline tickets an older server refused", len(entries))
