"""Schema of the console (issue 17): audit log, console sessions, device sightings,
walk-ins stopped for the day, staff accounts. Appended to migrations.MIGRATIONS."""

from __future__ import annotations

import sqlite_utils


def m010_console(db: sqlite_utils.Database) -> None:
    """Who did what in the console, its sessions, and when each device was last seen where."""
    db.table("audit").create(
        {"id": int, "at": str, "actor": str, "actor_role": str, "action": str, "target": str, "detail": str},
        pk="id",
        not_null={"at", "actor", "action"},
    )
    db.table("audit").create_index(["at"])
    db.table("console_sessions").create(
        {"token_hash": str, "principal_id": str, "kind": str, "name": str, "role": str, "csrf": str,
         "created_at": str, "expires_at": str},
        pk="token_hash",
        not_null={"principal_id", "kind", "role", "csrf", "expires_at"},
    )
    devices = db.table("devices")
    for column in ("last_seen_at", "last_address"):
        if column not in devices.columns_dict:
            devices.add_column(column, str)


def m011_walk_in_stops(db: sqlite_utils.Database) -> None:
    """An errand's walk-in tickets stopped by the office head for the rest of a day."""
    db.table("walk_in_stops").create(
        {"office_day": str, "service_id": str, "stopped_at": str, "actor": str},
        pk=("office_day", "service_id"),
        not_null={"stopped_at"},
    )


def m012_staff(db: sqlite_utils.Database) -> None:
    """Named staff accounts (optional): password hashed with scrypt."""
    db.table("staff").create(
        {"id": str, "login": str, "name": str, "role": str, "password_hash": str, "created_at": str,
         "disabled_at": str},
        pk="id",
        not_null={"login", "role", "password_hash"},
    )
    db.table("staff").create_index(["login"], unique=True)


def m013_staff_shifts(db: sqlite_utils.Database) -> None:
    """Failed logins per account (lockout), and shifts: a staff member bound to a counter."""
    staff = db.table("staff")
    for column, kind in (("failed_logins", int), ("locked_until", str)):
        if column not in staff.columns_dict:
            staff.add_column(column, kind)
    db.table("shifts").create(
        {"id": str, "token_hash": str, "staff_id": str, "counter_id": str, "device_id": str, "started_at": str,
         "ended_at": str},
        pk="id",
        not_null={"token_hash", "staff_id", "counter_id", "started_at"},
    )
    db.table("shifts").create_index(["token_hash"], unique=True)


CONSOLE_MIGRATIONS = [m010_console, m011_walk_in_stops, m012_staff, m013_staff_shifts]


def m017_alert_mails(db: sqlite_utils.Database) -> None:
    """The supervisor's alerts mailed and still crossed (`[alerts] mail_to`): each goes once."""
    db.table("alert_mails").create({"key": str, "kind": str, "mailed_at": str}, pk="key",
                                   not_null={"mailed_at"})


CONSOLE_MIGRATIONS.append(m017_alert_mails)
