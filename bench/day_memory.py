"""Server resident memory after a simulated day: tickets checked in and finished, displays on."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from .fanout import connect_all
from .harness import LiveServer
from .load_bench import COUNTERS, SERVICES


async def simulated_day(server: LiveServer, tickets: int, displays: int) -> float:
    clients = await connect_all(server.ws_url("display") + "&board=1", displays)

    async def drain(ws: Any) -> None:
        async for _ in ws:
            pass

    drains = [asyncio.create_task(drain(ws)) for ws in clients]
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        kiosk = {"Authorization": f"Bearer {server.tokens['kiosk']}"}
        display = {"Authorization": f"Bearer {server.tokens['display']}"}

        def clerk(counter: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {server.tokens['counter:' + counter]}",
                    "Idempotency-Key": str(uuid.uuid4())}

        for counter in COUNTERS:
            await http.post(f"/api/v1/counters/{counter}/state", json={"state": "open"}, headers=clerk(counter))
        for i in range(tickets):
            await http.post("/api/v1/checkins", json={"service_id": SERVICES[i % len(SERVICES)]},
                            headers={**kiosk, "Idempotency-Key": str(uuid.uuid4())})
            counter = COUNTERS[i % len(COUNTERS)]
            await http.post(f"/api/v1/counters/{counter}/next?previous=done", headers=clerk(counter))
            if i % 10 == 0:
                await http.get("/api/v1/board", headers=display)
    await asyncio.sleep(1)
    rss = server.rss_mb()
    for task in drains:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in clients))
    return rss


def rss_after_day(server: LiveServer, tickets: int, displays: int) -> dict[str, Any]:
    rss = asyncio.run(simulated_day(server, tickets, displays))
    return {"rss_mb": round(rss, 1), "tickets": tickets, "displays": displays}
