"""The city's live open data: each office's own `/open/v1/waiting`, asked over HTTP and
kept a couple of seconds, however many portals ask. An office that does not answer is
listed as unreachable; the city computes no estimate of its own."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from . import offices
from .directory import CityDirectory, CityOffice

LIVE_S = 2.0


async def _office_waiting(client: httpx.AsyncClient, office: CityOffice) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": office.id, "name": office.name, "district": office.district}
    try:
        response = await client.get(f"{office.url}/open/v1/waiting")
        response.raise_for_status()
        services = response.json()["services"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return {**entry, "reachable": False, "services": []}
    return {**entry, "reachable": True, "updated_at": response.json().get("updated_at"), "services": services}


class CityWaiting:
    """Every office's live answer, refreshed when older than LIVE_S (one refresh at a time)."""

    def __init__(self, directory: CityDirectory) -> None:
        self.directory = directory
        self.at = 0.0
        self.body: dict[str, Any] = {}
        self.lock = asyncio.Lock()

    async def get(self) -> dict[str, Any]:
        async with self.lock:
            if time.monotonic() - self.at > LIVE_S:
                async with httpx.AsyncClient(timeout=self.directory.timeout_s) as client:
                    found = await asyncio.gather(*(_office_waiting(client, o) for o in self.directory.offices))
                self.body = {"city": self.directory.name, "updated_at": datetime.now(UTC).isoformat(),
                             "licence": self.directory.licence, "offices": list(found)}
                self.at = time.monotonic()
            return self.body


NAMES_S = 300.0


class ErrandNames:
    """Errand id -> names by language, from the offices that answer, kept NAMES_S seconds, so a
    statistics page does not wait for an office that is down each time it is drawn."""

    def __init__(self, directory: CityDirectory) -> None:
        self.directory = directory
        self.at = 0.0
        self.names: dict[str, dict[str, str]] = {}
        self.lock = asyncio.Lock()

    async def get(self) -> dict[str, dict[str, str]]:
        async with self.lock:
            if time.monotonic() - self.at > NAMES_S:
                found = await offices.errands(self.directory)
                self.names = {**self.names, **found}  # an errand of an office now down keeps its name
                self.at = time.monotonic()
            return self.names
