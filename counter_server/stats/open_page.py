"""The public wait page and the DCAT-AP.de description of the open data."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from i18n.catalog import Catalog

from ..config import OfficeConfig
from ..core import hours
from ..core.stats import CELL_FIGURES

CSS = """
body{font-family:system-ui,sans-serif;color:#111;background:#fff;margin:1rem;font-size:1.15rem;line-height:1.5}
h1{font-size:1.7rem}table{border-collapse:collapse;width:100%;max-width:40rem}
th,td{border-bottom:1px solid #555;padding:.5rem;text-align:start}td.n{text-align:end}
a{color:#0b3d91}.note{color:#333;font-size:1rem}
"""

# the table and its time are fetched again each minute (a timed full reload would move the reader)
REFRESH = (
    "setInterval(()=>fetch(location.href,{cache:'no-store'}).then(r=>r.text()).then(t=>{"
    "const d=new DOMParser().parseFromString(t,'text/html');"
    "for(const s of ['tbody','.updated']){const n=d.querySelector(s);if(n)document.querySelector(s).replaceWith(n)}"
    "}).catch(()=>{}),60000)"
)


def wait_text(texts: Catalog, row: dict[str, Any]) -> str:
    """An errand's live wait in words (an office's page and the city's)."""
    if row["wait_min"] is None:
        return "–"
    if row["waiting"] == 0 or row["wait_min"] == 0:
        return texts.text("no_wait")
    return texts.text("minutes", minutes=row["wait_min"])


def render(config: OfficeConfig, body: dict[str, Any], texts: Catalog, lang: str) -> str:
    office = config.office
    now = datetime.fromisoformat(body["updated_at"])
    local = now.astimezone(ZoneInfo(office.timezone))
    rows = "".join(
        f'<tr><th scope="row">{escape(s["names"].get(lang) or s["name"])}</th>'
        f'<td class="n">{s["waiting"]}</td><td class="n">{escape(wait_text(texts, s))}</td></tr>'
        for s in body["services"]
    )
    closed = "" if hours.is_open(office.hours, now, office.timezone) else f'<p><strong>{escape(texts.text("closed"))}</strong></p>'
    languages = " · ".join(
        f'<a href="/open/wait?lang={code}" lang="{code}">{escape(Catalog(code).text("language_name"))}</a>'
        for code in office.languages if code != lang
    )
    return f"""<!doctype html>
<html lang="{lang}" dir="{texts.direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width">
<title>{escape(texts.text("title"))} – {escape(office.name)}</title><style>{CSS}</style></head>
<body><main><h1>{escape(texts.text("title"))}</h1>
<p>{escape(office.name)}. {escape(texts.text("intro"))}</p>{closed}
<table><thead><tr><th scope="col">{escape(texts.text("col_errand"))}</th>
<th scope="col">{escape(texts.text("col_waiting"))}</th><th scope="col">{escape(texts.text("col_wait"))}</th></tr></thead>
<tbody>{rows}</tbody></table>
<p class="note updated">{escape(texts.text("updated", time=local.strftime("%H:%M")))}</p>
<nav aria-label="Sprachen"><p>{languages}</p></nav>
<p class="note"><a href="/open/v1/waiting">{escape(texts.text("open_data"))}</a></p>
</main><script>{REFRESH}</script></body></html>"""


def dcat(config: OfficeConfig, base: str) -> dict[str, Any]:
    """A dcat:Catalog with two dcat:Datasets (live wait, daily figures), DCAT-AP.de style."""
    office = config.office
    return catalog(base, title=office.name, publisher=config.open_data.publisher or office.name,
                   licence=config.open_data.licence)


def catalog(base: str, *, title: str, publisher: str, licence: str) -> dict[str, Any]:
    """The catalogue of an office's open data, or of a city's (`title`: whose data it is)."""
    who = {"@type": "foaf:Organization", "foaf:name": publisher}
    rights = {"@id": licence}

    def dataset(key: str, heading: str, description: str, url: str, media: str, period: str) -> dict[str, Any]:
        return {
            "@id": f"{base}/open/v1/catalog.jsonld#{key}", "@type": "dcat:Dataset",
            "dct:title": {"@language": "de", "@value": heading},
            "dct:description": {"@language": "de", "@value": description},
            "dct:publisher": who, "dct:license": rights,
            "dct:accrualPeriodicity": {"@id": f"http://publications.europa.eu/resource/authority/frequency/{period}"},
            "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/GOVE"},
            "dcatde:contributorID": {"@id": "http://dcat-ap.de/def/contributors/none"},
            "dcat:keyword": ["Wartezeit", "Bürgeramt", "Termine"],
            "dcat:distribution": [{
                "@type": "dcat:Distribution", "dcat:accessURL": {"@id": url}, "dcat:downloadURL": {"@id": url},
                "dcat:mediaType": media, "dct:license": rights,
                "dct:format": {"@id": "http://publications.europa.eu/resource/authority/file-type/"
                               + ("CSV" if media == "text/csv" else "JSON")},
            }],
        }

    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/", "dcatde": "http://dcat-ap.de/def/dcatde/",
        },
        "@id": f"{base}/open/v1/catalog.jsonld", "@type": "dcat:Catalog",
        "dct:title": {"@language": "de", "@value": f"Offene Daten: {title}"},
        "dct:publisher": who, "dct:license": rights,
        "dcat:dataset": [
            dataset("waiting", f"Aktuelle Wartezeiten: {title}",
                    "Je Anliegen: wie viele jetzt warten (waiting) und etwa wie viele Minuten (wait_min).",
                    f"{base}/open/v1/waiting", "application/json", "CONT"),
            dataset("daily", f"Tageswerte: {title}",
                    "Je Tag und Anliegen: " + ", ".join(CELL_FIGURES)
                    + ". Zellen mit weniger als 5 Besuchen sind leer.",
                    f"{base}/open/v1/daily.csv", "text/csv", "DAILY"),
        ],
    }
