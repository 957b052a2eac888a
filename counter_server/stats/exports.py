"""Downloads of a report: CSV, XLSX (openpyxl) and the monthly PDF (matplotlib's PdfPages).

Every download is published data: cells with fewer than 5 visitors are suppressed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib and openpyxl are imported when a download is made
    from matplotlib.figure import Figure

from ..core import stats
from . import plots

DETAIL = ["office_day", "service_id", "counter_id", "hour"]
SHEETS = {"Anliegen": ["service_id"], "Tage": ["office_day"], "Stunden": ["hour"], "Schalter": ["counter_id"],
          "Details": DETAIL}


def published(visits: Sequence[stats.Visit], by: Sequence[str]) -> list[dict[str, Any]]:
    return [stats.suppress(c) for c in stats.cells(visits, by)]


def _columns(by: Sequence[str]) -> list[str]:
    return [*by, *stats.CELL_FIGURES]


def _value(value: Any) -> Any:
    if value is None:
        return ""
    return round(value, 3) if isinstance(value, float) else value


def cells_csv(cells: Sequence[dict[str, Any]], by: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = _columns(by)
    writer.writerow(columns)
    for cell in cells:
        writer.writerow([_value(cell.get(c)) for c in columns])
    return out.getvalue()


def csv_text(visits: Sequence[stats.Visit], by: Sequence[str] = DETAIL) -> str:
    return cells_csv(published(visits, by), by)


def xlsx_bytes(visits: Sequence[stats.Visit], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, by in SHEETS.items():
        sheet = book.create_sheet(name)
        columns = _columns(by)
        sheet.append(columns)
        for cell in published(visits, by):
            sheet.append([cell.get(c) for c in columns])
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_page(title: str, office: str, visits: Sequence[stats.Visit], names: dict[str, str]) -> Figure:
    from matplotlib.figure import Figure

    page = Figure(figsize=(8.27, 11.69))  # A4
    page.text(0.08, 0.95, f"{office}: Bericht {title}", fontsize=16, weight="bold")
    page.text(0.08, 0.92, "Wartezeiten, Besuche und Termine; Zellen unter 5 Besuchen sind ausgelassen.", fontsize=9)
    rows = [["Anliegen", "Besuche", "ohne T.", "mit T.", "n. ersch.", "Warten Ø", "90 %", "≤ 15 min"]]
    for cell in published(visits, ["service_id"]):
        share = cell["within_15_share"]
        rows.append([
            names.get(cell["service_id"], cell["service_id"])[:28], _text(cell["visitors"]), _text(cell["walk_in"]),
            _text(cell["booked"]), _text(cell["no_show"]), _text(cell["wait_mean_min"]),
            _text(cell["wait_p90_min"]), "–" if share is None else f"{share:.0%}",
        ])
    axes = page.add_axes((0.05, 0.3, 0.9, 0.6))
    axes.axis("off")
    table = axes.table(cellText=rows, loc="upper left", cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    return page


def _text(value: Any) -> str:
    return "–" if value is None else str(value)


def pdf_bytes(title: str, office: str, visits: Sequence[stats.Visit], context: dict[str, Any]) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    out = io.BytesIO()
    with PdfPages(out) as pdf:
        pdf.savefig(_summary_page(title, office, visits, context["names"]))
        for name in plots.PLOTS:
            pdf.savefig(plots.figure(name, visits, **context))
        info = pdf.infodict()
        info["Title"] = f"{office}: Bericht {title}"
    return out.getvalue()
