"""The FastAPI app factory. It wires routes to the services it is given, nothing more.

``bootstrap`` builds the services with real adapters; tests build them with
throwaway ones. Further routers (trading, market data, WebSocket, web UI) are
passed in and share the same error shape, security headers and auth dependencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI

import aurex
from aurex.auth.services import AuthServices
from aurex.engine.port import EnginePort
from aurex.gateways.http import (
    account_routes,
    admin_routes,
    auth_routes,
    market_data_routes,
    session_routes,
    trading_routes,
    two_factor_routes,
)
from aurex.gateways.http.edge import EdgeMiddleware, EdgeOptions
from aurex.gateways.http.error_docs import ROUTE_ERRORS, install_openapi
from aurex.gateways.http.errors import install_error_handlers
from aurex.gateways.http.hot_routes import HotRoutes
from aurex.gateways.http.rate_limit import TradingLimits, TradingRateLimiter
from aurex.gateways.http.security import DEFAULT_CSP
from aurex.gateways.http.ws_protocol import WsOptions
from aurex.gateways.http.ws_routes import mount_websocket
from aurex.readside.history import History


@dataclass(slots=True)
class AppServices:
    """What the HTTP gateway needs. ``routers`` are mounted after the auth routes;
    trading, market data and the WebSocket need ``engine`` (and ``history``)."""

    auth: AuthServices
    engine: EnginePort | None = None
    history: History | None = None
    routers: Sequence[APIRouter] = field(default_factory=tuple)
    trading_limits: TradingLimits = field(default_factory=TradingLimits)
    content_security_policy: str = DEFAULT_CSP
    title: str = "Aurex"
    websocket: WsOptions = field(default_factory=WsOptions)


def create_app(services: AppServices) -> FastAPI:
    """The ASGI app: auth, account and admin routes, trading and market data when
    ``services.engine`` is set, plus ``services.routers``."""
    app = FastAPI(
        title=services.title,
        version=aurex.__version__,
        description="Aurex stock exchange: REST API. Errors are {code, message}.",
    )
    app.state.auth = services.auth
    app.state.services = services
    install_error_handlers(app)
    for module in (auth_routes, two_factor_routes, session_routes, account_routes, admin_routes):
        app.include_router(module.router)
    if services.engine is not None:
        app.state.trading_limiter = TradingRateLimiter(
            services.auth.stores.counters, services.auth.clock, services.trading_limits
        )
        app.include_router(trading_routes.router)
        app.include_router(market_data_routes.router)
    for router in services.routers:
        app.include_router(router)
    if services.engine is not None:
        mount_websocket(app, services.engine, services.websocket)
    install_openapi(app, ROUTE_ERRORS)
    if services.engine is not None:
        app.add_middleware(HotRoutes, fastapi=app)
    app.state.edge = EdgeOptions(csp=services.content_security_policy)
    app.add_middleware(EdgeMiddleware, options=app.state.edge)
    return app
