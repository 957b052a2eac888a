"""The city asks its offices over HTTP (booking role): free times, errands, a booking.

Each office stays the only writer of its slots: the city reads what the office offers
and books through the office's own API. An office that does not answer is named, never
fatal to a search across the city.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import httpx

from .directory import CityDirectory, CityOffice

SearchState = Literal["found", "none", "not_offered", "unreachable"]
BookState = Literal["booked", "taken", "refused", "unreachable"]


@dataclass(frozen=True)
class OfficeSlots:
    """One office's answer to a search: the first day with free times, and those times."""

    office: CityOffice
    state: SearchState
    day: date | None = None
    starts: tuple[datetime, ...] = ()

    @property
    def first(self) -> datetime | None:
        return self.starts[0] if self.starts else None


@dataclass(frozen=True)
class Booked:
    state: BookState
    answer: dict[str, Any]


def _headers(office: CityOffice) -> dict[str, str]:
    return {"Authorization": f"Bearer {office.token}"}


async def office_today(client: httpx.AsyncClient, office: CityOffice, zone: ZoneInfo) -> date:
    """The office's own today (its clock decides, as it does for its booking site)."""
    health = await client.get(f"{office.url}/health")
    health.raise_for_status()
    return datetime.fromisoformat(health.json()["now"]).astimezone(zone).date()


async def _earliest(client: httpx.AsyncClient, office: CityOffice, service_id: str, days: int,
                    zone: ZoneInfo) -> OfficeSlots:
    today = await office_today(client, office, zone)
    for offset in range(days):
        day = today + timedelta(days=offset)
        response = await client.get(f"{office.url}/api/v1/slots", headers=_headers(office),
                                    params={"service_id": service_id, "date": day.isoformat()})
        if response.status_code == 404:
            return OfficeSlots(office, "not_offered")
        response.raise_for_status()
        starts = tuple(datetime.fromisoformat(s["start"]) for s in response.json()["slots"])
        if starts:
            return OfficeSlots(office, "found", day, starts)
    return OfficeSlots(office, "none")


async def earliest_in(client: httpx.AsyncClient, office: CityOffice, service_id: str,
                      directory: CityDirectory) -> OfficeSlots:
    zone = ZoneInfo(directory.timezone)
    try:
        return await asyncio.wait_for(_earliest(client, office, service_id, directory.search_days, zone),
                                      timeout=directory.timeout_s * 4)
    except (httpx.HTTPError, TimeoutError, ValueError, KeyError, TypeError):
        return OfficeSlots(office, "unreachable")


async def search(directory: CityDirectory, service_id: str, district: str | None) -> list[OfficeSlots]:
    """Every office of the district (all without one), the earliest first, unreachable ones last."""
    async with httpx.AsyncClient(timeout=directory.timeout_s) as client:
        found = await asyncio.gather(*(earliest_in(client, o, service_id, directory)
                                       for o in directory.in_district(district)))
    order = {"found": 0, "none": 1, "not_offered": 2, "unreachable": 3}
    return sorted(found, key=lambda f: (order[f.state], f.first.timestamp() if f.first else 0.0))


async def _services_of(client: httpx.AsyncClient, office: CityOffice) -> list[dict[str, Any]]:
    try:
        response = await client.get(f"{office.url}/api/v1/services", headers=_headers(office))
        response.raise_for_status()
        return list(response.json()["services"])
    except (httpx.HTTPError, ValueError, KeyError):
        return []


async def errands(directory: CityDirectory) -> dict[str, dict[str, str]]:
    """Errand id -> its names by language, over every office that answers."""
    async with httpx.AsyncClient(timeout=directory.timeout_s) as client:
        lists = await asyncio.gather(*(_services_of(client, o) for o in directory.offices))
    found: dict[str, dict[str, str]] = {}
    for services in lists:
        for service in services:
            found.setdefault(str(service["id"]), dict(service.get("names") or {}))
    return found


async def book(directory: CityDirectory, office: CityOffice, *, service_id: str, start: str,
               contact: dict[str, str] | None, key: str) -> Booked:
    """Book in the owning office; the same `key` again returns the same booking."""
    headers = {**_headers(office), "Idempotency-Key": key}
    body = {"service_id": service_id, "start": start, "contact": contact or None}
    try:
        async with httpx.AsyncClient(timeout=directory.timeout_s) as client:
            response = await client.post(f"{office.url}/api/v1/appointments", json=body, headers=headers)
        answer = response.json()
    except (httpx.HTTPError, ValueError):
        return Booked("unreachable", {})
    if response.status_code == 201:
        return Booked("booked", answer)
    if response.status_code == 409:
        return Booked("taken", answer)
    if response.status_code >= 500:
        return Booked("unreachable", answer)
    return Booked("refused", answer)
