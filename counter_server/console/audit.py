"""The audit table: who did what in the console, and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class Actor:
    """Who acts: a device (admin or office-head token) or a named staff account."""

    id: str
    name: str
    role: str
    kind: str = "device"  # or "staff"

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})"


def record(db: sqlite_utils.Database, now: datetime, actor: Actor, action: str, target: str = "",
           **detail: Any) -> None:
    db.table("audit").insert({
        "at": now.isoformat(), "actor": actor.label, "actor_role": actor.role, "action": action,
        "target": target, "detail": json.dumps(detail, ensure_ascii=False) if detail else "",
    })


def recent(db: sqlite_utils.Database, limit: int = 100) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT at, actor, actor_role, action, target, detail FROM audit ORDER BY id DESC LIMIT ?", [limit]
    ).fetchall()
    return [
        {"at": at, "actor": actor, "actor_role": role, "action": action, "target": target,
         "detail": json.loads(detail) if detail else {}}
        for at, actor, role, action, target, detail in rows
    ]
