"""A small certificate authority of the office's own, for HTTPS on the LAN.

    keys/tls/ca.key       the CA's private key (mode 0600); it never leaves the server
    keys/tls/ca.pem       the CA certificate: clerk PCs, kiosks and print agents trust this file
    keys/tls/server.key   the server's private key (mode 0600)
    keys/tls/server.pem   the server certificate, signed by the CA

The CA is made once and kept (ten years), so a new server certificate (two years and a
bit: 825 days, the most browsers accept from a private CA) needs no new trust on the PCs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .files import write_atomically
from .paths import KEYS_DIR

TLS_DIR = "tls"
CA_DAYS = 3650
SERVER_DAYS = 825
ALWAYS_NAMES = ("localhost",)
ALWAYS_IPS = ("127.0.0.1", "::1")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TlsError(Exception):
    """A name or address is wrong, or the TLS files are missing or damaged; the message says which."""


@dataclass(frozen=True)
class TlsFiles:
    """Where an office's CA and server certificate live."""

    folder: Path

    @classmethod
    def of(cls, data_dir: Path) -> TlsFiles:
        return cls(data_dir / KEYS_DIR / TLS_DIR)

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server.key"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.pem"

    def ready(self) -> bool:
        return self.server_cert.exists() and self.server_key.exists()


def parse_ips(texts: Sequence[str]) -> list[IpAddress]:
    try:
        return [ipaddress.ip_address(text) for text in texts]
    except ValueError as error:
        raise TlsError(str(error)) from None


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "townhall-queue"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def _make_ca(files: TlsFiles, name: str, now: datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(f"townhall-queue CA {name}")
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_atomically(files.ca_key, _key_pem(key), 0o600)
    write_atomically(files.ca_cert, cert.public_bytes(Encoding.PEM), 0o600)


def _load_ca(files: TlsFiles) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    try:
        key = load_pem_private_key(files.ca_key.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    except (OSError, ValueError) as error:
        raise TlsError(f"{files.folder}: CA unreadable: {error}") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TlsError(f"{files.ca_key}: not an EC key")
    return key, cert


def _issue_server(files: TlsFiles, names: Sequence[str], ips: Sequence[IpAddress], now: datetime) -> None:
    ca_key, ca_cert = _load_ca(files)
    key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in dict.fromkeys([*names, *ALWAYS_NAMES])]
    sans += [x509.IPAddress(ip) for ip in dict.fromkeys([*ips, *parse_ips(ALWAYS_IPS)])]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0] if names else "localhost")).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    write_atomically(files.server_key, _key_pem(key), 0o600)
    write_atomically(files.server_cert, cert.public_bytes(Encoding.PEM), 0o600)


def init_tls(data_dir: Path, *, names: Sequence[str] = (), ips: Sequence[str] = (),
             now: datetime | None = None) -> tuple[TlsFiles, bool]:
    """Make the CA unless it exists, then (re)issue the server certificate; (files, CA new?)."""
    when = now or datetime.now(UTC)
    addresses = parse_ips(ips)
    files = TlsFiles.of(data_dir)
    new_ca = not files.ca_key.exists()
    if new_ca:
        _make_ca(files, names[0] if names else data_dir.name, when)
    _issue_server(files, names, addresses, when)
    return files, new_ca


def server_cert_info(files: TlsFiles) -> tuple[list[str], datetime]:
    """The server certificate's names and addresses, and when it expires."""
    try:
        cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    except (OSError, ValueError) as error:
        raise TlsError(f"{files.server_cert}: {error}") from None
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = [str(v) for v in sans.get_values_for_type(x509.DNSName)]
    names += [str(v) for v in sans.get_values_for_type(x509.IPAddress)]
    return names, cert.not_valid_after_utc
