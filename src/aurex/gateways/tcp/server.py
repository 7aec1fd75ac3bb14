"""The binary TCP order-entry and market-data server (docs/protocol.md).

``TcpServer(engine, sessions, history).start(host, port)`` listens (optionally
with TLS) and runs one :class:`TcpSession` per connection, all sharing one
:class:`MarketFeed` subscription to the engine. ``stop`` closes the listener,
tells every client the server is going away, and waits for cancel-on-disconnect
work so that it reaches the engine before the engine stops.

The protocol runs on whatever loop the process uses (``aurex serve``: see
``aurex.event_loop``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from pathlib import Path
from typing import Any

from aurex.auth.sessions import SessionService
from aurex.engine.port import EnginePort
from aurex.gateways.tcp.feed import MarketFeed
from aurex.gateways.tcp.session import Context, TcpOptions, TcpSession
from aurex.gateways.throttle import OrderThrottle
from aurex.readside.history import History

log = logging.getLogger(__name__)


def tls_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """A server TLS context (TLS 1.2 or later) from a PEM certificate chain and key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


class TcpServer:
    """Listens for binary-protocol clients; see the module docstring."""

    def __init__(
        self,
        engine: EnginePort,
        sessions: SessionService,
        history: History | None = None,
        options: TcpOptions | None = None,
        tls: ssl.SSLContext | None = None,
        throttle: OrderThrottle | None = None,
    ) -> None:
        self.options = options or TcpOptions()
        self._tls = tls
        self._feed = MarketFeed(engine)
        self._context = Context(
            engine, sessions, history, self._feed, self.options, set(), throttle
        )
        self._sessions: set[TcpSession] = set()
        self._server: asyncio.Server | None = None
        self.address: tuple[str, int] | None = None

    @property
    def connections(self) -> int:
        return len(self._sessions)

    async def start(self, host: str, port: int) -> tuple[str, int]:
        """Listen on ``host:port`` (0 = any free port); returns the address bound."""
        loop = asyncio.get_running_loop()
        self._feed.start()
        self._server = await loop.create_server(
            self._new_session, host, port, ssl=self._tls, reuse_address=True, backlog=1024
        )
        bound = self._server.sockets[0].getsockname()
        self.address = (str(bound[0]), int(bound[1]))
        log.info("binary TCP protocol on %s:%d%s", *self.address, " (TLS)" if self._tls else "")
        return self.address

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for session in list(self._sessions):
            session.shut_down()
        for _ in range(3):  # let connection_lost run and start cancel-on-disconnect work
            await asyncio.sleep(0)
        background = self._context.background
        if background:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*background, return_exceptions=True), 10)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        await self._feed.stop()

    def _new_session(self) -> TcpSession:
        session = TcpSession(self._context, on_close=self._closed)
        self._sessions.add(session)
        return session

    def _closed(self, session: Any) -> None:
        self._sessions.discard(session)
