"""The office's Ed25519 keys for appointment tokens, as files in the data directory.

    keys/signing.key        the one private key (PKCS#8 PEM, mode 0600); only the server has it
    keys/public/<kid>.pub   every public key ever used (PEM), so tokens signed before a
                            rotation still verify; kiosks get these, never the private key

A rotation writes a new private key and keeps all public keys. Retiring a key
removes its public file; tokens signed with it are then refused.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

# public_key_text is re-exported: the API and `townhall keys` show keys in that form
from .core.tokens import key_id_of
from .core.tokens import public_key_text as public_key_text
from .files import write_atomically
from .paths import KEYS_DIR

SIGNING_FILE = "signing.key"
PUBLIC_DIR = "public"


class KeyFileError(Exception):
    """The key files are missing or damaged; the message names the file."""


def _keys_dir(data_dir: Path) -> Path:
    return data_dir / KEYS_DIR


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def _install(data_dir: Path, key: Ed25519PrivateKey) -> str:
    kid = key_id_of(key.public_key())
    # Public first: a token signed right after the swap must already verify.
    write_atomically(
        _keys_dir(data_dir) / PUBLIC_DIR / f"{kid}.pub", _public_pem(key.public_key()), 0o644
    )
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    write_atomically(_keys_dir(data_dir) / SIGNING_FILE, pem, 0o600)
    return kid


def ensure_keys(data_dir: Path) -> str:
    """Create the signing key unless there is one; return the current key id."""
    if (_keys_dir(data_dir) / SIGNING_FILE).exists():
        kid, _ = load_signing_key(data_dir)
        return kid
    return _install(data_dir, Ed25519PrivateKey.generate())


def rotate_key(data_dir: Path) -> str:
    """Sign from now on with a new key; keep the old public keys. Returns the new key id."""
    return _install(data_dir, Ed25519PrivateKey.generate())


def retire_key(data_dir: Path, key_id: str) -> None:
    """Stop accepting tokens of an old key. The current signing key cannot be retired."""
    current, _ = load_signing_key(data_dir)
    if key_id == current:
        raise KeyFileError(f"{key_id} is the current signing key; rotate first")
    path = _keys_dir(data_dir) / PUBLIC_DIR / f"{key_id}.pub"
    if not path.exists():
        raise KeyFileError(f"{path}: no such key")
    path.unlink()


def load_signing_key(data_dir: Path) -> tuple[str, Ed25519PrivateKey]:
    path = _keys_dir(data_dir) / SIGNING_FILE
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyFileError(f"{path}: missing (run `townhall init`)") from None
    except ValueError as error:
        raise KeyFileError(f"{path}: not a readable private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key")
    return key_id_of(key.public_key()), key


def load_public_keys(data_dir: Path) -> dict[str, Ed25519PublicKey]:
    """Every public key kept, by key id (checked against the key, not the file name)."""
    keys: dict[str, Ed25519PublicKey] = {}
    for path in sorted((_keys_dir(data_dir) / PUBLIC_DIR).glob("*.pub")):
        try:
            key = load_pem_public_key(path.read_bytes())
        except ValueError as error:
            raise KeyFileError(f"{path}: not a readable public key ({error})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFileError(f"{path}: not an Ed25519 key")
        keys[key_id_of(key)] = key
    return keys


def check_keys(data_dir: Path) -> str:
    """The current key id, when the signing key and its public key are both there.

    A server whose public keys are gone would refuse every QR code it issued: it
    must not start like that.
    """
    key_id, _ = load_signing_key(data_dir)
    public_dir = _keys_dir(data_dir) / PUBLIC_DIR
    if key_id not in load_public_keys(data_dir):
        raise KeyFileError(
            f"{public_dir / (key_id + '.pub')}: missing, so no QR code of this office could be checked;"
            " restore keys/ from a backup (or `townhall keys rotate` to start a new key)"
        )
    return key_id


class KeyRing:
    """The keys of one data directory, read again only when a key file changed.

    `townhall keys rotate` runs in another process; a running server picks the
    new key up at its next token without a restart.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._stamp: tuple[int, ...] | None = None
        self._signing: tuple[str, Ed25519PrivateKey] | None = None
        self._public: dict[str, Ed25519PublicKey] = {}

    def _current_stamp(self) -> tuple[int, ...]:
        keys_dir = _keys_dir(self.data_dir)
        paths = [keys_dir / SIGNING_FILE, keys_dir / PUBLIC_DIR]
        return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)

    def _refresh(self) -> None:
        stamp = self._current_stamp()
        if stamp != self._stamp:
            self._signing = load_signing_key(self.data_dir)
            self._public = load_public_keys(self.data_dir)
            self._stamp = stamp

    def signing(self) -> tuple[str, Ed25519PrivateKey]:
        self._refresh()
        assert self._signing is not None
        return self._signing

    def public(self) -> dict[str, Ed25519PublicKey]:
        self._refresh()
        return self._public


_RINGS: dict[Path, KeyRing] = {}


def keyring_for(data_dir: Path) -> KeyRing:
    """The one KeyRing of a data directory in this process."""
    resolved = data_dir.resolve()
    ring = _RINGS.get(resolved)
    if ring is None:
        ring = _RINGS[resolved] = KeyRing(resolved)
    return ring
