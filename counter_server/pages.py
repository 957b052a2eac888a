"""The pages the server serves: waiting-room display, clerk workstation, visitor status."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter()
DISPLAY_DIR = Path(str(resources.files("display"))) / "page"
WEB_DIR = Path(__file__).parent / "web"
TEXTS_DIR = Path(str(resources.files("i18n"))) / "web"  # the pages' catalogue helper


def _page(path: Path) -> HTMLResponse:
    # Pages are small and change with the install only; no-cache keeps TVs current after updates.
    return HTMLResponse(path.read_text(encoding="utf-8"), headers={"Cache-Control": "no-cache"})


@router.get("/display", include_in_schema=False)
async def display_page() -> HTMLResponse:
    return _page(DISPLAY_DIR / "index.html")


@router.get("/clerk", include_in_schema=False)
async def clerk_page() -> HTMLResponse:
    return _page(WEB_DIR / "clerk.html")


@router.get("/t/{public_id}", include_in_schema=False)
async def visitor_page(public_id: str) -> HTMLResponse:
    return _page(WEB_DIR / "ticket.html")


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> FileResponse:
    return FileResponse(WEB_DIR / "favicon.svg", media_type="image/svg+xml")


def mount_static(app: FastAPI) -> None:
    app.mount("/static/display", StaticFiles(directory=DISPLAY_DIR), name="display")
    app.mount("/static/web", StaticFiles(directory=WEB_DIR), name="web")
    app.mount("/static/i18n", StaticFiles(directory=TEXTS_DIR), name="i18n")
