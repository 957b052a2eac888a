"""The reports' plots, drawn by the server with matplotlib (Agg, no pyplot: thread-safe)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported when a plot is drawn: the server starts without it
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from ..core import stats

# dark, distinct colours that keep 7:1 against white for thin lines and labels
INK, BLUE, ORANGE, GREEN = "#1a1a1a", "#0b3d91", "#8a3b00", "#1b5e20"
PLOTS = ("waits_by_hour", "arrivals_by_hour", "wait_distribution", "no_show_by_errand", "booked_vs_walk_in")
TITLES = {
    "waits_by_hour": "Wartezeit nach Tageszeit (Minuten)",
    "arrivals_by_hour": "Ankünfte je Stunde und geöffnete Schalter",
    "wait_distribution": "Verteilung der Wartezeiten",
    "no_show_by_errand": "Nicht erschienen nach Anliegen (Anteil)",
    "booked_vs_walk_in": "Mit Termin und ohne Termin im Zeitverlauf",
}


def _figure() -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.tick_params(colors=INK)
    axes.grid(axis="y", color="#cccccc", linewidth=0.6)
    axes.set_axisbelow(True)
    return figure, axes


def _hours(visits: Sequence[stats.Visit]) -> list[int]:
    hours = sorted({v.hour for v in visits})
    return list(range(hours[0], hours[-1] + 1)) if hours else []


def waits_by_hour(axes: Axes, visits: Sequence[stats.Visit], **_: Any) -> None:
    cells = {c["hour"]: c for c in stats.cells(visits, ["hour"])}
    hours = _hours(visits)
    mean = [cells.get(h, {}).get("wait_mean_min") or 0 for h in hours]
    p90 = [cells.get(h, {}).get("wait_p90_min") or 0 for h in hours]
    axes.bar([h - 0.2 for h in hours], mean, width=0.4, color=BLUE, label="Mittel")
    axes.bar([h + 0.2 for h in hours], p90, width=0.4, color=ORANGE, label="90 % warten kürzer als")
    axes.set_xticks(hours)
    axes.set_xlabel("Uhrzeit (Stunde)")
    axes.set_ylabel("Minuten")
    axes.legend(frameon=False)


def arrivals_by_hour(axes: Axes, visits: Sequence[stats.Visit], open_hours: dict[int, float],
                     days: int = 1, **_: Any) -> None:
    hours = sorted(set(_hours(visits)) | {h for h, n in open_hours.items() if n > 0})
    axes.set_xticks(hours)
    came = [v for v in visits if v.outcome not in ("absent", "cancelled")]
    per_hour = [sum(v.hour == h for v in came) / max(days, 1) for h in hours]
    axes.bar(hours, per_hour, color=BLUE, label="Ankünfte je Tag")
    axes.set_xlabel("Uhrzeit (Stunde)")
    axes.set_ylabel("Ankünfte je Tag")
    twin = axes.twinx()
    twin.plot(hours, [open_hours.get(h, 0) for h in hours], color=ORANGE, marker="o", label="Schalter offen")
    twin.set_ylabel("Schalter offen (Mittel)")
    twin.set_ylim(bottom=0)
    axes.legend(loc="upper left", frameon=False)
    twin.legend(loc="upper right", frameon=False)


def wait_distribution(axes: Axes, visits: Sequence[stats.Visit], **_: Any) -> None:
    waits = [v.wait_s / 60 for v in visits if v.wait_s is not None and v.outcome != "no_show"]
    edges = list(range(0, max(60, int(max(waits, default=0)) + 5), 5))
    axes.hist(waits, bins=edges, color=BLUE)
    for limit in (15, 30):
        axes.axvline(limit, color=ORANGE, linestyle="--")
    axes.set_xlabel("Wartezeit (Minuten), Linien bei 15 und 30")
    axes.set_ylabel("Besuche")


def no_show_by_errand(axes: Axes, visits: Sequence[stats.Visit], names: dict[str, str], **_: Any) -> None:
    cells = stats.cells(visits, ["service_id"])
    labels = [names.get(c["service_id"], c["service_id"]) for c in cells]
    rates = [c["no_show"] / max(1, c["visitors"] + sum(v.outcome == "absent" and v.service_id == c["service_id"]
                                                      for v in visits)) for c in cells]
    axes.barh(labels, rates, color=BLUE)
    axes.set_xlabel("Anteil nicht erschienen")
    axes.set_xlim(0, max([0.1, *rates]) * 1.1)


def booked_vs_walk_in(axes: Axes, visits: Sequence[stats.Visit], by_month: bool = False, **_: Any) -> None:
    came = [v for v in visits if v.outcome not in ("absent", "cancelled")]
    key: Callable[[stats.Visit], str] = (lambda v: v.office_day[:7]) if by_month else (lambda v: v.office_day[5:])
    periods = sorted({key(v) for v in came})
    walk = [sum(key(v) == p and v.kind == "walk_in" for v in came) for p in periods]
    booked = [sum(key(v) == p and v.kind != "walk_in" for v in came) for p in periods]
    axes.bar(periods, walk, color=BLUE, label="ohne Termin")
    axes.bar(periods, booked, bottom=walk, color=GREEN, label="mit Termin")
    axes.set_ylabel("Besuche")
    axes.legend(frameon=False)
    if len(periods) > 12:
        axes.tick_params(axis="x", labelrotation=90, labelsize=7)


DRAW: dict[str, Callable[..., None]] = {
    "waits_by_hour": waits_by_hour, "arrivals_by_hour": arrivals_by_hour,
    "wait_distribution": wait_distribution, "no_show_by_errand": no_show_by_errand,
    "booked_vs_walk_in": booked_vs_walk_in,
}


def figure(name: str, visits: Sequence[stats.Visit], **context: Any) -> Figure:
    fig, axes = _figure()
    DRAW[name](axes, visits, **context)
    axes.set_title(TITLES[name], color=INK, loc="left")
    return fig


def png(name: str, visits: Sequence[stats.Visit], **context: Any) -> bytes:
    out = io.BytesIO()
    figure(name, visits, **context).savefig(out, format="png")
    return out.getvalue()
