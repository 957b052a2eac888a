"""The city's booking form against bots and forged posts, with the office booking site's own guard.

- Bots: the booking site's `Guard` (ALTCHA proof of work, bookings per client address and
  hour, stricter without the proof), with city.toml's limits; the page's script is the
  booking site's `site.js`.
- Forged posts (CSRF): the form's idempotency key is signed by the city site when it draws
  the results page, so a post needs a form this site handed out; a browser's post from
  another site (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not this site) is
  refused before anything is asked of an office.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from urllib.parse import urlsplit

from fastapi import Request

from ..site.guard import Guard


def city_guard(request: Request) -> Guard:
    guard: Guard | None = getattr(request.app.state, "city_guard", None)
    if guard is None:
        guard = request.app.state.city_guard = Guard()
    return guard


def _mac(guard: Guard, nonce: str) -> str:
    return hmac.new(guard.key.encode(), f"city-form:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def form_key(guard: Guard) -> str:
    """A fresh idempotency key for one results page, signed by this site."""
    nonce = uuid.uuid4().hex
    return f"{nonce}.{_mac(guard, nonce)}"


def key_is_ours(guard: Guard, key: str) -> bool:
    """Whether `key` (maybe with the office's suffix `-office`) was signed here."""
    nonce, _, rest = key.partition(".")
    mac = rest.split("-", 1)[0]
    return bool(nonce) and len(key) <= 100 and secrets.compare_digest(mac, _mac(guard, nonce))


def same_site(request: Request) -> bool:
    """False for a browser's post from another site; requests without these headers pass.

    The pages are sent with `Referrer-Policy: no-referrer`, so a browser's own post says
    `Origin: null`: that tells nothing and passes; `Sec-Fetch-Site` still tells."""
    if request.headers.get("sec-fetch-site", "same-origin") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")
