"""/metrics in the Prometheus text format (role admin, LAN listener only).

Request counts and latencies are counted as requests pass (`request_log.RequestLog`);
the office's state (who waits, open counters, printers, devices, backups) is read at
each scrape. Each app has its own registry, so several apps in one process never mix.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from .api.models import page_errors
from .auth import Device
from .backup import last_backup_at
from .context import Context, CtxDep, role
from .request_log import Observer

router = APIRouter()
MetricsReader = Annotated[Device, Depends(role("admin"))]
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _read_state(db: Any) -> dict[str, Any]:
    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in db.execute(sql).fetchall()]

    return {
        "waiting": rows("SELECT service_id, count(*) FROM tickets WHERE state = 'waiting' GROUP BY service_id"),
        "counters": rows("SELECT state, count(*) FROM counters GROUP BY state"),
        "jobs": rows("SELECT printer_id, count(*) FROM print_jobs WHERE state = 'pending' GROUP BY printer_id"),
        "printers": rows("SELECT printer_id, status FROM printer_states"),
        "devices": rows("SELECT id, role, name, last_seen_at FROM devices"
                        " WHERE revoked_at IS NULL AND role IN ('kiosk', 'printer', 'display')"),
    }


def _gauge(name: str, doc: str, labels: list[str], values: list[tuple[list[str], float]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for label_values, value in values:
        family.add_metric(label_values, value)
    return family


class OfficeState(Collector):
    """The office's state as gauges; `snapshot` is read from the database before each scrape."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.snapshot: dict[str, Any] = {}

    def collect(self) -> Iterator[Metric]:
        state = self.snapshot
        if not state:
            return
        now = self.ctx.clock.now()
        services = {s.id for s in self.ctx.config.office.services}
        waiting = dict(state["waiting"])
        yield _gauge("townhall_waiting", "visitors waiting, per errand", ["service"],
                     [([s], waiting.get(s, 0)) for s in sorted(services | set(waiting))])
        counters = dict(state["counters"])
        yield _gauge("townhall_counters_open", "counters open now", [], [([], counters.get("open", 0))])
        yield _gauge("townhall_websocket_clients", "open websocket connections", [],
                     [([], len(self.ctx.hub.subscribers))])
        yield _gauge("townhall_websocket_clients_direct",
                     "websocket connections caught up, written to at once with each event's frame", [],
                     [([], sum(1 for s in tuple(self.ctx.hub.subscribers) if s.direct is not None))])
        jobs = dict(state["jobs"])
        printers = {p.id for p in self.ctx.config.printers}
        yield _gauge("townhall_print_jobs_pending", "print jobs not yet acknowledged, per printer", ["printer"],
                     [([p], jobs.get(p, 0)) for p in sorted(printers | set(jobs))])
        yield _gauge("townhall_printer_status", "1 for each printer's last reported status", ["printer", "status"],
                     [([p, str(s)], 1) for p, s in state["printers"]])
        yield _gauge("townhall_device_last_seen_seconds", "seconds since a kiosk, printer agent or display was seen",
                     ["role", "device", "name"], list(self._seen(state["devices"], now)))
        backup = last_backup_at(self.ctx.data_dir)
        age = (datetime.now(UTC) - backup).total_seconds() if backup else float("nan")
        yield _gauge("townhall_last_backup_age_seconds", "seconds since the last good backup (NaN: none)", [],
                     [([], age)])

    def _seen(self, devices: list[tuple[Any, ...]], now: datetime) -> Iterator[tuple[list[str], float]]:
        for device_id, device_role, name, stored in devices:
            at = self.ctx.seen.get(device_id, (stored, ""))[0]
            if at:
                yield [device_role, device_id, name or ""], max(0.0, (now - datetime.fromisoformat(at)).total_seconds())


class Metrics:
    def __init__(self, ctx: Context) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("townhall_http_requests", "HTTP requests by route template and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("townhall_http_request_duration_seconds", "HTTP request latency by route template",
                                 ["route"], buckets=BUCKETS, registry=self.registry)
        self.office = OfficeState(ctx)
        self.registry.register(self.office)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)


def install(app: FastAPI, ctx: Context, observers: list[Observer]) -> None:
    metrics = Metrics(ctx)
    observers.append(metrics.observe)
    app.state.metrics = metrics
    app.include_router(router)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, **page_errors(401, 403)})
async def get_metrics(request: Request, ctx: CtxDep, _: MetricsReader) -> Response:
    """Prometheus text format: requests, latency, waiting, counters, printers, devices, backups."""
    metrics: Metrics = request.app.state.metrics
    metrics.office.snapshot = await ctx.store.read(_read_state)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
