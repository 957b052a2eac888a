"""Next on a called, never started visitor: asked, told, or ruled by office.toml; and Undo (issue 12, item 6)."""

from __future__ import annotations

import uuid

import httpx

from tests.api.test_flow import act, checkin, open_counter, rows
from tests.conftest import LiveServer, ServerFactory


def press_next(clerk: httpx.Client, **params: str) -> httpx.Response:
    return clerk.post("/api/v1/counters/1/next", params=params, headers={"Idempotency-Key": str(uuid.uuid4())})


def test_next_asks_then_records_the_no_show_and_undo_takes_it_back(live_server: LiveServer) -> None:
    kiosk = live_server.client("kiosk")
    first, second = (checkin(kiosk, "ausweis").json()["ticket"] for _ in range(2))
    clerk = open_counter(live_server, "1")
    assert press_next(clerk).json()["ticket"]["id"] == first["id"]
    events = rows(live_server, "SELECT count(*) FROM events")

    asked = press_next(clerk)
    assert asked.status_code == 409 and asked.json()["error"]["code"] == "previous_outcome_needed"
    assert rows(live_server, "SELECT count(*) FROM events") == events
    bad = press_next(clerk, previous="maybe")
    assert bad.status_code == 422 and bad.json()["error"]["details"] == {"field": "previous"}

    assert press_next(clerk, previous="no_show").json()["ticket"]["id"] == second["id"]
    assert rows(live_server, f"SELECT state FROM tickets WHERE id = '{first['id']}'") == [("no_show",)]

    undone = act(clerk, first["id"], "reopen")
    assert undone.status_code == 200 and undone.json()["ticket"]["state"] == "called"
    states = dict(rows(live_server, "SELECT number, state FROM tickets"))
    assert states == {first["number"]: "called", second["number"]: "waiting"}
    types = [r[0] for r in rows(live_server, "SELECT type FROM events ORDER BY seq DESC LIMIT 2")]
    assert types == ["ticket.reopened", "ticket.uncalled"]
    view = clerk.get("/api/v1/counters/1/queue").json()
    assert view["counter"]["current"]["id"] == first["id"] and view["next_on_called"] == "ask"
    assert view["undo_s"] == 10

    again = act(clerk, first["id"], "reopen")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_an_office_may_rule_that_next_closes_as_no_show(server_factory: ServerFactory) -> None:
    server = server_factory(edit_config=lambda text: text.replace('next_on_called = "ask"', 'next_on_called = "no_show"'))
    first = checkin(server.client("kiosk"), "ausweis").json()["ticket"]
    clerk = open_counter(server, "1")
    press_next(clerk)
    assert press_next(clerk).status_code == 204
    assert rows(server, "SELECT state FROM tickets") == [("no_show",)]
    assert clerk.get("/api/v1/counters/1/queue").json()["next_on_called"] == "no_show"
    assert act(clerk, first["id"], "reopen").json()["ticket"]["state"] == "called"


def test_a_wrong_rule_stops_the_server_naming_the_field(server_factory: ServerFactory) -> None:
    from counter_server.config import ConfigError, load_config

    server = server_factory(start=False,
                            edit_config=lambda text: text.replace('next_on_called = "ask"', 'next_on_called = "skip"'))
    try:
        load_config(server.data_dir / "office.toml")
    except ConfigError as error:
        assert error.field == "queue.next_on_called" and "ask, done, no_show" in error.reason
    else:
        raise AssertionError("a wrong next_on_called was accepted")
