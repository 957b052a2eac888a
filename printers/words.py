"""What a printed ticket says: one function for the kiosk's own printer and the server's jobs.

Pure: no printer, no I/O, no clock. The layout (`printers.ticket`) turns a
`TicketContent` into ESC/POS bytes; the print agent gets it as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

FALLBACK_LANG = "de"


class LayoutError(ValueError):
    """The ticket cannot be laid out: unknown paper width or incomplete ticket data."""


@dataclass(frozen=True)
class TicketContent:
    """What one printed ticket says; no names, only the number and the errand."""

    office_name: str
    number: str
    errand: str
    errand_de: str
    lang: str
    issued_at: datetime
    people_ahead: int | None
    eta_min: int | None
    status_url: str
    # why there are no minutes: "no_counter_open" (see counter_server/core/ahead.py)
    eta_reason: str | None = None
    # with it, when the office opens (in the office's time zone), if it is closed now
    opens_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["issued_at"] = self.issued_at.isoformat()
        data["opens_at"] = self.opens_at.isoformat() if self.opens_at else None
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TicketContent:
        try:
            issued_at = datetime.fromisoformat(str(data["issued_at"]))
            return cls(
                office_name=str(data["office_name"]),
                number=str(data["number"]),
                errand=str(data["errand"]),
                errand_de=str(data.get("errand_de") or data["errand"]),
                lang=str(data.get("lang") or FALLBACK_LANG),
                issued_at=issued_at,
                people_ahead=_optional_int(data.get("people_ahead")),
                eta_min=_optional_int(data.get("eta_min")),
                status_url=str(data["status_url"]),
                eta_reason=None if data.get("eta_reason") is None else str(data["eta_reason"]),
                opens_at=_optional_moment(data.get("opens_at")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise LayoutError(f"ticket data incomplete or malformed: {error!r}") from None


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _optional_moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def ticket_words(
    *,
    office_name: str,
    number: str,
    errand_names: Mapping[str, str],
    lang: str,
    issued_at: datetime,
    timezone: str,
    people_ahead: int | None,
    eta_min: int | None,
    status_url: str,
    eta_reason: str | None = None,
    opens_at: datetime | None = None,
) -> TicketContent:
    """The words on one ticket.

    `errand_names` are the errand's names by language (German is the fallback and
    is printed small under a translation); `issued_at` is an aware moment, printed
    in the office's `timezone` (so is `opens_at`); `people_ahead` is the server's count
    (counter_server/core/ahead.py), `eta_reason` why there are no minutes.
    """
    errand_de = errand_names.get(FALLBACK_LANG) or next(iter(errand_names.values()), "")
    return TicketContent(
        office_name=office_name,
        number=number,
        errand=errand_names.get(lang) or errand_de,
        errand_de=errand_de,
        lang=lang,
        issued_at=issued_at.astimezone(ZoneInfo(timezone)),
        people_ahead=people_ahead,
        eta_min=eta_min,
        status_url=status_url,
        eta_reason=eta_reason,
        opens_at=opens_at.astimezone(ZoneInfo(timezone)) if opens_at else None,
    )
