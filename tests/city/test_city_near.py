"""The city site's "nearest office" (a postcode of city.toml, or the browser's location) and its
booking form's guard (signed forms, no cross-site posts, the booking site's proof of work and limits)."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from altcha.v1 import solve_challenge

from tests.conftest import LiveServer, ServerFactory

from .helpers import CitySite, with_hours
from .test_city_site import offered, page_key

OFFICES = (("nord", "Bürgeramt Nord", "Nord", "13:00-18:00"),
           ("mitte", "Bürgeramt Mitte", "Mitte", "08:00-18:00"),
           ("sued", "Bürgeramt Süd", "Süd", "11:00-18:00"))
PLACES = {"nord": (52.5900, 13.3300), "mitte": (52.5200, 13.4050), "sued": (52.4300, 13.4500)}
POSTCODES = '[postcodes]\n"13437" = [52.5880, 13.3320]\n"12277" = [52.4200, 13.4400]\n'


@pytest.fixture
def site(server_factory: ServerFactory, tmp_path: Path) -> Iterator[CitySite]:
    servers: dict[str, LiveServer] = {o: server_factory(edit_config=with_hours(h)) for o, _, _, h in OFFICES}
    city = CitySite([(i, name, district, servers[i]) for i, name, district, _ in OFFICES], tmp_path / "city",
                    places=PLACES, tables=POSTCODES, city_keys="bookings_per_hour_without_js = 1\n")
    city.start()
    yield city
    city.stop()


def search(site: CitySite, **params: str) -> httpx.Response:
    return httpx.get(site.url + "/search", params={"service_id": "ausweis", **params}, timeout=60)


def test_offices_by_distance_from_a_postcode_or_a_location(site: CitySite) -> None:
    plain = search(site)
    assert [o for o, _ in offered(plain.text)] == ["mitte", "sued", "nord"]  # by earliest time
    north = search(site, postcode="13437")
    assert north.status_code == 200, north.text
    assert [o for o, _ in offered(north.text)] == ["nord", "mitte", "sued"]
    assert "das nächste Bürgeramt zuerst" in north.text and "0,3 km entfernt" in north.text
    assert "Frühester Termin: Bürgeramt Mitte" in north.text  # the earliest is still named first
    south = search(site, lat="52.4251", lon="13.4493", postcode="13437")  # the location wins
    assert [o for o, _ in offered(south.text)] == ["sued", "mitte", "nord"]
    english = search(site, postcode="12277", lang="en")
    assert "km away" in english.text and [o for o, _ in offered(english.text)][0] == "sued"
    start = httpx.get(site.url + "/", timeout=60).text
    assert 'id="postcode"' in start and "data-locate" in start


BAD_PLACES = [({"postcode": "99999"}, 404), ({"lat": "abc", "lon": "13.4"}, 422), ({"lat": "95", "lon": "13.4"}, 422),
              ({"lat": "nan", "lon": "13.4"}, 422), ({"lat": "52.5"}, 422), ({"lat": "1" * 40, "lon": "1"}, 422)]


def test_a_bad_place_is_a_clear_4xx(site: CitySite) -> None:
    for params, status in BAD_PLACES:
        answer = search(site, **params)
        assert answer.status_code == status and 'role="alert"' in answer.text, params


def solved(page_html: str) -> str:
    """What the page's script sends: the ALTCHA puzzle of the page's form, solved."""
    found = re.search(r'data-altcha="([^"]+)"', page_html)
    assert found is not None
    challenge = json.loads(html.unescape(found.group(1)))
    solution = solve_challenge(challenge["challenge"], challenge["salt"], max_number=challenge["maxNumber"])
    assert solution is not None
    payload = {"algorithm": challenge["algorithm"], "challenge": challenge["challenge"], "number": solution.number,
               "salt": challenge["salt"], "signature": challenge["signature"]}
    return base64.b64encode(json.dumps(payload).encode()).decode()


def test_the_booking_form_is_guarded_as_the_office_booking_site(site: CitySite) -> None:
    page = search(site)
    slots = dict(offered(page.text))
    key = page_key(page.text)

    def book(office: str, headers: dict[str, str] | None = None, **fields: str) -> httpx.Response:
        form = {"lang": "de", "office": office, "service_id": "ausweis", "start": slots[office], "key": key, **fields}
        return httpx.post(site.url + "/book", data=form, headers=headers or {}, timeout=30)

    forged = book("mitte", key="0123.4567")
    assert forged.status_code == 403 and "nicht von dieser Seite" in forged.text
    assert book("mitte", headers={"Origin": "https://evil.example"}).status_code == 403
    assert book("mitte", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert book("mitte", headers={"Origin": site.url}).status_code == 200  # a post from the site itself
    refused = book("sued")  # the second without the proof of work: over `bookings_per_hour_without_js`
    assert refused.status_code == 429 and "Ohne JavaScript" in refused.text
    assert book("sued", altcha="bm90IGEgcHV6emxl").status_code == 429  # a wrong solution is no proof
    assert book("sued", altcha=solved(page.text)).status_code == 200


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "ar"])
def test_nearest_office_pages_pass_axe(site: CitySite, artifacts: Path, lang: str) -> None:
    from tests.axe import assert_accessible
    from tests.browser import browser

    with browser() as chromium:
        b: Any = chromium
        context = b.new_context(viewport={"width": 390, "height": 844}, geolocation={
            "latitude": 52.4251, "longitude": 13.4493}, permissions=["geolocation"])
        page = context.new_page()
        page.goto(f"{site.url}/?lang={lang}")
        page.wait_for_selector("[data-locate]:not([hidden])")
        assert_accessible(page)
        page.screenshot(path=str(artifacts / f"city-near-{lang}-start.png"), full_page=True)
        page.locator("#postcode").fill("13437")
        page.locator("form.card button[type=submit]").click()
        page.wait_for_selector(".distance")
        assert page.locator("section.card h2").first.inner_text().startswith("Bürgeramt Nord")
        assert_accessible(page)
        page.screenshot(path=str(artifacts / f"city-near-{lang}-postcode.png"), full_page=True)
        page.goto(f"{site.url}/?lang={lang}")
        page.locator("[data-locate-button]").click()  # the browser's location: Süd is nearest
        page.wait_for_selector(".distance")
        assert page.locator("section.card h2").first.inner_text().startswith("Bürgeramt Süd")
        assert "lat=52.4251" in page.url
        page.screenshot(path=str(artifacts / f"city-near-{lang}-location.png"), full_page=True)
        page.locator("section.card .slots button").first.click()  # with the page's script: the proof of work
        page.wait_for_selector(".qr img")
        context.close()
