"""Bots and abuse without third-party captchas: ALTCHA proof of work and limits per address.

A page's JavaScript solves a small SHA-256 puzzle (ALTCHA, verified here with the
`altcha` package); a booking that carries a solved puzzle counts against
`[booking] bookings_per_hour` of its client address, one without (no JavaScript)
also against the stricter `bookings_per_hour_without_js`. A puzzle counts once.
Everything is kept in memory: a restart forgets it, and no address is stored.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from altcha.v1 import ChallengeOptions, create_challenge, verify_solution

from ..config import BookingSettings

HOUR_S = 3600.0
CHALLENGE_TTL = timedelta(minutes=20)


class RateLimited(Exception):
    """This client address made too many bookings in the last hour."""

    def __init__(self, *, without_js: bool, limit: int, wait_min: int) -> None:
        super().__init__(f"rate limited ({limit} an hour)")
        self.without_js, self.limit, self.wait_min = without_js, limit, wait_min


@dataclass
class Guard:
    """The proof-of-work key, the puzzles already used, and recent bookings per address."""

    key: str = field(default_factory=lambda: secrets.token_hex(32))
    used: dict[str, float] = field(default_factory=dict)
    recent: dict[str, deque[tuple[float, bool]]] = field(default_factory=dict)

    def challenge(self, settings: BookingSettings) -> str:
        """A new puzzle as the JSON the page's solver reads."""
        made = create_challenge(ChallengeOptions(
            hmac_key=self.key, max_number=settings.proof_of_work_max_number,
            expires=datetime.now(UTC) + CHALLENGE_TTL,
        ))
        return json.dumps(made.to_dict())

    def proven(self, payload: str | None) -> bool:
        """Whether the form carries a solved puzzle of ours not used before."""
        if not payload or len(payload) > 2000:
            return False
        try:
            ok, _ = verify_solution(payload, self.key, check_expires=True)
            challenge = str(json.loads(base64.b64decode(payload))["challenge"])
        except (ValueError, KeyError, TypeError):
            return False
        now = time.monotonic()
        self.used = {c: t for c, t in self.used.items() if now - t < CHALLENGE_TTL.total_seconds()}
        if not ok or challenge in self.used:
            return False
        self.used[challenge] = now
        return True

    def admit(self, client: str, *, proof: bool, settings: BookingSettings) -> None:
        """Count one booking attempt of `client`, or refuse it with RateLimited."""
        now = time.monotonic()
        past = self.recent.setdefault(client, deque())
        while past and now - past[0][0] > HOUR_S:
            past.popleft()
        without = [t for t, proven in past if not proven]
        if len(past) >= settings.bookings_per_hour:
            raise RateLimited(without_js=False, limit=settings.bookings_per_hour,
                              wait_min=_wait(now, past[0][0]))
        if not proof and len(without) >= settings.bookings_per_hour_without_js:
            raise RateLimited(without_js=True, limit=settings.bookings_per_hour_without_js,
                              wait_min=_wait(now, without[0]) if without else 60)
        past.append((now, proof))


def _wait(now: float, oldest: float) -> int:
    return max(1, int((HOUR_S - (now - oldest)) // 60) + 1)


def guard_of(state: Any) -> Guard:
    """The app's one guard (made on first use)."""
    guard = getattr(state, "booking_guard", None)
    if guard is None:
        guard = state.booking_guard = Guard()
    return guard
