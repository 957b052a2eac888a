"""A real OpenLDAP server (Debian's slapd) on loopback for one test: its own slapd.conf and
mdb database in a temporary directory, run as the current user on a free port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ldap3 import Connection, Server

from bench.harness import free_port, stop_process

SLAPD = shutil.which("slapd") or next((p for p in ("/usr/sbin/slapd",) if Path(p).exists()), None)
SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "verzeichnis-admin-1"
PEOPLE = f"ou=people,{SUFFIX}"
CONF = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {dir}/db
"""


@dataclass
class Slapd:
    dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start (or start again, with the same entries) and wait until it listens."""
        assert SLAPD is not None
        (self.dir / "db").mkdir(parents=True, exist_ok=True)
        conf = self.dir / "slapd.conf"
        conf.write_text(CONF.format(dir=self.dir, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD))
        # -d 0: stay in the foreground (a child of the test), no debug output
        with (self.dir / "slapd.log").open("ab") as log:
            self.process = subprocess.Popen([SLAPD, "-f", str(conf), "-h", f"{self.url}/", "-d", "0"],
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {(self.dir / 'slapd.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("slapd did not listen within 20 s")

    def add_people(self, people: dict[str, str]) -> None:
        """The base entries and one inetOrgPerson per uid -> password."""
        with Connection(Server(self.url), ADMIN_DN, ADMIN_PASSWORD, auto_bind=True) as admin:
            assert admin.add(SUFFIX, ["dcObject", "organization"], {"o": "Musterstadt", "dc": "example"})
            assert admin.add(PEOPLE, ["organizationalUnit"], {"ou": "people"})
            for uid, password in people.items():
                assert admin.add(f"uid={uid},{PEOPLE}", ["inetOrgPerson"],
                                 {"cn": uid, "sn": uid, "userPassword": password}), admin.result

    def stop(self) -> None:
        stop_process(self.process)
