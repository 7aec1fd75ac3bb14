"""Run the ASGI app with uvicorn inside the exchange's own event loop.

The server is hardened against clients that hold connections or send too much
(``connections.py``, ``limits.py``), keeps repeated warnings from flooding the log
(``aurex.log_throttle``), serves TLS when given a certificate, and believes
``X-Forwarded-For``/``-Proto`` only from the configured trusted proxies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from aurex.config import Settings
from aurex.gateways.http.connections import (
    ACCEPT_BACKLOG,
    ConnectionGate,
    ConnectionLimits,
    guarded_protocol,
    parse_networks,
)
from aurex.gateways.http.limits import DEFAULT_MAX_BODY_BYTES, BodyLimitMiddleware
from aurex.log_throttle import throttle_logging

WS_MAX_FRAME_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """Everything about the HTTP server that is not the app, host or port."""

    connections: ConnectionLimits = field(default_factory=ConnectionLimits)
    keepalive_timeout_s: int = 5
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    trusted_proxies: Sequence[str] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerOptions:
        if (settings.tls_cert_file is None) != (settings.tls_key_file is None):
            raise ValueError("set both AUREX_TLS_CERT_FILE and AUREX_TLS_KEY_FILE, or neither")
        return cls(
            connections=ConnectionLimits(
                max_connections=settings.http_max_connections,
                max_connections_per_ip=settings.http_max_connections_per_ip,
                header_timeout_s=settings.http_header_timeout_s,
                body_timeout_s=settings.http_body_timeout_s,
            ),
            keepalive_timeout_s=settings.http_keepalive_timeout_s,
            max_body_bytes=settings.http_max_body_bytes,
            tls_cert_file=settings.tls_cert_file,
            tls_key_file=settings.tls_key_file,
            trusted_proxies=[p for p in settings.trusted_proxies.split(",") if p.strip()],
        )

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert_file is not None else "http"


class HttpServer:
    """uvicorn on ``host:port`` as a task of the running loop."""

    def __init__(
        self, app: ASGIApp, host: str, port: int, options: ServerOptions | None = None
    ) -> None:
        options = options or ServerOptions()
        trusted = parse_networks(options.trusted_proxies)
        self.gate = ConnectionGate(options.connections, trusted)
        self.url = f"{options.scheme}://{host}:{port}"
        config = uvicorn.Config(
            BodyLimitMiddleware(app, options.max_body_bytes),
            host=host,
            port=port,
            http=guarded_protocol(self.gate),
            backlog=ACCEPT_BACKLOG,
            log_level="warning",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_keep_alive=options.keepalive_timeout_s,
            proxy_headers=bool(trusted),
            forwarded_allow_ips=[str(n) for n in trusted] or None,
            ssl_certfile=options.tls_cert_file,
            ssl_keyfile=options.tls_key_file,
            # WebSocket frames from clients are small commands; the /ws session
            # enforces its own 4 KiB limit, this stops uvicorn buffering more.
            ws_max_size=WS_MAX_FRAME_BYTES,
            # Per-connection compression would deflate each broadcast once per
            # subscriber, undoing the hub's encode-once fan-out.
            ws_per_message_deflate=False,
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, app: ASGIApp, settings: Settings) -> HttpServer:
        """The server ``aurex serve`` runs, configured from ``AUREX_*`` settings."""
        options = ServerOptions.from_settings(settings)
        return cls(app, settings.host, settings.http_port, options)

    async def start(self) -> None:
        """Start serving; returns once the socket is listening (or raises)."""
        throttle_logging(logging.getLogger("uvicorn"), logging.getLogger("asyncio"))
        self._task = asyncio.create_task(self._server.serve(), name="aurex-http")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("HTTP server stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
