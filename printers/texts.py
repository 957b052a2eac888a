"""The few words printed on a ticket, from the one catalogue (i18n/, keys `ticket.*`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from i18n import Catalog, available_languages


@dataclass(frozen=True)
class TicketTexts:
    """Labels of one language; `{n}` and `{m}` are filled in by the layout."""

    people_ahead: str
    wait: str
    scan: str
    footer: str
    # `{time}` is filled in by the layout
    counters_open_at: str = ""
    no_counter_open: str = ""
    rtl: bool = False


@cache
def texts_for(lang: str) -> TicketTexts:
    """The labels for `lang`, German when the language is not offered."""
    catalog = Catalog(lang if lang in available_languages() else "de", "ticket")
    return TicketTexts(
        people_ahead=catalog.text("people_ahead", n="{n}"),
        wait=catalog.text("wait", m="{m}"),
        scan=catalog.text("scan"),
        footer=catalog.text("footer"),
        counters_open_at=catalog.text("counters_open_at", time="{time}"),
        no_counter_open=catalog.text("no_counter_open"),
        rtl=catalog.rtl,
    )
