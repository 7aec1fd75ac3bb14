"""One TCP connection of the binary protocol, below the requests: bytes, frames, timers.

:class:`Connection` is an ``asyncio.Protocol``: received bytes are cut into frames
and decoded at once, and each message is handed to ``_dispatch`` (the session's
request handling, :mod:`aurex.gateways.tcp.session`). Answers and pushes written
during one event-loop turn go out in one write. The connection stops reading while
``max_in_flight`` requests are pending or the client is not reading its answers,
and cuts off a client whose unsent bytes exceed ``max_write_buffer``. Its timer
enforces the login deadline and the idle timeout, sends the server heartbeat, and
asks the session to re-check its token every ``token_check_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, cast

from aurex.auth.sessions import SessionService
from aurex.engine.port import EnginePort
from aurex.gateways.codes import GatewayCode
from aurex.gateways.tcp.codec import MAX_FRAME, CodecError, FrameReader, decode_client, encode
from aurex.gateways.tcp.feed import MarketFeed
from aurex.gateways.tcp.messages import Error, Message, ServerHeartbeat
from aurex.gateways.throttle import OrderThrottle
from aurex.readside.history import History

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TcpOptions:
    """Limits and timers of the binary protocol (docs/protocol.md, "Session rules")."""

    heartbeat_s: float = 10.0
    idle_timeout_s: float = 30.0
    login_timeout_s: float = 10.0
    token_check_s: float = 60.0
    max_frame: int = MAX_FRAME
    max_in_flight: int = 4096
    max_write_buffer: int = 8 * 1024 * 1024
    max_subscriptions: int = 100


@dataclass(slots=True)
class Context:
    """What every session of one server shares."""

    engine: EnginePort
    sessions: SessionService
    history: History | None
    feed: MarketFeed
    options: TcpOptions
    background: set[asyncio.Task[Any]]
    """Tasks that outlive their connection (cancel on disconnect); the server awaits them."""
    throttle: OrderThrottle | None = None
    """Orders and amends per user and second (shared with gRPC); None: unlimited."""


class Connection(asyncio.Protocol):
    """Framing, writing, flow control and timers; ``TcpSession`` adds the requests."""

    def __init__(self, ctx: Context, on_close: Any = None) -> None:
        self._ctx = ctx
        self._options = ctx.options
        self._reader = FrameReader(ctx.options.max_frame)
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        self._out: list[bytes] = []
        self._flush_scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._paused_reading = False
        self._paused_writing = False
        self._closing = False
        self._on_close = on_close
        self._account: str | None = None
        """The logged-in user; None until LOGIN succeeds."""
        self._timer: asyncio.TimerHandle | None = None
        now = self._loop.time()
        self._last_rx = now
        self._connected_at = now
        self._next_heartbeat = now + self._options.heartbeat_s
        self._next_token_check = 0.0

    # -- transport callbacks ----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        transport.set_write_buffer_limits(high=256 * 1024)
        self._arm_timer()

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        self._last_rx = self._loop.time()
        try:
            frames = self._reader.feed(data)
        except CodecError as exc:
            self._fail(0, 0, exc.code, exc.message)
            return
        for msg_type, body in frames:
            if self._closing:
                return
            try:
                message = decode_client(msg_type, body)
            except CodecError as exc:
                self._error(exc.request_id, exc.msg_type, exc.code, exc.message)
                continue
            self._dispatch(message)

    def eof_received(self) -> bool | None:
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        if self._timer is not None:
            self._timer.cancel()
        self._ended()
        if self._on_close is not None:
            self._on_close(self)

    def pause_writing(self) -> None:
        self._paused_writing = True
        self._update_reading()

    def resume_writing(self) -> None:
        self._paused_writing = False
        self._update_reading()

    # -- the feed's side --------------------------------------------------------------

    def push(self, data: bytes) -> None:
        """Market data or an order update; a client that does not read is cut off."""
        transport = self._transport
        if self._closing or transport is None:
            return
        if transport.get_write_buffer_size() > self._options.max_write_buffer:
            self._fail(0, 0, GatewayCode.SLOW_CONSUMER, "slow consumer: too much unsent data")
            return
        self._send(data)

    def lost_feed(self) -> None:
        self._fail(0, 0, GatewayCode.SLOW_CONSUMER, "the server fell behind the market feed")

    def shut_down(self) -> None:
        """The server is stopping."""
        self._fail(0, 0, GatewayCode.ENGINE_UNAVAILABLE, "the server is shutting down")

    # -- writing ----------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        self._out.append(data)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        out, self._out = self._out, []
        if self._transport is not None and not self._transport.is_closing() and out:
            self._transport.write(b"".join(out) if len(out) > 1 else out[0])

    def _error(
        self, request_id: int, answers: int, code: int, text: str, fatal: bool = False
    ) -> None:
        log.debug("tcp error %s to request %s: %s", code, request_id, text)
        self._send(encode(Error(request_id, answers & 0xFF, code, int(fatal), text[:1000])))

    def _fail(self, request_id: int, answers: int, code: int, text: str) -> None:
        """Send a fatal error and close once it is written."""
        if self._closing:
            return
        self._error(request_id, answers, code, text, fatal=True)
        self._flush()
        self._closing = True
        if self._transport is not None:
            if code == GatewayCode.SLOW_CONSUMER:
                self._transport.abort()
            else:
                self._transport.close()

    # -- flow control -----------------------------------------------------------------

    def _update_reading(self) -> None:
        transport = self._transport
        if transport is None or self._closing:
            return
        pause = self._paused_writing or len(self._tasks) >= self._options.max_in_flight
        if pause and not self._paused_reading:
            transport.pause_reading()
        elif not pause and self._paused_reading:
            transport.resume_reading()
        self._paused_reading = pause

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = self._loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        if len(self._tasks) >= self._options.max_in_flight:
            self._update_reading()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._paused_reading:
            self._update_reading()
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("tcp request failed", exc_info=exc)

    def _spawn_background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = self._loop.create_task(coro)
        self._ctx.background.add(task)
        task.add_done_callback(self._ctx.background.discard)

    # -- timers -----------------------------------------------------------------------

    def _arm_timer(self) -> None:
        options = self._options
        if self._account is None:
            deadline = self._connected_at + options.login_timeout_s
        else:
            deadline = self._last_rx + options.idle_timeout_s
        wake = min(deadline, self._next_heartbeat)
        if self._account is not None:
            wake = min(wake, self._next_token_check)
        self._timer = self._loop.call_at(wake, self._on_timer)

    def _on_timer(self) -> None:
        if self._closing:
            return
        now = self._loop.time()
        options = self._options
        if self._account is None and now >= self._connected_at + options.login_timeout_s:
            self._fail(0, 0, GatewayCode.IDLE_TIMEOUT, "no successful LOGIN in time")
            return
        if now >= self._last_rx + options.idle_timeout_s:
            self._fail(0, 0, GatewayCode.IDLE_TIMEOUT, "nothing received within the idle timeout")
            return
        if now >= self._next_heartbeat:
            self._next_heartbeat = now + options.heartbeat_s
            self._send(encode(ServerHeartbeat(time.time_ns())))
        if self._account is not None and now >= self._next_token_check:
            self._next_token_check = now + options.token_check_s
            self._recheck()
        self._arm_timer()

    # -- what the session adds --------------------------------------------------------

    def _dispatch(self, message: Message) -> None:
        """Handle one decoded client message."""
        raise NotImplementedError

    def _recheck(self) -> None:
        """Every ``token_check_s`` while logged in: is the login still valid?"""

    def _ended(self) -> None:
        """The connection is gone (called once, before ``on_close``)."""
