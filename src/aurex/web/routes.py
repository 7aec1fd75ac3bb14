"""Page routes, the manifest and static files of the web platform.

Pages are shells rendered by Jinja2; their modules load data from the REST API and
stay live over ``/ws``. Pages of the logged-in area redirect to the login page when
the browser holds no session (no ``csrfToken`` cookie); the API still checks every
request, so this is only about not showing an empty page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from aurex.gateways.http.security import CSRF_COOKIE

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
SYMBOL_RE = re.compile(r"[A-Z][A-Z0-9.]{0,15}")
MEDIA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
}

PUBLIC_PAGES = {
    "/": ("landing.html", "Aurex - a stock exchange you can trade on", "landing"),
    "/signup": ("signup.html", "Create your Aurex account", "signup"),
    "/login": ("login.html", "Log in to Aurex", "login"),
}
APP_PAGES = {
    "/app/dashboard": ("dashboard.html", "Dashboard", "dashboard"),
    "/app/portfolio": ("portfolio.html", "Portfolio", "portfolio"),
    "/app/settings": ("settings.html", "Settings", "settings"),
    "/app/settings/totp": ("totp.html", "Set up an authenticator app", "totp"),
}


def _render(request: Request, template: str, title: str, page: str, **extra: Any) -> Response:
    context = {"title": title, "page": page, "logged_in": CSRF_COOKIE in request.cookies}
    return TEMPLATES.TemplateResponse(request, template, {**context, **extra})


def _login_redirect(request: Request) -> Response | None:
    if CSRF_COOKIE in request.cookies:
        return None
    target = quote(request.url.path, safe="/")
    return RedirectResponse(f"/login?next={target}", status_code=303)


def web_router() -> APIRouter:
    """The router of the web platform's pages, manifest and static assets."""
    router = APIRouter(include_in_schema=False)

    def public(path: str, template: str, title: str, page: str) -> None:
        async def show(request: Request) -> Response:
            return _render(request, template, title, page)

        router.add_api_route(path, show, methods=["GET"], name=f"web-{page}")

    def private(path: str, template: str, title: str, page: str) -> None:
        async def show(request: Request) -> Response:
            return _login_redirect(request) or _render(request, template, title, page)

        router.add_api_route(path, show, methods=["GET"], name=f"web-{page}")

    for path, (template, title, page) in PUBLIC_PAGES.items():
        public(path, template, title, page)
    for path, (template, title, page) in APP_PAGES.items():
        private(path, template, title, page)

    @router.get("/app")
    async def app_home() -> Response:
        return RedirectResponse("/app/dashboard", status_code=303)

    @router.get("/app/trade/{symbol}")
    async def trade(request: Request, symbol: str) -> Response:
        if not SYMBOL_RE.fullmatch(symbol):
            raise HTTPException(404)
        return _login_redirect(request) or _render(
            request, "trade.html", f"{symbol} - Trade", "trade", symbol=symbol
        )

    @router.get("/manifest.webmanifest")
    async def manifest() -> Response:
        return JSONResponse(MANIFEST, media_type="application/manifest+json")

    @router.get("/static/{path:path}")
    async def static(path: str) -> Response:
        return _static_file(path)

    return router


def _static_file(path: str) -> Response:
    """A file under ``static/``; never anything outside it."""
    root = STATIC.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise HTTPException(404)
    media = MEDIA_TYPES.get(target.suffix, "application/octet-stream")
    return FileResponse(target, media_type=media, headers={"Cache-Control": "no-cache"})


MANIFEST: dict[str, Any] = {
    "name": "Aurex Exchange",
    "short_name": "Aurex",
    "description": "Trade the Aurex stock exchange: live prices, order book and portfolio.",
    "start_url": "/app/dashboard",
    "scope": "/",
    "display": "standalone",
    "background_color": "#0f1419",
    "theme_color": "#0f1419",
    "icons": [
        {"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        {
            "src": "/static/icons/icon.svg",
            "sizes": "any",
            "type": "image/svg+xml",
            "purpose": "maskable",
        },
    ],
}
