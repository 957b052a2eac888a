"""The supervisor's estimate per errand says the errand is not served right now, as the display
does, when no open counter serves it (never "0 Min.")."""

from __future__ import annotations

import re

from tests.conftest import LiveServer
from tests.console.helpers import login
from tests.office import check_in


def _estimate(html: str, service_id: str) -> str:
    row = re.search(rf"<tr data-service=\"{service_id}\">(.*?)</tr>", html, re.S)
    assert row, f"no row for {service_id}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return re.sub(r"\s+", " ", cells[3]).strip()


def test_an_errand_no_open_counter_serves_is_not_served_now(live_server: LiveServer) -> None:
    check_in(live_server, service_id="sonstiges")
    check_in(live_server, service_id="ausweis")
    head = login(live_server, next_path="/supervisor")
    closed_all = head.get("/supervisor/panel").text
    assert _estimate(closed_all, "sonstiges") == "kein Schalter offen"
    with live_server.client("counter:1") as clerk:
        assert clerk.post("/api/v1/counters/1/state", json={"state": "open"}).status_code == 200
    panel = head.get("/supervisor/panel").text
    # counter 1 serves ID cards but not "Sonstiges", nor "Anmeldung" where nobody waits
    assert _estimate(panel, "sonstiges") == "kein Schalter offen"
    assert _estimate(panel, "anmeldung") == "kein Schalter offen"
    assert "Min." in _estimate(panel, "ausweis")
