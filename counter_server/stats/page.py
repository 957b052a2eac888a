"""The /reports page: a German HTML page drawn by the server, its plots as PNG links."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from ..core import stats
from . import plots
from .exports import published
from .query import PERIODS, Selection

PERIOD_NAMES = {"day": "Tag", "week": "Woche", "month": "Monat", "year": "Jahr"}
COLUMNS = (
    ("visitors", "Besuche"), ("walk_in", "ohne Termin"), ("booked", "mit Termin"),
    ("booked_late", "Termin, verspätet"), ("no_show", "nicht erschienen"), ("cancelled", "abgesagt"),
    ("transferred", "weitergeleitet"), ("parked", "zurückgestellt"), ("offline", "Kiosk offline"),
    ("wait_mean_min", "Warten Ø min"), ("wait_median_min", "Median"), ("wait_p90_min", "90 %"),
    ("wait_max_min", "max"), ("service_mean_min", "Bedienung Ø min"), ("within_15_share", "≤ 15 min"),
    ("within_30_share", "≤ 30 min"), ("booked_on_time_share", "Termin ≤ 5 min aufgerufen"),
    ("eta_error_mean_min", "Prognose-Fehler Ø min"),
)
REASONS = {
    "daily_cap_reached": "Tageskontingent erreicht", "walk_in_closed": "nach der letzten Ausgabezeit",
    "office_closed": "Amt geschlossen", "walk_in_not_allowed": "nur mit Termin",
    "lease_expired": "Offline-Nummer abgelaufen (Kiosk-Ausfall)",
}
CSS = """
body{font-family:system-ui,sans-serif;color:#111;background:#fff;margin:1.5rem;line-height:1.4}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{border:1px solid #555;padding:.25rem .45rem;text-align:right}th[scope=row],td.l{text-align:left}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
fieldset{border:1px solid #555;margin:.5rem 0;padding:.5rem}
label{margin-right:1rem}a{color:#0b3d91}button{font-size:1rem;padding:.3rem 1rem}
img{max-width:100%;height:auto;border:1px solid #ccc;margin:.5rem 0}
.note{color:#333;font-size:.9rem}
"""


def _cell(value: Any, name: str) -> str:
    if value is None:
        return "<td>–</td>"
    if name.endswith("_share"):
        return f"<td>{value:.0%}</td>"
    return f"<td>{value}</td>"


def _table(caption: str, head: str, cells: Sequence[dict[str, Any]], key: str, label: dict[str, str]) -> str:
    header = "".join(f'<th scope="col">{escape(t)}</th>' for _, t in COLUMNS)
    body = "".join(
        f'<tr><th scope="row">{escape(label.get(str(c[key]), str(c[key])) or "–")}</th>'
        + "".join(_cell(c.get(n), n) for n, _ in COLUMNS) + "</tr>"
        for c in cells
    )
    return (f"<table><caption>{escape(caption)}</caption><thead><tr><th scope=\"col\">{escape(head)}</th>"
            f"{header}</tr></thead><tbody>{body}</tbody></table>")


NO_ACCOUNT = "ohne Personenkonto"


def _form(sel: Selection, token: str, services: dict[str, str], counters: dict[str, str],
          clerks: dict[str, str]) -> str:
    periods = "".join(
        f'<option value="{p}"{" selected" if p == sel.period else ""}>{PERIOD_NAMES[p]}</option>' for p in PERIODS
    )

    def boxes(name: str, options: dict[str, str], chosen: Sequence[str]) -> str:
        return "".join(
            f'<label><input type="checkbox" name="{name}" value="{escape(k)}"'
            f'{" checked" if k in chosen else ""}> {escape(v)}</label>' for k, v in options.items()
        )

    return (
        '<form method="get" action="/reports">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<label for="period">Zeitraum</label> <select id="period" name="period">{periods}</select> '
        f'<label for="date">mit dem Tag</label> <input id="date" type="date" name="date" value="{sel.first}">'
        f'<fieldset><legend>Anliegen (keins gewählt = alle)</legend>{boxes("service", services, sel.services)}</fieldset>'
        f'<fieldset><legend>Schalter (keiner gewählt = alle)</legend>{boxes("counter", counters, sel.counters)}</fieldset>'
        + (f'<fieldset><legend>Sachbearbeitung (keine gewählt = alle; nicht in Downloads)</legend>'
           f'{boxes("staff", clerks, sel.staff)}</fieldset>' if clerks else "")
        + '<button type="submit">Anzeigen</button></form>'
    )


def _clerk_table(visits: Sequence[stats.Visit], clerks: dict[str, str]) -> str:
    """Per clerk by display name: for the office head and admin on this page, never published."""
    if not clerks:
        return ""
    return _table("Nach Sachbearbeitung (nur hier, nie veröffentlicht)", "Sachbearbeitung",
                  published(visits, ["staff_id"]), "staff_id", {"": NO_ACCOUNT, **clerks})


def _late_errands(by_errand: Sequence[dict[str, Any]], services: dict[str, str],
                  skills: Mapping[str, Collection[str]]) -> str:
    """A note under the errands' table naming errands whose booked visitors are often called late."""
    takers = {s: sum(s in done for done in skills.values()) for s in services}
    offered = [c for c in by_errand if c.get("service_id") in services]  # not errands since dropped
    late = stats.errands_late_for_booked(offered, takers)
    if not late:
        return ""
    named = "; ".join(f"{escape(services[s])} {share:.0%} – heute an {_counters_text(n)}" for s, share, n in late)
    first = late[0][0]
    spare = next((c for c, done in skills.items() if first not in done), None)
    example = "" if spare is None else (
        f" Vorher ausprobieren, mit den Besuchen der letzten Wochen: <code>townhall simulate --from-history"
        f" --data-dir … --skills {escape(spare)}:{escape(first)}=2</code>.")
    return (f'<p class="note">Weniger als {stats.BOOKED_ON_TIME_GOAL:.0%} der Termine pünktlich aufgerufen'
            f" (höchstens 5 Minuten nach Termin bzw. Ankunft): {named}. Mehr Schalter für ein Anliegen,"
            f" auch als Zweitaufgabe, halten seine Termine am ehesten pünktlich.{example}</p>")


def _counters_text(n: int) -> str:
    return "keinem Schalter" if n == 0 else f"{n} Schalter{'' if n == 1 else 'n'}"


def tables(*, visits: Sequence[stats.Visit], refusals: Sequence[dict[str, Any]], services: dict[str, str],
           clerks: dict[str, str], skills: Mapping[str, Collection[str]] | None = None) -> str:
    """The report's tables: the costly part, without the token (cached per selection).

    `skills`: each counter's errands today, for the note on errands whose booked visitors wait."""
    by_errand = published(visits, ["service_id"])
    by_hour = published(visits, ["hour"])
    total = [stats.suppress({"office_day": "gesamt", **stats.figures(visits)})]
    refused = "".join(
        f'<tr><th scope="row">{escape(REASONS.get(r["reason"], r["reason"]))}</th><td>{r["n"]}</td></tr>'
        for r in refusals
    ) or '<tr><th scope="row">keine</th><td>0</td></tr>'
    hours = {str(c["hour"]): f"{c['hour']:02d}–{c['hour'] + 1:02d} Uhr" for c in by_hour}
    return f"""{_table("Insgesamt", "Zeitraum", total, "office_day", {})}
{_table("Nach Anliegen", "Anliegen", by_errand, "service_id", services)}
{_late_errands(by_errand, services, skills or {})}
{_table("Nach Tageszeit", "Stunde", by_hour, "hour", hours)}
{_clerk_table(visits, clerks)}
<table><caption>Abgewiesene Wartenummern</caption><thead><tr><th scope="col">Grund</th>
<th scope="col">Anzahl</th></tr></thead><tbody>{refused}</tbody></table>"""


def render(*, office: str, sel: Selection, token: str, body: str, services: dict[str, str],
           counters: dict[str, str], clerks: dict[str, str] | None = None) -> str:
    """The page around the tables (`body`, from `tables`): form, plots and downloads with the token."""
    clerks = clerks or {}
    query = f"{sel.query()}&token={quote(token)}"
    public = f"{sel.published().query()}&token={quote(token)}"
    images = "".join(
        f'<h3>{escape(plots.TITLES[n])}</h3><img src="/reports/plots/{n}.png?{query}" '
        f'alt="{escape(plots.TITLES[n])}, {escape(sel.title)}" width="800" height="360">'
        for n in plots.PLOTS
    )
    downloads = (
        f'<ul><li><a href="/reports/export.csv?{public}">CSV (Tag × Anliegen × Schalter × Stunde)</a></li>'
        f'<li><a href="/reports/export.xlsx?{public}">Excel (XLSX)</a></li>'
        f'<li><a href="/reports/monthly.pdf?{public}">Monatsbericht für den Rat (PDF)</a></li></ul>'
    )
    return f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Berichte – {escape(office)}</title><style>{CSS}</style></head>
<body><main>
<h1>Berichte: {escape(office)}, {PERIOD_NAMES[sel.period]} {escape(sel.title)}</h1>
{_form(sel, token, services, counters, clerks)}
<p class="note">{sel.first} bis {sel.last}. Zahlen ohne Personenbezug; Zellen mit weniger als 5 Besuchen
zeigen „–“; Balken unter 5 Besuchen sind in den Grafiken ausgelassen („&lt;5“). Wartezeit: von der Ankunft
(bei Terminen vom Termin, wenn später) bis zum ersten Aufruf.</p>
{body}
<h2>Grafiken</h2>{images}
<h2>Herunterladen</h2>{downloads}
</main></body></html>"""
