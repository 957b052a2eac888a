"""Walk-in tickets stopped for an errand for the rest of the day (the office head's action).

The kiosks hear it at once (`service.walk_in_stopped`) and show the errand as unavailable;
a check-in for it is refused with `walk_in_stopped` until the day ends or it is resumed.
"""

from __future__ import annotations

from datetime import date

import sqlite_utils

from ..core.errors import UnknownService
from ..core.numbering import office_day
from ..uow import Work


def stopped_services(db: sqlite_utils.Database, day: date) -> set[str]:
    rows = db.execute("SELECT service_id FROM walk_in_stops WHERE office_day = ?", [day.isoformat()]).fetchall()
    return {row[0] for row in rows}


def _service_id(work: Work, service_id: str) -> str:
    if work.office.service(service_id) is None:
        raise UnknownService(f"no service {service_id!r} in this office", service_id=service_id)
    return service_id


def stop_walk_ins(work: Work, *, service_id: str, actor: str) -> None:
    day = office_day(work.now, work.office.timezone).isoformat()
    work.db.table("walk_in_stops").upsert(
        {"office_day": day, "service_id": _service_id(work, service_id), "stopped_at": work.now.isoformat(),
         "actor": actor}, pk=("office_day", "service_id"))
    work.emit("service.walk_in_stopped", {"service_id": service_id, "office_day": day})


def resume_walk_ins(work: Work, *, service_id: str) -> None:
    day = office_day(work.now, work.office.timezone).isoformat()
    work.db.execute("DELETE FROM walk_in_stops WHERE office_day = ? AND service_id = ?",
                    [day, _service_id(work, service_id)])
    work.emit("service.walk_in_resumed", {"service_id": service_id, "office_day": day})
