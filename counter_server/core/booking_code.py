"""Short booking codes a visitor can type at the kiosk or read out on the phone.

The alphabet leaves out characters that look or sound alike (0/O, 1/I/L), so a
code read from paper or heard on the phone comes back as written.
"""

from __future__ import annotations

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
RANDOM_BYTES = 10  # 80 random bits for about 40 bits of code: the bias of `%` is negligible
_SEPARATORS = str.maketrans("", "", " -_.")


def code_from_random(raw: bytes) -> str:
    """A code from `raw` random bytes (at least RANDOM_BYTES); the caller draws them."""
    if len(raw) < RANDOM_BYTES:
        raise ValueError(f"need at least {RANDOM_BYTES} random bytes")
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def normalize_code(text: str) -> str | None:
    """The code in canonical form, or None when `text` cannot be a booking code.

    Case, spaces and dashes do not matter ("abcd-efgh" is "ABCDEFGH").
    """
    code = text.translate(_SEPARATORS).upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display_code(code: str) -> str:
    """Grouped in fours for reading: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}"
