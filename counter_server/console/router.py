"""The console's routes in one place, so a public listener can leave them all out:
the pages (/admin…, /supervisor) and the admin and office-head API routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from ..api import devices as devices_api
from ..api import supervisor as supervisor_api
from . import login, pages_admin, pages_devices, pages_staff, pages_supervisor, web

CONSOLE_ROUTERS: tuple[APIRouter, ...] = (
    login.router, pages_devices.router, pages_staff.router, pages_supervisor.router, pages_admin.router, devices_api.router,
    supervisor_api.router,
)
STATIC = Path(__file__).parent / "static"


def install_console(app: FastAPI) -> None:
    web.install(app)
    for router in CONSOLE_ROUTERS:
        app.include_router(router)
    app.mount("/static/console", StaticFiles(directory=STATIC), name="console")
