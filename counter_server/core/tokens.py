"""Signed appointment tokens: the content of the QR code on a booking confirmation.

A token is base64url (no padding) of a packed binary payload followed by its
64-byte Ed25519 signature. The payload carries no personal data:

    version (1) | key id (4) | appointment id (16) | start, not before, expires
    (3 x uint32 Unix seconds) | office id, service id (1-byte length + UTF-8 each)

`not_before` and `expires` bound the local day of the slot. They are fixed at
signing time, so a kiosk can check a token offline without knowing the office's
time zone rules. Signing takes a private key object and verifying takes public
key objects: reading key files is the caller's business (counter_server/keys.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import DomainError

VERSION = 1
SIGNATURE_BYTES = 64
APPOINTMENT_ID_BYTES = 16
KEY_ID_BYTES = 4
MAX_ID_BYTES = 64
_HEAD = struct.Struct(">B4s16sIII")
_MAX_TOKEN_CHARS = 4 * (_HEAD.size + 2 * (1 + MAX_ID_BYTES) + SIGNATURE_BYTES) // 3 + 4


class TokenError(DomainError):
    """An appointment token was refused; the kiosk explains the code in plain words."""

    code = "token_error"


class TokenInvalid(TokenError):
    """The token is garbled, forged, or signed with a key this office does not know."""

    code = "token_invalid"


class TokenExpired(TokenError):
    """The token's day is over."""

    code = "token_expired"


class TokenWrongOffice(TokenError):
    """The token was issued for another office."""

    code = "token_wrong_office"


class TokenWrongDay(TokenError):
    """The token is genuine but its appointment is on a later day."""

    code = "token_wrong_day"


@dataclass(frozen=True)
class AppointmentClaim:
    """What a valid token states. Times are aware UTC datetimes."""

    appointment_id: str
    office_id: str
    service_id: str
    start: datetime
    not_before: datetime
    expires: datetime
    key_id: str


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """A short stable id for a public key: the first 4 bytes of its SHA-256, in hex."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:KEY_ID_BYTES].hex()


def public_key_text(key: Ed25519PublicKey) -> str:
    """The raw 32-byte key as base64url: what a kiosk stores to verify offline."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """The inverse of `public_key_text`; ValueError for a text that is not such a key."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return Ed25519PublicKey.from_public_bytes(raw)


