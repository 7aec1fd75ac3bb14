"""One TCP connection of the binary protocol: login, requests in flight, timers, pushes.

The session is an ``asyncio.Protocol``: received bytes are cut into frames and
decoded at once; each request runs as its own task, so many are in flight and
answers leave in completion order, each carrying its request id. Answers and
pushes written during one event-loop turn go out in one write. The session stops
reading while ``max_in_flight`` requests are pending or the client is not reading
its answers, and cuts off a client whose unsent bytes exceed ``max_write_buffer``.
Session rules (docs/protocol.md): LOGIN first, a frame at least every idle timeout,
a server heartbeat every heartbeat interval, orders acknowledged once durable.
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

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.sessions import SessionService
from aurex.core.commands import CancelOrder as CancelCommand
from aurex.engine.port import EnginePort
from aurex.engine.queries import GetSymbol, GetTicker, ListTickers, OpenOrders
from aurex.gateways import order_entry
from aurex.gateways.codes import GatewayCode
from aurex.gateways.order_entry import EntryError
from aurex.gateways.tcp import convert
from aurex.gateways.tcp.codec import MAX_FRAME, CodecError, FrameReader, decode_client, encode
from aurex.gateways.tcp.feed import ALL, MarketFeed
from aurex.gateways.tcp.messages import (
    ALL_CHANNELS,
    LOGIN_CANCEL_ON_DISCONNECT,
    LOGIN_ORDER_UPDATES,
    REPORT_NEW,
    REPORT_RETRY,
    Ack,
    AmendOrder,
    CancelOrder,
    Channel,
    Error,
    Heartbeat,
    Login,
    LoginResponse,
    Logout,
    Message,
    MsgType,
    QueryOrder,
    ServerHeartbeat,
    SubmitOrder,
    Subscribe,
    Unsubscribe,
)
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


class TcpSession(asyncio.Protocol):
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
        self._trading_token = ""
        self._logging_in = False
        self._cancel_on_disconnect = False
        self._entered: set[int] = set()
        """Open orders entered on this connection (kept for cancel on disconnect only)."""
        self._subscriptions: set[tuple[int, str]] = set()
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
        self._ctx.feed.forget(self, self._account)
        if self._cancel_on_disconnect and self._account is not None:
            self._spawn_background(self._cancel_entered(self._account, set(self._tasks)))
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
            self._spawn(self._check_token())
            if self._entered:
                self._spawn(self._forget_ended())
        self._arm_timer()

    async def _check_token(self) -> None:
        try:
            await self._ctx.sessions.authenticate_trading(self._trading_token)
        except AuthError as exc:
            self._fail(0, 0, exc.code, f"session ended: {exc.message}")

    # -- requests ---------------------------------------------------------------------

    def _dispatch(self, m: Message) -> None:
        kind = type(m)
        if kind is SubmitOrder and self._account is not None:
            assert isinstance(m, SubmitOrder)
            self._spawn(self._submit(m))  # the hot path: one coroutine, no wrapper
            return
        if kind is Heartbeat:
            return
        request_id: int = getattr(m, "request_id", 0)
        if kind is Login:
            assert isinstance(m, Login)
            if self._account is not None or self._logging_in:
                self._error(request_id, m.TYPE, GatewayCode.ALREADY_LOGGED_IN, "already logged in")
            else:
                self._logging_in = True
                self._spawn(self._login(m))
            return
        if self._account is None:
            self._error(
                request_id,
                m.TYPE,
                GatewayCode.AUTHENTICATION_REQUIRED,
                "log in first (LOGIN, 0x06), and wait for its LOGIN_RESPONSE",
            )
            return
        handler = _HANDLERS[kind]
        self._spawn(self._guarded(request_id, m.TYPE, handler(self, m)))

    async def _guarded(
        self, request_id: int, answers: int, work: Coroutine[Any, Any, None]
    ) -> None:
        try:
            await work
        except EntryError as exc:
            self._error(request_id, answers, exc.code, exc.message)
        except Exception:
            log.exception("tcp request %s (type 0x%02x) failed", request_id, answers)
            self._error(request_id, answers, AuthCode.INTERNAL_ERROR, "internal error")

    async def _login(self, m: Login) -> None:
        try:
            if m.flags & ~(LOGIN_ORDER_UPDATES | LOGIN_CANCEL_ON_DISCONNECT):
                raise EntryError.invalid(f"flags: unknown bits in 0x{m.flags:02x}")
            principal = await order_entry.authenticate(
                self._ctx.sessions, m.access_token, m.trading_token, needs_trading=True
            )
        except EntryError as exc:
            self._error(m.request_id, m.TYPE, exc.code, exc.message)
            return
        finally:
            self._logging_in = False
        if self._closing:
            return
        self._account = principal.user_id
        self._trading_token = m.trading_token
        self._cancel_on_disconnect = bool(m.flags & LOGIN_CANCEL_ON_DISCONNECT)
        if m.flags & LOGIN_ORDER_UPDATES:
            self._ctx.feed.follow_orders(principal.user_id, self)
        options = self._options
        self._next_token_check = self._loop.time() + options.token_check_s
        self._send(
            encode(
                LoginResponse(
                    m.request_id,
                    int(options.heartbeat_s * 1000),
                    int(options.idle_timeout_s * 1000),
                    options.max_frame,
                    principal.user_id,
                )
            )
        )
        if self._timer is not None:
            self._timer.cancel()
        self._arm_timer()

    async def _submit(self, m: SubmitOrder) -> None:
        assert self._account is not None
        try:
            command = convert.place_command(self._account, m)
            outcome = await order_entry.submit(self._ctx.engine, command)
            state = outcome.order
            if state is None:
                raise EntryError(
                    order_entry.ErrorKind.NOT_FOUND, GatewayCode.ORDER_NOT_FOUND, "order not found"
                )
        except EntryError as exc:
            self._error(m.request_id, m.TYPE, exc.code, exc.message)
            return
        except Exception:
            log.exception("tcp order submit %s failed", m.request_id)
            self._error(m.request_id, m.TYPE, AuthCode.INTERNAL_ERROR, "internal error")
            return
        flags = REPORT_NEW if order_entry.created(outcome) else REPORT_RETRY
        if self._cancel_on_disconnect and state.is_open:
            self._entered.add(state.order_id)
        self._send(convert.order_frame(MsgType.ORDER_RESPONSE, m.request_id, m.TYPE, flags, state))

    async def _cancel(self, m: CancelOrder) -> None:
        assert self._account is not None
        command = convert.cancel_command(self._account, m)
        outcome = await order_entry.submit(self._ctx.engine, command)
        state = order_entry.touched(outcome, m.order_id) if m.order_id else outcome.order
        if state is None:
            raise EntryError(
                order_entry.ErrorKind.NOT_FOUND, GatewayCode.ORDER_NOT_FOUND, "order not found"
            )
        self._send(encode(convert.order_response(m.request_id, m.TYPE, 0, state)))

    async def _amend(self, m: AmendOrder) -> None:
        assert self._account is not None
        command = convert.amend_command(self._account, m)
        outcome = await order_entry.submit(self._ctx.engine, command)
        state = order_entry.touched(outcome, m.order_id)
        self._send(encode(convert.order_response(m.request_id, m.TYPE, 0, state)))

    async def _query(self, m: QueryOrder) -> None:
        assert self._account is not None
        if not m.order_id and not m.client_order_id:
            raise EntryError.invalid("send an order_id or a client_order_id")
        state = await order_entry.find_order(
            self._ctx.engine, self._ctx.history, self._account, m.order_id, m.client_order_id
        )
        self._send(encode(convert.order_status(state, m.request_id, m.TYPE)))

    async def _subscribe(self, m: Subscribe) -> None:
        channels, symbol = await self._channels(m.channels, m.symbol)
        wanted = {(int(c), symbol) for c in Channel if channels & c} - self._subscriptions
        if len(self._subscriptions) + len(wanted) > self._options.max_subscriptions:
            raise EntryError(
                order_entry.ErrorKind.INVALID,
                GatewayCode.TOO_MANY_SUBSCRIPTIONS,
                f"at most {self._options.max_subscriptions} subscriptions per connection",
            )
        self._subscriptions |= wanted
        feed = self._ctx.feed
        self._send(encode(Ack(m.request_id, m.TYPE)))
        for channel, _ in sorted(wanted):
            if channel == Channel.TICKER:
                feed.tickers[symbol].add(self)
                await self._send_tickers(symbol)
            elif channel == Channel.TRADES:
                feed.trades[symbol].add(self)
            else:
                await feed.subscribe_book(symbol, self)

    async def _send_tickers(self, symbol: str) -> None:
        engine = self._ctx.engine
        if symbol == ALL:
            views = await engine.query(ListTickers())
        else:
            view = await engine.query(GetTicker(symbol))
            views = (view,) if view is not None else ()
        if views:
            self.push(b"".join(encode(convert.ticker(v)) for v in views))

    async def _unsubscribe(self, m: Unsubscribe) -> None:
        channels, symbol = await self._channels(m.channels, m.symbol)
        gone = {(int(c), symbol) for c in Channel if channels & c} & self._subscriptions
        if not gone:
            raise EntryError.invalid("not subscribed to that")
        self._subscriptions -= gone
        self._ctx.feed.drop(self, symbol, channels)
        self._send(encode(Ack(m.request_id, m.TYPE)))

    async def _channels(self, channels: int, symbol: str) -> tuple[int, str]:
        if not channels or channels & ~ALL_CHANNELS:
            raise EntryError.invalid(f"channels: 0x{channels:02x}; use bits 1, 2 and 4")
        if not symbol:
            if channels & Channel.BOOK:
                raise EntryError.invalid("the book channel needs a symbol")
            return channels, ALL
        symbol = order_entry.check_symbol(symbol)
        if await self._ctx.engine.query(GetSymbol(symbol)) is None:
            raise EntryError(
                order_entry.ErrorKind.NOT_FOUND,
                GatewayCode.UNKNOWN_SYMBOL,
                f"symbol {symbol!r} is not listed",
            )
        return channels, symbol

    async def _logout(self, m: Logout) -> None:
        """Answer every earlier request, acknowledge, then close."""
        if self._transport is not None:
            self._transport.pause_reading()
        self._closing = True
        others = [t for t in self._tasks if t is not asyncio.current_task()]
        if others:
            await asyncio.wait(others)
        self._send(encode(Ack(m.request_id, m.TYPE)))
        self._flush()
        if self._transport is not None:
            self._transport.close()

    async def _open_entered(self, account: str) -> set[int]:
        open_ids = {o.order_id for o in await self._ctx.engine.query(OpenOrders(account))}
        return self._entered & open_ids

    async def _forget_ended(self) -> None:
        """Keep only the entered orders still open, so the set does not grow forever."""
        if self._account is not None:
            self._entered = await self._open_entered(self._account)

    async def _cancel_entered(self, account: str, in_flight: set[asyncio.Task[None]]) -> None:
        """Cancel on disconnect: once the requests in flight are done, cancel the
        orders this connection entered that are still open."""
        if in_flight:
            await asyncio.wait(in_flight)
        try:
            ids = await self._open_entered(account)
            engine = self._ctx.engine
            await asyncio.gather(
                *(engine.submit(CancelCommand(account=account, order_id=i)) for i in ids)
            )
        except Exception:
            log.exception("cancel on disconnect failed for account %s", account)
            return
        log.info("cancel on disconnect: %d orders of %s", len(ids), account)


_HANDLERS: dict[type[Message], Any] = {
    CancelOrder: TcpSession._cancel,
    AmendOrder: TcpSession._amend,
    QueryOrder: TcpSession._query,
    Subscribe: TcpSession._subscribe,
    Unsubscribe: TcpSession._unsubscribe,
    Logout: TcpSession._logout,
}

__all__ = ["Context", "MsgType", "TcpOptions", "TcpSession"]
