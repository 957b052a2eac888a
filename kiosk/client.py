"""The kiosk's side of contract v1: HTTP for check-in and services, websocket for live state.

Everything here is a coroutine on the App's asyncio loop, so the screen never waits
for the network. Answers are turned into flow events; a lost answer is
`ServerUnreachable`, never an exception in the UI.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import websockets

from counter_server.tls_client import ssl_context, untrusted_certificate, websocket_ssl
from kiosk.flow import (
    CheckinFailed,
    CheckinRequest,
    CheckinSucceeded,
    Office,
    ServerUnreachable,
    Service,
    ServicesLoaded,
    Ticket,
)
from kiosk.outbox import OutboxEntry

log = logging.getLogger(__name__)

CHECKIN_TIMEOUT_S = 6.0
READ_TIMEOUT_S = 4.0
# a server that is there accepts a connection at once on the LAN; waiting longer only
# keeps a visitor from the ticket the kiosk can issue itself
CONNECT_TIMEOUT_S = 1.5
# errors that mean the request never left the kiosk, so the server cannot have acted on it
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# the services' waiting counts change with these; anything else does not concern the kiosk
REFRESHING_EVENTS = ("snapshot", "ticket.", "counter.state", "service.", "office.changed")


@dataclass(frozen=True)
class Redeemed:
    """How handing an offline ticket to the server went: `done` leaves the outbox."""

    done: bool
    refusal: Mapping[str, Any] | None = None


class ContractError(ValueError):
    """The server answered with JSON that does not fit contract v1."""


def parse_services(data: Mapping[str, Any]) -> ServicesLoaded:
    try:
        raw_office = data.get("office") or {}
        office = Office(
            name=str(raw_office.get("name", "")),
            open_now=bool(raw_office.get("open_now", True)),
            walk_in_until=raw_office.get("walk_in_until"),
            timezone=str(raw_office.get("timezone") or "Europe/Berlin"),
            notice=_notice(raw_office.get("notice")),
        )
        services = tuple(_service(s) for s in data["services"])
    except (KeyError, TypeError, AttributeError) as error:
        raise ContractError(f"services answer does not fit the contract: {error!r}") from None
    return ServicesLoaded(office=office, services=services)


def _notice(raw: Any) -> dict[str, str]:
    """The office's line per language; an older server sends none."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(lang): str(text) for lang, text in raw.items() if isinstance(text, str) and text}


def _service(raw: Mapping[str, Any]) -> Service:
    return Service(
        id=str(raw["id"]),
        names=dict(raw.get("names") or {"de": str(raw["id"])}),
        prefix=str(raw.get("prefix", "")),
        walk_in=bool(raw.get("walk_in", True)),
        available=bool(raw.get("available", True)),
        unavailable_reason=raw.get("unavailable_reason"),
        waiting=int(raw.get("waiting") or 0),
        eta_min=None if raw.get("eta_min") is None else int(raw["eta_min"]),
        group=raw.get("group"),
        eta_reason=raw.get("eta_reason"),
        opens_at=raw.get("opens_at"),
    )


