"""`[mail]`: the office's SMTP server for confirmations, reminders and waiting-list offers.

Left out, no e-mail is sent and the booking site says so. The password may stand in
the file or, better, in a file of its own (`password_file`, relative to office.toml)
that only the server's user can read. `ca_file` trusts an office's own certificate
authority for the mail server (without it, the system's authorities).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from .reader import Reader

FIELDS = frozenset({
    "host", "port", "starttls", "username", "password", "password_file", "from", "reminder_hours",
    "ca_file",
})
REMINDER_HOURS_MAX = 24 * 14


@dataclass(frozen=True)
class MailSettings:
    """office.toml `[mail]`, validated; `password` is never shown in a repr or a log."""

    host: str
    sender: str
    port: int = 587
    starttls: bool = True
    username: str = ""
    password: str = field(default="", repr=False)
    reminder_hours: int = 24
    ca_file: str = ""


def _password(r: Reader) -> str:
    inline: str = r.get("password", str, "")
    name: str = r.get("password_file", str, "")
    if inline and name:
        raise r.fail("password_file", "give either password or password_file, not both")
    if not name:
        return inline
    path = Path(name) if Path(name).is_absolute() else r.path.parent / name
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise r.fail("password_file", f"cannot read {path}: {error.strerror or error}") from None


def read_ca_file(r: Reader) -> str:
    """`ca_file`: the certificate (PEM) that signed the server's (mail, directory), as an absolute path; "" for none."""
    name: str = r.get("ca_file", str, "")
    if not name:
        return ""
    path = Path(name) if Path(name).is_absolute() else r.path.parent / name
    try:
        ssl.create_default_context(cafile=str(path))
    except OSError as error:  # ssl.SSLError is one too
        raise r.fail("ca_file", f"cannot read a PEM certificate from {path}: {error.strerror or error}") from None
    return str(path)


def _sender(r: Reader) -> str:
    sender: str = r.get("from", str)
    _, address = parseaddr(sender)
    if "@" not in address or " " in address:
        raise r.fail("from", f"{sender!r} is not an e-mail address such as termine@musterstadt.de")
    return sender


def _whole(r: Reader, key: str, default: int, low: int, high: int) -> int:
    value: int = r.get(key, int, default)
    if not low <= value <= high:
        raise r.fail(key, f"must be {low}-{high}, not {value}")
    return value


def parse_mail(root: Reader) -> MailSettings | None:
    if "mail" not in root.table:
        return None
    r = root.sub("mail")
    r.reject_unknown(FIELDS)
    host: str = r.get("host", str).strip()
    if not host or " " in host:
        raise r.fail("host", f"{host!r} is not a host name")
    username: str = r.get("username", str, "")
    password = _password(r)
    if username and not password:
        raise r.fail("password", "a username needs a password (or password_file)")
    if password and not username:
        raise r.fail("username", "a password needs a username")
    return MailSettings(
        host=host, sender=_sender(r), port=_whole(r, "port", 587, 1, 65535),
        starttls=r.get("starttls", bool, True), username=username, password=password,
        reminder_hours=_whole(r, "reminder_hours", 24, 0, REMINDER_HOURS_MAX), ca_file=read_ca_file(r),
    )