def day_bounds(start: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Local midnight before `start` and the next local midnight, both in UTC.

    Computed via the local date, not "+24 h", so DST days are 23 or 25 hours long.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    zone = ZoneInfo(timezone)
    day = start.astimezone(zone).date()
    begin = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return begin.astimezone(UTC), end.astimezone(UTC)


def make_claim(
    *,
    appointment_id: str,
    office_id: str,
    service_id: str,
    start: datetime,
    timezone: str,
    key_id: str,
) -> AppointmentClaim:
    """The claim for an appointment, valid over the local day of its slot."""
    not_before, expires = day_bounds(start, timezone)
    return AppointmentClaim(
        appointment_id=appointment_id,
        office_id=office_id,
        service_id=service_id,
        start=start.astimezone(UTC),
        not_before=not_before,
        expires=expires,
        key_id=key_id,
    )


def _short_text(value: str, what: str) -> bytes:
    raw = value.encode("utf-8")
    if not 1 <= len(raw) <= MAX_ID_BYTES:
        raise ValueError(f"{what} must be 1-{MAX_ID_BYTES} bytes of UTF-8")
    return bytes([len(raw)]) + raw


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _pack(claim: AppointmentClaim) -> bytes:
    appointment_id = bytes.fromhex(claim.appointment_id)
    if len(appointment_id) != APPOINTMENT_ID_BYTES:
        raise ValueError("appointment_id must be 32 hex digits (128 bits)")
    head = _HEAD.pack(
        VERSION,
        bytes.fromhex(claim.key_id),
        appointment_id,
        _seconds(claim.start),
        _seconds(claim.not_before),
        _seconds(claim.expires),
    )
    return (
        head
        + _short_text(claim.office_id, "office_id")
        + _short_text(claim.service_id, "service_id")
    )


def sign_appointment_token(*, claim: AppointmentClaim, private_key: Ed25519PrivateKey) -> str:
    """The token string for `claim`, signed with `private_key` (whose id must match)."""
    if key_id_of(private_key.public_key()) != claim.key_id:
        raise ValueError("claim.key_id does not belong to private_key")
    payload = _pack(claim)
    signed = payload + private_key.sign(payload)
    return base64.urlsafe_b64encode(signed).rstrip(b"=").decode("ascii")


def _decode(token: str) -> bytes:
    if not isinstance(token, str) or not 0 < len(token) <= _MAX_TOKEN_CHARS:
        raise TokenInvalid("the code is not an appointment token")
    try:
        text = token.encode("ascii")
        raw = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise TokenInvalid("the code is not an appointment token") from None
    # Reject every spelling but the one we issue, so one token has exactly one text.
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != text:
        raise TokenInvalid("the code is not an appointment token")
    return raw


def _read_text(payload: bytes, offset: int) -> tuple[str, int]:
    if offset >= len(payload):
        raise TokenInvalid("the token is incomplete")
    length = payload[offset]
    end = offset + 1 + length
    if length == 0 or end > len(payload):
        raise TokenInvalid("the token is incomplete")
    try:
        return payload[offset + 1 : end].decode("utf-8"), end
    except UnicodeDecodeError:
        raise TokenInvalid("the token is garbled") from None


def _unpack(payload: bytes) -> AppointmentClaim:
    _, key_id, appointment_id, start, not_before, expires = _HEAD.unpack_from(payload)
    office_id, offset = _read_text(payload, _HEAD.size)
    service_id, offset = _read_text(payload, offset)
    if offset != len(payload) or not not_before <= start < expires:
        raise TokenInvalid("the token is garbled")
    return AppointmentClaim(
        appointment_id=appointment_id.hex(),
        office_id=office_id,
        service_id=service_id,
        start=datetime.fromtimestamp(start, UTC),
        not_before=datetime.fromtimestamp(not_before, UTC),
        expires=datetime.fromtimestamp(expires, UTC),
        key_id=key_id.hex(),
    )


def _verified_payload(raw: bytes, public_keys: Mapping[str, Ed25519PublicKey]) -> bytes:
    if len(raw) < _HEAD.size + SIGNATURE_BYTES or raw[0] != VERSION:
        raise TokenInvalid("the code is not an appointment token")
    payload, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    key = public_keys.get(payload[1 : 1 + KEY_ID_BYTES].hex())
    if key is None:
        raise TokenInvalid("the token was signed with an unknown key")
    try:
        key.verify(signature, payload)
    except InvalidSignature:
        raise TokenInvalid("the token's signature is not valid") from None
    return payload


def read_appointment_token(
    token: str, *, public_keys: Mapping[str, Ed25519PublicKey]
) -> AppointmentClaim:
    """The claim of a genuine token, without checking office or time."""
    return _unpack(_verified_payload(_decode(token), public_keys))


def verify_appointment_token(
    token: str,
    *,
    public_keys: Mapping[str, Ed25519PublicKey],
    office_id: str,
    now: datetime,
) -> AppointmentClaim:
    """The claim of a token valid here and today, or the named reason it is not.

    The signature is checked before anything in the payload is believed.
    """
    claim = read_appointment_token(token, public_keys=public_keys)
    if claim.office_id != office_id:
        raise TokenWrongOffice("the appointment is for another office", office_id=claim.office_id)
    if now >= claim.expires:
        raise TokenExpired("the appointment day is over", start=claim.start.isoformat())
    if now < claim.not_before:
        raise TokenWrongDay("the appointment is on another day", start=claim.start.isoformat())
    return claim
