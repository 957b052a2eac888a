"""The reports' plots, drawn by the server with matplotlib (Agg, no pyplot: thread-safe).

They go into the published monthly PDF, so every bar, bin or share of fewer than 5 visitors
(1 to 4) is left out and marked "<5" where it would stand."""

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


def _hour_axis(axes: Axes, hours: Sequence[int]) -> None:
    axes.set_xticks(hours)
    if hours:  # every hour keeps its place, drawn or not
        axes.set_xlim(hours[0] - 0.6, hours[-1] + 0.6)


def _small(n: float) -> bool:
    """A count too small to publish (1 to 4 visitors could point to a person)."""
    return 0 < n < stats.MIN_PUBLISHED


def _mark(axes: Axes, places: Sequence[Any], *, horizontal: bool = False, above: Sequence[float] = ()) -> None:
    """"<5" where a bar was left out: at the foot of its place, or `above` what is drawn there."""
    for i, place in enumerate(places):
        if horizontal:
            axes.text(0, place, " <5", color=INK, fontsize=9, va="center", ha="left")
        else:
            axes.text(place, above[i] if above else 0, "<5", color=INK, fontsize=9, va="bottom", ha="center")


def waits_by_hour(axes: Axes, visits: Sequence[stats.Visit], **_: Any) -> None:
    cells = {c["hour"]: c for c in stats.cells(visits, ["hour"])}
    hours = _hours(visits)
    shown = [h for h in hours if cells.get(h, {}).get("visitors", 0) >= stats.MIN_PUBLISHED]
    mean = [cells[h]["wait_mean_min"] or 0 for h in shown]
    p90 = [cells[h]["wait_p90_min"] or 0 for h in shown]
    axes.bar([h - 0.2 for h in shown], mean, width=0.4, color=BLUE, label="Mittel")
    axes.bar([h + 0.2 for h in shown], p90, width=0.4, color=ORANGE, label="90 % warten kürzer als")
    _mark(axes, [h for h in hours if _small(cells.get(h, {}).get("visitors", 0))])
    _hour_axis(axes, hours)
    axes.set_xlabel("Uhrzeit (Stunde); <5: weniger als 5 Besuche, nicht gezeigt")
    axes.set_ylabel("Minuten")
    axes.legend(frameon=True, facecolor="white", framealpha=1)


def arrivals_by_hour(axes: Axes, visits: Sequence[stats.Visit], open_hours: dict[int, float],
                     days: int = 1, **_: Any) -> None:
    hours = sorted(set(_hours(visits)) | {h for h, n in open_hours.items() if n > 0})
    _hour_axis(axes, hours)
    came = [v for v in visits if v.outcome not in ("absent", "cancelled")]
    counts = {h: sum(v.hour == h for v in came) for h in hours}
    shown = [h for h in hours if not _small(counts[h])]
    axes.bar(shown, [counts[h] / max(days, 1) for h in shown], color=BLUE, label="Ankünfte je Tag")
    _mark(axes, [h for h in hours if _small(counts[h])])
    axes.set_xlabel("Uhrzeit (Stunde); <5: weniger als 5 Ankünfte, nicht gezeigt")
    axes.set_ylabel("Ankünfte je Tag")
    twin = axes.twinx()
    twin.plot(hours, [open_hours.get(h, 0) for h in hours], color=ORANGE, marker="o", label="Schalter offen")
    twin.set_ylabel("Schalter offen (Mittel)")
    twin.set_ylim(bottom=0)
    axes.legend(loc="upper left", frameon=True, facecolor="white", framealpha=1)
    twin.legend(loc="upper right", frameon=True, facecolor="white", framealpha=1)


def wait_distribution(axes: Axes, visits: Sequence[stats.Visit], **_: Any) -> None:
    waits = [v.wait_s / 60 for v in visits if v.wait_s is not None and v.outcome != "no_show"]
    edges = list(range(0, max(60, int(max(waits, default=0)) + 5), 5))
    counts = [sum(low <= w < low + 5 for w in waits) for low in edges]
    shown = [i for i, n in enumerate(counts) if not _small(n)]
    axes.bar([edges[i] for i in shown], [counts[i] for i in shown], width=5, align="edge", color=BLUE)
    _mark(axes, [edges[i] + 2.5 for i, n in enumerate(counts) if _small(n)])
    for limit in (15, 30):
        axes.axvline(limit, color=ORANGE, linestyle="--")
    axes.set_xlabel("Wartezeit (Minuten), Linien bei 15 und 30; <5: weniger als 5, nicht gezeigt")
    axes.set_ylabel("Besuche")


def no_show_by_errand(axes: Axes, visits: Sequence[stats.Visit], names: dict[str, str], **_: Any) -> None:
    cells = stats.cells(visits, ["service_id"])
    labels = [names.get(c["service_id"], c["service_id"]) for c in cells]
    booked = [c["visitors"] + sum(v.outcome == "absent" and v.service_id == c["service_id"] for v in visits)
              for c in cells]
    # a rate from fewer than 5 visitors, or of 1 to 4 no-shows, would tell that count
    hidden = [_small(n) or _small(c["no_show"]) for c, n in zip(cells, booked, strict=True)]
    rates = [0.0 if hide else c["no_show"] / max(1, n) for c, n, hide in zip(cells, booked, hidden, strict=True)]
    axes.barh(labels, rates, color=BLUE)
    _mark(axes, [i for i, hide in enumerate(hidden) if hide], horizontal=True)
    axes.set_xlabel("Anteil nicht erschienen; <5: weniger als 5, nicht gezeigt")
    axes.set_xlim(0, max([0.1, *rates]) * 1.1)


def booked_vs_walk_in(axes: Axes, visits: Sequence[stats.Visit], by_month: bool = False, **_: Any) -> None:
    came = [v for v in visits if v.outcome not in ("absent", "cancelled")]
    key: Callable[[stats.Visit], str] = (lambda v: v.office_day[:7]) if by_month else (lambda v: v.office_day[5:])
    periods = sorted({key(v) for v in came})
    walk = [sum(key(v) == p and v.kind == "walk_in" for v in came) for p in periods]
    booked = [sum(key(v) == p and v.kind != "walk_in" for v in came) for p in periods]
    small = [i for i in range(len(periods)) if _small(walk[i]) or _small(booked[i])]
    walk = [0 if _small(n) else n for n in walk]
    booked = [0 if _small(n) else n for n in booked]
    axes.bar(periods, walk, color=BLUE, label="ohne Termin")
    axes.bar(periods, booked, bottom=walk, color=GREEN, label="mit Termin")
    _mark(axes, small, above=[walk[i] + booked[i] for i in small])
    axes.set_ylim(0, max([1, *(w + b for w, b in zip(walk, booked, strict=True))]) * 1.15)  # room for "<5"
    axes.set_ylabel("Besuche")
    axes.set_xlabel("<5: ein Teil mit weniger als 5 Besuchen, nicht gezeigt")
    axes.legend(frameon=True, facecolor="white", framealpha=1)
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
