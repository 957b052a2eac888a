"""`townhall city serve`: the earliest free time in any office, booked into the office that owns it;
its QR code checks in at that office's kiosk; an office that is down is named, never fatal."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from counter_server.city.site import _qr_data_uri
from tests.conftest import LiveServer, ServerFactory

from .helpers import CitySite, with_hours

DAY = "2026-12-01"  # the tests' Tuesday; the offices' clocks start at 09:00
OFFICES = (("nord", "Bürgeramt Nord", "Nord", "13:00-18:00"),
           ("mitte", "Bürgeramt Mitte", "Mitte", "08:00-18:00"),
           ("sued", "Bürgeramt Süd", "Süd", "11:00-18:00"))


@pytest.fixture
def city(server_factory: ServerFactory, tmp_path: Path) -> Iterator[tuple[CitySite, dict[str, LiveServer]]]:
    servers = {office_id: server_factory(edit_config=with_hours(hours)) for office_id, _, _, hours in OFFICES}
    site = CitySite([(i, name, district, servers[i]) for i, name, district, _ in OFFICES], tmp_path / "city")
    site.start()
    yield site, servers
    site.stop()


def first_slot(server: LiveServer) -> datetime:
    with server.client("booking") as client:
        slots = client.get("/api/v1/slots", params={"service_id": "ausweis", "date": DAY}).json()["slots"]
    return datetime.fromisoformat(slots[0]["start"])


def offered(html: str) -> list[tuple[str, str]]:
    """(office, first start) per office section with free times, in the page's order."""
    sections = re.findall(r'name="office" value="([^"]+)".*?name="start" value="([^"]+)"', html, re.S)
    return [(office, start) for office, start in sections]


def search(site: CitySite, **params: str) -> httpx.Response:
    return httpx.get(site.url + "/search", params={"service_id": "ausweis", **params}, timeout=60)


def page_key(html: str) -> str:
    """The signed idempotency key of a results page's forms (the city site refuses any other)."""
    found = re.search(r'name="key" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


def book(site: CitySite, office: str, start: str, key: str) -> httpx.Response:
    return httpx.post(site.url + "/book", timeout=30, data={
        "lang": "de", "office": office, "service_id": "ausweis", "start": start, "key": key, "name": "Erika"})


def office_token(server: LiveServer, code: str) -> tuple[str, str]:
    """The booking's id and QR token, as the office itself tells them."""
    with server.client("booking") as client:
        day = client.get("/api/v1/appointments", params={"date": DAY}).json()["appointments"]
        appointment = next(a for a in day if a["code"] == code)
        answer = client.get(f"/api/v1/appointments/{appointment['id']}").json()
    return appointment["id"], answer["token"]


def test_the_earliest_time_in_any_office_is_booked_there_and_its_qr_checks_in(
    city: tuple[CitySite, dict[str, LiveServer]],
) -> None:
    site, servers = city
    earliest = min(servers, key=lambda office_id: first_slot(servers[office_id]))
    assert earliest == "mitte"  # opens first; listed second in city.toml
    page = search(site)
    assert page.status_code == 200, page.text
    found = offered(page.text)
    assert [office for office, _ in found] == ["mitte", "sued", "nord"]
    office, start = found[0]
    assert datetime.fromisoformat(start) == first_slot(servers["mitte"])
    assert "Frühester Termin: Bürgeramt Mitte" in page.text

    key = page_key(page.text)
    booked = book(site, office, start, key)
    assert booked.status_code == 200, booked.text
    code = re.search(r'<dd class="code">([^<]+)</dd>', booked.text)
    assert code is not None
    again = book(site, office, start, key)  # a second click on the same form books nothing more
    assert re.search(r'<dd class="code">([^<]+)</dd>', again.text).group(1) == code.group(1)  # type: ignore[union-attr]
    appointment_id, token = office_token(servers["mitte"], code.group(1))
    assert _qr_data_uri(token) in booked.text  # the page's QR code is the office's own token

    # at the office, shortly before the slot: its kiosk takes the QR code as any other
    mitte = servers["mitte"]
    mitte.stop()
    local = datetime.fromisoformat(start) - timedelta(minutes=5)
    mitte.start(clock=local.strftime("%Y-%m-%dT%H:%M"))
    with mitte.client("kiosk") as kiosk:
        checkin = kiosk.post("/api/v1/checkins", json={"appointment_token": token},
                             headers={"Idempotency-Key": str(uuid.uuid4())})
    assert checkin.status_code == 201, checkin.text
    with mitte.client("booking") as client:
        assert client.get(f"/api/v1/appointments/{appointment_id}").json()["appointment"]["arrived"] is True


def test_an_office_down_is_named_and_the_others_still_answer(
    city: tuple[CitySite, dict[str, LiveServer]],
) -> None:
    site, servers = city
    servers["nord"].stop()
    page = search(site)
    assert page.status_code == 200, page.text
    assert "Bürgeramt Nord ist gerade nicht erreichbar" in page.text
    assert [office for office, _ in offered(page.text)] == ["mitte", "sued"]
    start = first_slot(servers["sued"]).isoformat()
    refused = book(site, "nord", start, page_key(page.text))
    assert refused.status_code == 503 and "Bürgeramt Nord ist gerade nicht erreichbar" in refused.text
    by_district = search(site, district="Süd")
    assert [office for office, _ in offered(by_district.text)] == ["sued"]
    assert "Bürgeramt Nord" not in by_district.text


def test_bad_input_is_a_clear_4xx(city: tuple[CitySite, dict[str, LiveServer]]) -> None:
    site, _ = city
    assert httpx.get(site.url + "/search", timeout=30).status_code == 422
    assert search(site, district="Atlantis").status_code == 404
    assert httpx.get(site.url + "/search", params={"service_id": "drachenschein"}, timeout=60).status_code == 404
    assert httpx.post(site.url + "/book", data={"office": "atlantis"}, timeout=30).status_code == 422
    taken = book(site, "mitte", "2026-12-01T03:00:00+01:00", page_key(search(site).text))
    assert taken.status_code in (409, 422)
    start = httpx.get(site.url + "/?lang=ar", timeout=60)
    assert start.status_code == 200 and 'dir="rtl"' in start.text and 'value="ausweis"' in start.text
    # without `[city] postgres` the statistics say so, the booking site works on
    assert "/reports" not in start.text
    reports = httpx.get(site.url + "/reports", timeout=30)
    assert reports.status_code == 503 and "nicht verfügbar" in reports.text
    assert httpx.get(site.url + "/open/v1/daily.csv", timeout=30).status_code == 404
