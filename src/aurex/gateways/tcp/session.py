"""The requests of one binary-protocol connection: login, orders, queries, subscriptions.

:class:`TcpSession` is a :class:`~aurex.gateways.tcp.connection.Connection` (framing,
flow control, timers) that handles each request as its own task, so many are in
flight and answers leave in completion order, each carrying its request id.
Session rules (docs/protocol.md): LOGIN first, a frame at least every idle timeout,
a server heartbeat every heartbeat interval, orders acknowledged once durable, the
trading token re-checked every ``token_check_s``, and with the LOGIN flag the
connection's open orders cancelled when it ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from aurex.auth.errors import AuthCode, AuthError
from aurex.core.commands import CancelOrder as CancelCommand
from aurex.engine.queries import GetSymbol, GetTicker, ListTickers, OpenOrders
from aurex.gateways import order_entry
from aurex.gateways.codes import GatewayCode
from aurex.gateways.order_entry import EntryError
from aurex.gateways.tcp import convert
from aurex.gateways.tcp.codec import encode
from aurex.gateways.tcp.connection import Connection, Context, TcpOptions
from aurex.gateways.tcp.feed import ALL
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
    Heartbeat,
    Login,
    LoginResponse,
    Logout,
    Message,
    MsgType,
    QueryOrder,
    SubmitOrder,
    Subscribe,
    Unsubscribe,
)

log = logging.getLogger(__name__)


class TcpSession(Connection):
    """A connection that logs in and answers requests (docs/protocol.md)."""

    def __init__(self, ctx: Context, on_close: Any = None) -> None:
        super().__init__(ctx, on_close)
        self._trading_token = ""
        self._logging_in = False
        self._cancel_on_disconnect = False
        self._entered: set[int] = set()
        """Open orders entered on this connection (kept for cancel on disconnect only)."""
        self._subscriptions: set[tuple[int, str]] = set()

    # -- the connection's hooks -------------------------------------------------------

    def _recheck(self) -> None:
        self._spawn(self._check_token())
        if self._entered:
            self._spawn(self._forget_ended())

    def _ended(self) -> None:
        self._ctx.feed.forget(self, self._account)
        if self._cancel_on_disconnect and self._account is not None:
            self._spawn_background(self._cancel_entered(self._account, set(self._tasks)))

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
            throttle = self._ctx.throttle
            if throttle is not None:
                throttle.take(self._account)
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
        if self._ctx.throttle is not None:
            self._ctx.throttle.take(self._account)
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
