"""Plots go into the published monthly PDF: no bar, bin or share of 1 to 4 visitors is drawn,
"<5" stands in its place."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from counter_server.core import stats
from counter_server.stats import exports, plots

NAMES = {"pass": "Reisepass", "id": "Personalausweis"}


def _visit(day: str, hour: int, wait_min: int, *, kind: str = "walk_in", service: str = "pass",
           outcome: str = "done") -> stats.Visit:
    return stats.Visit(office_day=day, hour=hour, service_id=service, counter_id="1", kind=kind,
                       outcome=outcome, wait_s=wait_min * 60, service_s=600)


# hour 9: six walk-ins waiting 10 min (shown); hour 10: two waiting 40 min (left out);
# the next day three booked visitors for another errand (left out everywhere)
VISITS = (
    [_visit("2026-12-01", 9, 10) for _ in range(6)]
    + [_visit("2026-12-01", 10, 40) for _ in range(2)]
    + [_visit("2026-12-02", 11, 20, kind="booked", service="id") for _ in range(3)]
)
CONTEXT: dict[str, Any] = {"names": NAMES, "open_hours": {9: 1.0, 10: 1.0, 11: 1.0}, "days": 2}


def _drawn(name: str) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(centre, height) of every bar drawn with a height, and where "<5" stands."""
    axes = plots.figure(name, VISITS, **CONTEXT).axes[0]
    bars = [(round(p.get_x() + p.get_width() / 2, 2), p.get_height()) for p in axes.patches if p.get_height() > 0]
    marks = [tuple(t.get_position()) for t in axes.texts if t.get_text().strip() == "<5"]
    return bars, marks


def test_waits_by_hour_leaves_out_an_hour_of_two() -> None:
    bars, marks = _drawn("waits_by_hour")
    assert bars == [(8.8, 10.0), (9.2, 10.0)]  # mean and p90 of hour 9 only
    assert [x for x, _ in marks] == [10, 11]


def test_arrivals_by_hour_leaves_out_small_hours() -> None:
    bars, marks = _drawn("arrivals_by_hour")
    assert bars == [(9.0, 3.0)]  # 6 arrivals over 2 days
    assert [x for x, _ in marks] == [10, 11]


def test_the_wait_histogram_leaves_out_small_bins() -> None:
    bars, marks = _drawn("wait_distribution")
    assert bars == [(12.5, 6)]  # the bin 10-15 min; 20-25 (3) and 40-45 (2) are left out
    assert [x for x, _ in marks] == [22.5, 42.5]


def test_booked_and_walk_ins_and_no_show_shares_leave_out_small_parts() -> None:
    bars, marks = _drawn("booked_vs_walk_in")
    assert [h for _, h in bars] == [8]  # the first day's eight walk-ins; the three booked are left out
    assert len(marks) == 1
    axes = plots.figure("no_show_by_errand", VISITS, **CONTEXT).axes[0]
    assert [p.get_width() for p in axes.patches] == [0.0, 0.0]  # no share drawn: 3 and 0 of 8 no-shows
    assert [t.get_position()[1] for t in axes.texts if t.get_text().strip() == "<5"] == [0]  # Personalausweis


def test_the_monthly_pdf_marks_left_out_bars() -> None:
    body = exports.pdf_bytes("2026-12", "Bürgeramt", VISITS, CONTEXT)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert text.count("<5") >= 5
