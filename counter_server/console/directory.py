"""The town's directory (LDAP): a simple bind as the staff member says whether a password is right.

Only the password is checked there; the account (role, name, counter) lives in the office's
database. The password is never logged: a failure names the directory, not what was sent.
"""

from __future__ import annotations

import logging
import ssl
from typing import TYPE_CHECKING

from ..config import LdapSettings
from ..config.ldap import PLACEHOLDER

# ldap3 (about 5 MB resident) is imported by the functions that talk to a directory: most
# offices have none, and the server would keep it all day for nothing
if TYPE_CHECKING:
    from ldap3 import Connection

log = logging.getLogger(__name__)
# the directory's answers that mean "not this password" (wrong, no such entry, not allowed),
# unlike busy (51) or unavailable (52), which mean the directory cannot check it now
REFUSED = frozenset({32, 48, 49, 50, 53})


class DirectoryUnavailable(Exception):
    """The directory cannot be reached or cannot check a password now."""


def user_dn(settings: LdapSettings, login: str) -> str:
    from ldap3.utils.dn import escape_rdn

    return settings.user_dn.replace(PLACEHOLDER, escape_rdn(login))


def _connection(settings: LdapSettings, dn: str, password: str) -> Connection:
    from ldap3 import Connection, Server, Tls

    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.ca_file or None)
    server = Server(settings.url, use_ssl=settings.use_ssl, tls=tls, connect_timeout=settings.timeout_s,
                    get_info="NO_INFO")
    return Connection(server, user=dn, password=password, receive_timeout=settings.timeout_s,
                      raise_exceptions=False, read_only=True)


def check(settings: LdapSettings, login: str, password: str) -> bool:
    """True for the right password, False for a wrong one; DirectoryUnavailable if it cannot tell.
    Blocking: run it in a thread, never inside a database write."""
    from ldap3.core.exceptions import LDAPException

    if not password:
        return False  # an empty password would be an anonymous bind, which proves nothing
    connection = _connection(settings, user_dn(settings, login), password)
    try:
        connection.open()
        if settings.starttls and not connection.start_tls():
            raise DirectoryUnavailable("STARTTLS refused")
        if connection.bind():
            return True
        code = int((connection.result or {}).get("result", -1))
    except (LDAPException, OSError) as error:
        log.warning("directory %s unreachable for a staff login: %s", settings.url, type(error).__name__)
        raise DirectoryUnavailable(type(error).__name__) from None
    finally:
        connection.unbind()
    if code in REFUSED:
        return False
    log.warning("directory %s cannot check a staff login now: result %s", settings.url, code)
    raise DirectoryUnavailable(f"result {code}")
