"""The pages the server serves: start page, waiting-room display, clerk workstation, visitor status, API docs."""

from __future__ import annotations

from html import escape
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import Match

router = APIRouter()
DISPLAY_DIR = Path(str(resources.files("display"))) / "page"
WEB_DIR = Path(__file__).parent / "web"
TEXTS_DIR = Path(str(resources.files("i18n"))) / "web"  # the pages' catalogue helper
SITE_DIR = Path(__file__).parent / "site" / "static"  # the booking site's CSS and script


def _page(path: Path) -> HTMLResponse:
    # Pages are small and change with the install only; no-cache keeps TVs current after updates.
    return HTMLResponse(path.read_text(encoding="utf-8"), headers={"Cache-Control": "no-cache"})


# (path, title, what it is for); a page only linked when this server has its route
START_LINKS = (
    ("/display", "Wartebereich-Anzeige", "Aufrufe und Wartezeiten für den Bildschirm im Wartebereich"),
    ("/clerk", "Schalter", "Arbeitsplatz der Sachbearbeitung: aufrufen, Termine, Warteschlange"),
    ("/book", "Termin buchen", "Online-Terminbuchung für Bürgerinnen und Bürger"),
    ("/docs", "API-Dokumentation (Swagger UI)", "alle Schnittstellen zum Ausprobieren"),
    ("/redoc", "API-Dokumentation (ReDoc)", "alle Schnittstellen zum Lesen"),
)
VENDOR = "/static/web/vendor"


def _serves(app: FastAPI, path: str) -> bool:
    """Whether a GET of `path` reaches a route of `app` (the booking site may not be there yet)."""
    scope = {"type": "http", "path": path, "method": "GET", "root_path": "", "path_params": {}}
    return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)


def _start_page(app: FastAPI, office_name: str) -> str:
    links = "\n    ".join(
        f'<li><a href="{path}">{escape(title)}</a><p>{escape(what)}</p></li>'
        for path, title, what in START_LINKS if _serves(app, path)
    )
    page = (WEB_DIR / "start.html").read_text(encoding="utf-8")
    return page.replace("{office}", escape(office_name)).replace("{links}", links)


@router.get("/", include_in_schema=False)
async def start_page(request: Request) -> HTMLResponse:
    """A small German start page linking the pages of this server."""
    name = request.app.state.ctx.config.office.name
    return HTMLResponse(_start_page(request.app, name), headers={"Cache-Control": "no-cache"})


@router.get("/docs", include_in_schema=False)
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI from this package's own copy: /docs works on a LAN without internet."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} – API",
        swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css", swagger_favicon_url="/favicon.ico",
        # no badge from the public validator: on a LAN it would be an outside request
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc", include_in_schema=False)
async def redoc(request: Request) -> HTMLResponse:
    """ReDoc from this package's own copy, without web fonts from outside."""
    return get_redoc_html(
        openapi_url=request.app.openapi_url, title=f"{request.app.title} – API",
        redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js", redoc_favicon_url="/favicon.ico",
        with_google_fonts=False,
    )


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
    app.mount("/static/book", StaticFiles(directory=SITE_DIR), name="book")