def parse_checkin(data: Mapping[str, Any]) -> Ticket:
    try:
        raw = data["ticket"]
        return Ticket(
            id=str(raw["id"]),
            number=str(raw["number"]),
            service_id=str(raw["service_id"]),
            kind=str(raw.get("kind", "walk_in")),
            position=None if data.get("position") is None else int(data["position"]),
            eta_min=None if data.get("eta_min") is None else int(data["eta_min"]),
            status_url=str(data.get("status_url") or ""),
            appointment_at=raw.get("appointment_at"),
            created_at=raw.get("created_at"),
            ahead=None if data.get("ahead") is None else int(data["ahead"]),
            eta_reason=data.get("eta_reason"),
            opens_at=data.get("opens_at"),
            print_job=bool(data.get("print_job")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ContractError(f"check-in answer does not fit the contract: {error!r}") from None


def parse_error(response: httpx.Response) -> CheckinFailed:
    """The error's code and details; a body that is not the contract's error is 'other'."""
    try:
        error = response.json()["error"]
        return CheckinFailed(code=str(error["code"]), details=dict(error.get("details") or {}))
    except (ValueError, KeyError, TypeError):
        return CheckinFailed(code=f"http_{response.status_code}")


class ServerClient:
    """One kiosk's connection to the counter server."""

    def __init__(self, *, base_url: str, token: str, ca_file: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.clock_offset = timedelta(0)
        # https:// is checked against the office's CA (kiosk.toml `ca`), else the system's
        self._ssl = ssl_context(ca_file)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            verify=self._ssl,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def services(self) -> ServicesLoaded | None:
        """Services and office, or None when the server cannot be reached or answers oddly."""
        data = await self._get_json("/api/v1/services")
        if data is None:
            return None
        try:
            loaded = parse_services(data)
        except ContractError as error:
            log.warning("services not loaded: %s", error)
            return None
        self._learn_clock(data)
        return loaded

    def now(self) -> datetime:
        """The server's time as far as the kiosk knows it: offline tickets follow the office clock."""
        return datetime.now(UTC) + self.clock_offset

    def _learn_clock(self, data: Mapping[str, Any]) -> None:
        try:
            server_now = datetime.fromisoformat(str(data["office"]["now"]))
        except (KeyError, TypeError, ValueError):
            return
        if server_now.tzinfo is not None:
            self.clock_offset = server_now - datetime.now(UTC)

    async def check_in(
        self, *, idempotency_key: str, request: CheckinRequest
    ) -> CheckinSucceeded | CheckinFailed | ServerUnreachable:
        try:
            response = await self._http.post(
                "/api/v1/checkins",
                json=request.body(),
                headers={"Idempotency-Key": idempotency_key},
                timeout=httpx.Timeout(CHECKIN_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            )
        except NOT_SENT as error:
            log.warning("check-in not sent, no connection: %s", _explain(error))
            return ServerUnreachable(certain=True)
        except httpx.HTTPError as error:
            log.warning("check-in got no answer: %s", error)
            return ServerUnreachable()
        if response.status_code in (200, 201):
            try:
                return CheckinSucceeded(ticket=parse_checkin(response.json()))
            except (ValueError, ContractError) as error:
                log.error("check-in answer unusable: %s", error)
                return CheckinFailed(code="bad_answer")
        return parse_error(response)

    async def lease(
        self, *, per_service: int, idempotency_key: str, release: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """A top-up of this kiosk's leased numbers, giving back `release`; None when away."""
        return await self._post_json(
            "/api/v1/leases",
            {"per_service": per_service, "release": list(release)},
            idempotency_key=idempotency_key,
        )

    async def public_keys(self) -> dict[str, Any] | None:
        return await self._get_json("/api/v1/keys")

    async def _get_json(self, path: str) -> dict[str, Any] | None:
        """The JSON object at `path`, or None when the server is away or answers oddly."""
        try:
            response = await self._http.get(path)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("%s not loaded: %s", path, _explain(error))
            return None
        if not isinstance(data, dict):
            log.warning("%s not loaded: not a JSON object", path)
            return None
        return data

    async def redeem(self, entry: OutboxEntry) -> Redeemed:
        """Hand a ticket issued offline to the server."""
        try:
            response = await self._http.post(
                f"/api/v1/leases/{entry.lease_id}/redeem",
                json=entry.redeem_body(),
                headers={"Idempotency-Key": entry.redemption_key},
            )
        except httpx.HTTPError as error:
            log.info("offline ticket %s not redeemed yet: %s", entry.number, error)
            return Redeemed(done=False)
        if response.status_code == 201:
            return Redeemed(done=True)
        refusal = parse_error(response)
        if refusal.code == "lease_redeemed":
            return Redeemed(done=True)
        if response.status_code in (404, 409, 422):
            # void for good (another day, not this kiosk's number): retrying cannot help
            log.error("offline ticket %s refused: %s", entry.number, refusal.code)
            return Redeemed(done=True, refusal={"code": refusal.code, **refusal.details})
        log.warning("offline ticket %s: server answered %s", entry.number, response.status_code)
        return Redeemed(done=False)

    async def _post_json(
        self, path: str, body: dict[str, Any], *, idempotency_key: str
    ) -> dict[str, Any] | None:
        try:
            response = await self._http.post(
                path, json=body, headers={"Idempotency-Key": idempotency_key}
            )
            response.raise_for_status()
            data: dict[str, Any] = response.json()
            return data
        except (httpx.HTTPError, ValueError) as error:
            log.warning("%s failed: %s", path, _explain(error))
            return None

    def events_url(self, since: int | None) -> str:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        query: dict[str, Any] = {"token": self._token}
        if since is not None:
            query["since"] = since
        return urlunsplit((scheme, parts.netloc, "/api/v1/events", urlencode(query), ""))

    async def watch(
        self,
        *,
        on_event: Callable[[Mapping[str, Any]], None],
        on_status: Callable[[bool], None],
        retry_max_s: float = 10.0,
    ) -> None:
        """Follow the event stream forever, reconnecting with back-off; report up/down."""
        since: int | None = None
        delay = 0.5
        while True:
            try:
                url = self.events_url(since)
                async with websockets.connect(url, open_timeout=5, ssl=websocket_ssl(url, self._ssl)) as socket:
                    on_status(True)
                    delay = 0.5
                    async for message in socket:
                        event = json.loads(message)
                        since = (
                            int(event.get("seq", since or 0)) if isinstance(event, dict) else since
                        )
                        on_event(event)
            except asyncio.CancelledError:
                raise
            except (OSError, websockets.WebSocketException, ValueError, TypeError) as error:
                log.info("event stream lost: %s", _explain(error))
            on_status(False)
            await asyncio.sleep(delay)
            delay = min(delay * 2, retry_max_s)


def _explain(error: BaseException) -> str:
    """The error as a log line; a refused certificate says so plainly."""
    return untrusted_certificate(error) or str(error)


def refreshes_services(event: Mapping[str, Any]) -> bool:
    kind = str(event.get("type", ""))
    return any(kind.startswith(prefix) for prefix in REFRESHING_EVENTS)
