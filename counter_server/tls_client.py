"""How a client of the counter server (kiosk, print agent) trusts its HTTPS certificate.

With a CA file (`--ca`, from `townhall tls init`) only certificates that CA signed are
accepted; without one the system's trust store is used. Plain http:// needs neither.
"""

from __future__ import annotations

import ssl
from pathlib import Path


class TrustError(Exception):
    """The CA file cannot be read; the message names it."""


def ssl_context(ca_file: Path | str | None) -> ssl.SSLContext:
    """A verifying context: the office's CA when given, else the system's trusted CAs."""
    if not ca_file:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as error:
        raise TrustError(f"CA file {ca_file}: cannot use it: {error}") from None


def untrusted_certificate(error: BaseException) -> str | None:
    """A clear sentence when `error` (or what caused it) is a refused server certificate."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"the server's certificate is not trusted ({seen.verify_message}); is --ca the office's CA file?"
        if isinstance(seen, ssl.SSLError) and "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return f"the server's certificate is not trusted ({seen}); is --ca the office's CA file?"
        seen = seen.__cause__ or seen.__context__
    return None


def websocket_ssl(url: str, context: ssl.SSLContext) -> ssl.SSLContext | None:
    """websockets wants an ssl argument only for wss:// URLs."""
    return context if url.startswith("wss://") else None
