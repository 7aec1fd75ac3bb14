"""Wiring of metrics, request logs and connection-closing into a platform (for bootstrap).

Kept out of ``bootstrap`` so the composition root only says *that* the platform is
observed; how each part feeds ``aurex.metrics`` is decided here.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from fastapi import FastAPI

from aurex.config import Settings
from aurex.engine.local import LocalEngine
from aurex.gateways.http.request_log import log_requests
from aurex.gateways.http.server import HttpServer
from aurex.gateways.http.ws_hub import Hub
from aurex.metrics import MeteredEngine, Metrics

CLOSE_GRACE_S = 0.5
"""How long WebSocket clients get to receive their close frame before the server goes."""


def instrument_engine(engine: LocalEngine, data_dir: Path) -> tuple[Metrics, MeteredEngine]:
    """Metrics fed by ``engine`` (sequencer timings, durable events, index, disk) and
    the metered engine port that gateways should use."""
    metrics = Metrics()
    engine.sequencer.observer = metrics
    engine.sequencer.bus.add_handler(metrics.count_events)
    metrics.watch_platform(engine.market_data.index, data_dir)
    metrics.watch_drops("engine_feed", lambda: len(engine.dropped_subscribers))
    return metrics, MeteredEngine(engine, metrics)


def instrument_app(app: FastAPI, metrics: Metrics, settings: Settings) -> None:
    """Request ids and request log lines; WebSocket clients and slow-consumer drops."""
    log_requests(app, settings.log_requests)
    hub: Hub | None = getattr(app.state, "ws_hub", None)
    if hub is not None:
        metrics.watch_clients("ws", lambda: hub.clients)
        metrics.watch_drops("ws", lambda: hub.slow_consumers)


def watch_http_server(metrics: Metrics, server: HttpServer) -> None:
    """Open HTTP connections (WebSocket ones included) of ``server``."""
    metrics.watch_clients("http", lambda: server.gate.total)


async def close_streams(app: FastAPI) -> None:
    """Tell every WebSocket client the server is going away (1001 with a reason) and
    give them a moment to receive it, before the HTTP server drops connections."""
    hub: Hub | None = getattr(app.state, "ws_hub", None)
    if hub is None or not hub.clients:
        return
    await hub.stop()
    deadline = time.monotonic() + CLOSE_GRACE_S
    while hub.clients and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
