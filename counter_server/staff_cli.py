"""`townhall staff add|list|passwd|disable`: named staff accounts of an office.

`add NAME --ldap` makes a directory account: no local password, the town's directory
(office.toml `[ldap]`) checks it at each login.

A password is never an argument (it would show in the process list and shell history):
it is asked for twice on a terminal, or read as one line from standard input."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .console.audit import Actor, record
from .console.staff import (
    STAFF_ROLES,
    StaffError,
    add_staff,
    disable,
    list_staff,
    set_password,
    staff_id_of,
)
from .paths import DataDir
from .store import Store, Tx

CLI_ACTOR = Actor(id="cli", name="townhall staff", role="admin", kind="cli")


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password (at least 10 characters): ")
    if getpass.getpass("again: ") != first:
        raise StaffError("the two passwords differ")
    return first


def _write(args: argparse.Namespace, change: Callable[[Tx], Any]) -> Any:
    store = Store(DataDir(Path(args.data_dir).expanduser().resolve()).db)
    try:
        return store.write_sync(change, now=datetime.now(UTC))
    finally:
        store.close()


def cmd_add(args: argparse.Namespace) -> int:
    password = None if args.ldap else _password()

    def add(tx: Tx) -> str:
        staff_id = add_staff(tx.db, tx.now, login=args.login, name=args.name or "", role=args.role, password=password)
        record(tx.db, tx.now, CLI_ACTOR, "staff.add", staff_id, login=args.login, role=args.role,
               **({"password": "LDAP"} if args.ldap else {}))
        return staff_id

    kind = "directory (LDAP) account" if args.ldap else "account"
    print(f"new {args.role} {kind} {args.login}; its id:")
    print(_write(args, add))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    for row in _write(args, lambda tx: list_staff(tx.db)):
        state = "disabled" if row["disabled_at"] else "active"
        directory = "  (LDAP)" if row["directory"] else ""
        print(f"{row['id']}  {row['login']}  {row['role']}  {state}  {row['name']}{directory}")
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    password = _password()

    def change(tx: Tx) -> None:
        staff_id = staff_id_of(tx.db, args.login)
        set_password(tx.db, staff_id, password)
        record(tx.db, tx.now, CLI_ACTOR, "staff.passwd", staff_id)

    _write(args, change)
    print(f"new password for {args.login}")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    def change(tx: Tx) -> None:
        staff_id = staff_id_of(tx.db, args.login)
        disable(tx.db, tx.now, staff_id)
        record(tx.db, tx.now, CLI_ACTOR, "staff.disable", staff_id)

    _write(args, change)
    print(f"disabled {args.login}: its sessions and shift ended")
    return 0


def _run(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except StaffError as error:
            print(f"townhall staff: {error}", file=sys.stderr)
            return 2

    return run


def add_parser(subparsers: Any) -> None:
    """Add `staff add|list|passwd|disable` to the `townhall` command."""
    parser = subparsers.add_parser("staff", help="named staff accounts (optional; workstation tokens keep working)")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="a new account; the password is asked for (or read from stdin)")
    add.add_argument("login")
    add.add_argument("--role", choices=STAFF_ROLES, default="clerk")
    add.add_argument("--name", help="the name the console and audit log show")
    add.add_argument("--ldap", action="store_true",
                     help="a directory account: no local password, the town's directory ([ldap]) checks it")
    add.set_defaults(handler=_run(cmd_add))
    listing = actions.add_parser("list", help="every account: id, login, role, state, name")
    listing.set_defaults(handler=_run(cmd_list))
    passwd = actions.add_parser("passwd", help="set a new local password (read as for add); unlocks the account"
                                " (a directory account becomes a local one)")
    passwd.add_argument("login")
    passwd.set_defaults(handler=_run(cmd_passwd))
    off = actions.add_parser("disable", help="the account logs in no more; its sessions and shift end")
    off.add_argument("login")
    off.set_defaults(handler=_run(cmd_disable))
    for action in (add, listing, passwd, off):
        action.add_argument("--data-dir", required=True)
