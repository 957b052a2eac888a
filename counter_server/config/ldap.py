"""`[ldap]`: the town's directory checks the passwords of directory staff accounts.

Left out, every staff account has a local password. With it, an account made with
`townhall staff add NAME --ldap` logs in by a simple bind as `user_dn` (with `{username}`
replaced by its login, escaped for a DN). The account itself (role, name, counter)
stays in the office's database: the directory only says whether the password is right.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .mail import read_ca_file
from .reader import Reader

FIELDS = frozenset({"url", "user_dn", "ca_file", "starttls", "timeout_s"})
PLACEHOLDER = "{username}"


@dataclass(frozen=True)
class LdapSettings:
    """office.toml `[ldap]`, validated."""

    url: str
    user_dn: str
    ca_file: str = ""
    starttls: bool = False
    timeout_s: int = 5

    @property
    def use_ssl(self) -> bool:
        return self.url.startswith("ldaps://")


def _url(r: Reader) -> str:
    url: str = r.get("url", str).strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
        raise r.fail("url", f"{url!r} is not a directory address such as ldaps://ldap.musterstadt.de")
    if parts.path not in ("", "/") or parts.query:
        raise r.fail("url", f"{url!r}: give only scheme, host and port (the DN goes into user_dn)")
    return url.rstrip("/")


def _user_dn(r: Reader) -> str:
    template: str = r.get("user_dn", str).strip()
    if template.count(PLACEHOLDER) != 1 or "=" not in template:
        raise r.fail("user_dn", f"{template!r} needs one {PLACEHOLDER}, e.g. uid={PLACEHOLDER},ou=people,dc=example,dc=org")
    if "{" in template.replace(PLACEHOLDER, "") or "}" in template.replace(PLACEHOLDER, ""):
        raise r.fail("user_dn", f"{template!r}: only {PLACEHOLDER} may stand in braces")
    return template


def parse_ldap(root: Reader) -> LdapSettings | None:
    if "ldap" not in root.table:
        return None
    r = root.sub("ldap")
    r.reject_unknown(FIELDS)
    url = _url(r)
    starttls: bool = r.get("starttls", bool, False)
    if starttls and url.startswith("ldaps://"):
        raise r.fail("starttls", "ldaps:// is encrypted already: starttls is for ldap:// only")
    timeout: int = r.get("timeout_s", int, 5)
    if not 1 <= timeout <= 60:
        raise r.fail("timeout_s", f"must be 1-60, not {timeout}")
    return LdapSettings(url=url, user_dn=_user_dn(r), ca_file=read_ca_file(r), starttls=starttls, timeout_s=timeout)
