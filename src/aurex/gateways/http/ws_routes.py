"""``/ws``: the WebSocket route, and mounting it with its hub on an app.

The hub starts with the first connection and stops when the app shuts down
(wrapped into the app's lifespan), so building an app starts no task.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket

from aurex.engine.port import EnginePort
from aurex.gateways.http.ws_hub import Hub
from aurex.gateways.http.ws_protocol import WsOptions
from aurex.gateways.http.ws_session import Session

router = APIRouter()


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    """Market data and the caller's orders over one WebSocket (docs/api.md)."""
    hub: Hub = websocket.app.state.ws_hub
    await websocket.accept()
    await Session(websocket, hub, websocket.app.state.auth).run()


def mount_websocket(app: FastAPI, engine: EnginePort, options: WsOptions | None = None) -> Hub:
    """Serve ``/ws`` on ``app`` from ``engine``'s update feed; returns the hub."""
    hub = Hub(engine, options or WsOptions())
    app.state.ws_hub = hub
    app.include_router(router)
    inner: Callable[[Any], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(asgi_app: Any) -> AsyncIterator[Any]:
        async with inner(asgi_app) as state:
            try:
                yield state
            finally:
                await hub.stop()

    app.router.lifespan_context = lifespan
    return hub
