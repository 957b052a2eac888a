"""Appointment tokens: round trip, every reason for refusal, key rotation, fuzzing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counter_server.core.tokens import (
    AppointmentClaim,
    TokenExpired,
    TokenInvalid,
    TokenWrongDay,
    TokenWrongOffice,
    key_id_of,
    make_claim,
    public_key_from_text,
    public_key_text,
    read_appointment_token,
    sign_appointment_token,
    verify_appointment_token,
)

TZ = "Europe/Berlin"
OFFICE = "buergeramt-musterstadt"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KID = key_id_of(KEY.public_key())
KEYS = {KID: KEY.public_key()}
START = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)  # 11:30 in Berlin


def claim_for(start: datetime = START, key: Ed25519PrivateKey = KEY) -> AppointmentClaim:
    return make_claim(
        appointment_id="00112233445566778899aabbccddeeff",
        office_id=OFFICE,
        service_id="pass",
        start=start,
        timezone=TZ,
        key_id=key_id_of(key.public_key()),
    )


TOKEN = sign_appointment_token(claim=claim_for(), private_key=KEY)


def verify(token: str, now: datetime = START, office_id: str = OFFICE) -> AppointmentClaim:
    return verify_appointment_token(token, public_keys=KEYS, office_id=office_id, now=now)


def test_round_trip_gives_back_the_claim() -> None:
    assert verify(TOKEN) == claim_for()


def test_token_is_compact_and_url_safe() -> None:
    assert len(TOKEN) < 180
    assert set(TOKEN) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_claim_spans_the_local_day() -> None:
    claim = claim_for()
    assert claim.not_before == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert claim.expires == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def test_claim_on_a_dst_day_lasts_23_hours() -> None:
    claim = claim_for(datetime(2026, 3, 29, 9, 0, tzinfo=UTC))
    assert claim.expires - claim.not_before == timedelta(hours=23)


def test_valid_from_local_midnight_until_the_next() -> None:
    verify(TOKEN, now=datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    verify(TOKEN, now=datetime(2026, 12, 1, 22, 59, 59, tzinfo=UTC))


def test_after_the_day_the_token_is_expired() -> None:
    with pytest.raises(TokenExpired):
        verify(TOKEN, now=datetime(2026, 12, 1, 23, 0, tzinfo=UTC))


def test_before_the_day_the_token_is_for_another_day() -> None:
    with pytest.raises(TokenWrongDay):
        verify(TOKEN, now=datetime(2026, 11, 30, 22, 59, tzinfo=UTC))


def test_other_office_is_refused() -> None:
    with pytest.raises(TokenWrongOffice) as caught:
        verify(TOKEN, office_id="standesamt")
    assert caught.value.code == "token_wrong_office"


def test_unknown_key_is_refused() -> None:
    other = Ed25519PrivateKey.generate()
    token = sign_appointment_token(claim=claim_for(key=other), private_key=other)
    with pytest.raises(TokenInvalid, match="unknown key"):
        verify(token)


def test_forged_signature_with_known_key_id_is_refused() -> None:
    forger = Ed25519PrivateKey.generate()
    raw = base64.urlsafe_b64decode(TOKEN + "==")
    payload = raw[:-64]
    forged = base64.urlsafe_b64encode(payload + forger.sign(payload)).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid, match="signature"):
        verify(forged)


def test_changed_service_is_refused() -> None:
    raw = bytearray(base64.urlsafe_b64decode(TOKEN + "=="))
    raw[raw.index(b"pass")] = ord("b")
    token = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid):
        verify(token)


@pytest.mark.parametrize(
    "token", ["", "x", "not a token", TOKEN + "=", TOKEN[:-1], TOKEN + "A", "é" * 50, "A" * 5000]
)
def test_garbled_tokens_are_invalid(token: str) -> None:
    with pytest.raises(TokenInvalid) as caught:
        verify(token)
    assert caught.value.code == "token_invalid"


def test_non_canonical_spelling_is_refused() -> None:
    # The last character carries unused low bits; a different one decodes to the same bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(TOKEN[-1])
    twin = TOKEN[:-1] + alphabet[last ^ 1]
    assert base64.urlsafe_b64decode(twin + "==") == base64.urlsafe_b64decode(TOKEN + "==")
    with pytest.raises(TokenInvalid):
        verify(twin)


def test_rotation_keeps_old_tokens_valid() -> None:
    new_key = Ed25519PrivateKey.generate()
    keys = {**KEYS, key_id_of(new_key.public_key()): new_key.public_key()}
    new_token = sign_appointment_token(claim=claim_for(key=new_key), private_key=new_key)
    for token in (TOKEN, new_token):
        claim = verify_appointment_token(token, public_keys=keys, office_id=OFFICE, now=START)
        assert claim.appointment_id == "00112233445566778899aabbccddeeff"
    assert read_appointment_token(new_token, public_keys=keys).key_id != KID


def test_retired_key_no_longer_verifies() -> None:
    with pytest.raises(TokenInvalid):
        verify_appointment_token(TOKEN, public_keys={}, office_id=OFFICE, now=START)


def test_signing_with_a_key_that_does_not_match_the_claim_is_refused() -> None:
    with pytest.raises(ValueError):
        sign_appointment_token(claim=claim_for(), private_key=Ed25519PrivateKey.generate())


def test_a_public_key_as_text_verifies_tokens_as_the_key_itself() -> None:
    text = public_key_text(KEY.public_key())
    assert len(text) == 43 and "=" not in text
    keys = {KID: public_key_from_text(text)}
    assert verify_appointment_token(TOKEN, public_keys=keys, office_id=OFFICE, now=START)
    with pytest.raises(ValueError):
        public_key_from_text("too-short")


def test_errors_carry_their_codes() -> None:
    codes = {e.code for e in (TokenInvalid, TokenExpired, TokenWrongOffice, TokenWrongDay)}
    assert codes == {"token_invalid", "token_expired", "token_wrong_office", "token_wrong_day"}


RAW = base64.urlsafe_b64decode(TOKEN + "==")


@st.composite
def mutated_tokens(draw: st.DrawFn) -> str:
    raw = bytearray(RAW)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(st.sampled_from(["flip", "set", "cut", "insert", "drop"]))
        index = draw(st.integers(min_value=0, max_value=max(len(raw) - 1, 0)))
        if kind == "flip" and raw:
            raw[index] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif kind == "set" and raw:
            raw[index] = (raw[index] + draw(st.integers(min_value=1, max_value=255))) % 256
        elif kind == "cut":
            del raw[index:]
        elif kind == "insert":
            raw[index:index] = draw(st.binary(min_size=1, max_size=3))
        elif raw:
            del raw[index]
    if bytes(raw) == RAW:
        raw.append(0)
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@st.composite
def mutated_texts(draw: st.DrawFn) -> str:
    index = draw(st.integers(min_value=0, max_value=len(TOKEN) - 1))
    char = draw(st.characters(codec="utf-8"))
    mutated = TOKEN[:index] + char + TOKEN[index + 1 :]
    return mutated if mutated != TOKEN else TOKEN + char


@st.composite
def random_signed_looking(draw: st.DrawFn) -> str:
    """A well-formed payload with the real key id and a random 64-byte signature."""
    payload = RAW[:-64]
    if draw(st.booleans()):
        payload = payload[:21] + draw(st.binary(min_size=12, max_size=12)) + payload[33:]
    signature = draw(st.binary(min_size=64, max_size=64))
    return base64.urlsafe_b64encode(payload + signature).rstrip(b"=").decode()


ANY_TOKEN = st.one_of(
    mutated_tokens(),
    mutated_texts(),
    random_signed_looking(),
    st.text(max_size=300),
    st.binary(max_size=250).map(lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()),
)


def test_every_single_bit_flip_of_a_token_is_refused() -> None:
    """Exhaustive where it is cheap: each of the token's bits flipped on its own."""
    for index in range(len(RAW)):
        for bit in range(8):
            raw = bytearray(RAW)
            raw[index] ^= 1 << bit
            with pytest.raises(TokenInvalid):
                verify(base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode())


# every single-bit flip is covered above; the draws add several mutations at once and random texts
@settings(
    max_examples=2_500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(token=ANY_TOKEN)
def test_fuzz_no_mutated_or_random_token_is_accepted(token: str) -> None:
    with pytest.raises(TokenInvalid):
        verify(token)
