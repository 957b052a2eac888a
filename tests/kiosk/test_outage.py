"""Two kiosks through their own code (no screen) against a real server that is killed and restarted.

Kiosk A's check-in reaches the server but its answer is lost; the visitor taps
retry while the server is down and gets a leased number. Kiosk B is restarted
during the outage. When the server is back, both hand their tickets in.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from bench.harness import free_port, make_devices
from kiosk import flow as f
from kiosk.client import ServerClient
from kiosk.offline import OfflineDesk
from kiosk.views import screen_view
from tests.api.test_appointments import db_rows
from tests.api.test_leases import DAY, moment
from tests.conftest import ServerFactory
from tests.kiosk.cable import Cable
from tests.kiosk.test_effects import runner_for, until


def test_a_lost_answer_and_a_restart_during_an_outage_leave_every_visitor_a_callable_number(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    server = server_factory(clock=f"{DAY}T09:00")
    token_b = make_devices(server.data_dir, ["kiosk"])["kiosk"]
    desk_a, desk_b = OfflineDesk(tmp_path / "a.json"), OfflineDesk(tmp_path / "b.json")

    async def day() -> dict[str, object]:
        cable = Cable(port=free_port(), upstream_port=server.port)
        await cable.plug()
        client_a = ServerClient(base_url=cable.url, token=server.tokens["kiosk"])
        client_b = ServerClient(base_url=server.url, token=token_b)
        kiosk_a, kiosk_b = runner_for(client_a, desk=desk_a), runner_for(client_b, desk=desk_b)
        for kiosk, desk in ((kiosk_a, desk_a), (kiosk_b, desk_b)):
            await kiosk.refresh_services()
            await until(lambda d=desk: d.lease is not None and bool(d.keys), "a lease")  # type: ignore[misc]
        # A: the check-in reaches the server, its answer is lost
        cable.lose_answers = True
        kiosk_a.send(f.StartWalkIn())
        kiosk_a.send(f.ChooseService("pass"))
        await until(lambda: kiosk_a.flow.state.screen == "outcome", "the lost answer")
        # the server dies; the visitor taps retry and gets a leased number
        server.kill()
        await cable.unplug()
        kiosk_a.send(f.RetryCheckin())
        await until(lambda: kiosk_a.flow.state.screen == "ticket", "A's offline ticket")
        # B is restarted during the outage: a new process with its file
        kiosk_b.stop()
        await client_b.close()
        client_b = ServerClient(base_url=server.url, token=token_b)
        kiosk_b = runner_for(client_b, desk=OfflineDesk(tmp_path / "b.json"))
        kiosk_b.on_status(False)
        kiosk_b.send(f.StartWalkIn())
        await until(lambda: kiosk_b.flow.state.walk_in_possible, "B's errands from its file")
        offline_list = screen_view(kiosk_b.flow.state, settings=kiosk_b.settings, symbols={})
        kiosk_b.send(f.ChooseService("ausweis"))
        await until(lambda: kiosk_b.flow.state.screen in ("ticket", "outcome"), "B's answer")
        # the server is back
        server.start(clock=f"{DAY}T09:20")
        cable.lose_answers = False
        await cable.plug()
        for kiosk in (kiosk_a, kiosk_b):
            assert kiosk.desk is not None
            await kiosk.refresh_services()
            await until(lambda k=kiosk: not k.desk.outbox, "the hand-in")  # type: ignore[misc]
        for kiosk in (kiosk_a, kiosk_b):
            kiosk.stop()
        await cable.unplug()
        await client_a.close()
        await client_b.close()
        return {"a": kiosk_a.flow.state, "b": kiosk_b.flow.state, "list": offline_list,
                "rejected": (kiosk_a.desk.rejected, kiosk_b.desk.rejected)}  # type: ignore[union-attr]

    outcome = asyncio.run(day())
    a, b = outcome["a"], outcome["b"]
    assert isinstance(a, f.KioskState) and isinstance(b, f.KioskState)
    assert a.ticket is not None and a.ticket.offline and a.ticket.number.startswith("P9")
    # 13: the restarted kiosk decided by the server's clock, not its own
    assert b.ticket is not None and b.ticket.offline, b.outcome
    # 14: offline, the errand list says nothing about the queue
    listing = outcome["list"]
    assert all(choice.detail == "" for choice in listing.choices if choice.enabled)  # type: ignore[attr-defined]
    assert outcome["rejected"] == ((), ())
    # 11: the lost check-in's ticket is cancelled; the visitor's number waits in its place
    (orphan,) = db_rows(server, "SELECT number, state, arrived_at FROM tickets WHERE number = 'P001'")
    assert orphan[1] == "cancelled"
    with server.client("counter:4") as clerk:
        waiting = {t["number"] for t in clerk.get("/api/v1/counters/4/queue").json()["waiting"]}
    with server.client("counter:1") as clerk:
        waiting |= {t["number"] for t in clerk.get("/api/v1/counters/1/queue").json()["waiting"]}
    assert waiting == {a.ticket.number, b.ticket.number}
    (arrived,) = db_rows(server, f"SELECT arrived_at FROM tickets WHERE number = '{a.ticket.number}'")
    assert moment(arrived[0]) == moment(orphan[2])
    public_id = a.ticket.status_url.rsplit("/", 1)[-1]
    page = httpx.get(f"{server.url}/api/v1/tickets/public/{public_id}").json()
    assert (page["number"], page["state"]) == (a.ticket.number, "waiting")
