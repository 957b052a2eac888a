"""What the kiosk keeps for outages, as plain values: the server's lease and the outbox.

`OfflineDesk` (kiosk/offline.py) keeps them in its file; the sync (kiosk/reconcile.py)
and the client carry them to and from the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from counter_server.core.appointments import ArrivalWindow


@dataclass(frozen=True)
class Leased:
    """One number the server reserved for this kiosk."""

    id: str
    service_id: str
    number: str
    public_id: str


@dataclass(frozen=True)
class Lease:
    """The server's answer to POST /api/v1/leases."""

    office_id: str
    office_day: str
    timezone: str
    walk_in_until: str | None
    early_min: int
    late_min: int
    status_url_base: str
    numbers: tuple[Leased, ...]
    # how many numbers per errand the server wants this kiosk to hold (its share)
    per_service: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Lease:
        window = data.get("arrival_window") or {}
        return cls(
            office_id=str(data["office_id"]),
            office_day=str(data["office_day"]),
            timezone=str(data.get("timezone") or "Europe/Berlin"),
            walk_in_until=data.get("walk_in_until"),
            early_min=int(window.get("early_min", 15)),
            late_min=int(window.get("late_min", 15)),
            status_url_base=str(data.get("status_url_base") or ""),
            numbers=tuple(
                Leased(
                    id=str(n["id"]),
                    service_id=str(n["service_id"]),
                    number=str(n["number"]),
                    public_id=str(n["public_id"]),
                )
                for n in data.get("numbers", ())
            ),
            per_service={str(k): int(v) for k, v in dict(data.get("per_service") or {}).items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "office_id": self.office_id,
            "office_day": self.office_day,
            "timezone": self.timezone,
            "walk_in_until": self.walk_in_until,
            "arrival_window": {"early_min": self.early_min, "late_min": self.late_min},
            "status_url_base": self.status_url_base,
            "numbers": [n.__dict__ for n in self.numbers],
            "per_service": dict(self.per_service),
        }

    @property
    def window(self) -> ArrivalWindow:
        return ArrivalWindow(early_min=self.early_min, late_min=self.late_min)

    def is_today(self, now: datetime) -> bool:
        return now.astimezone(ZoneInfo(self.timezone)).date().isoformat() == self.office_day

    def walk_ins_open(self, now: datetime) -> bool:
        if not self.is_today(now) or not self.walk_in_until:
            return False
        return now <= datetime.fromisoformat(self.walk_in_until)


@dataclass(frozen=True)
class OutboxEntry:
    """A ticket the kiosk issued itself, waiting to be redeemed at the server.

    `key` is the Idempotency-Key of the check-in the visitor asked for. It may have
    reached the server (its answer lost), so the ticket is never handed in under it:
    the hand-in has its own key and names `key` as `checkin_key`, and the server
    cancels whatever ticket that check-in made, which nobody holds.
    """

    key: str
    lease_id: str
    number: str
    service_id: str
    public_id: str
    issued_at: str
    lang: str
    priority: str = "normal"
    appointment_token: str | None = None
    appointment_at: str | None = None

    @property
    def redemption_key(self) -> str:
        """The hand-in's own Idempotency-Key: one per leased number, never a check-in's."""
        return f"redeem-{self.lease_id}"

    def redeem_body(self) -> dict[str, Any]:
        body = {
            "issued_at": self.issued_at, "lang": self.lang, "priority": self.priority,
            "checkin_key": self.key,
        }
        if self.appointment_token:
            body["appointment_token"] = self.appointment_token
        return body
