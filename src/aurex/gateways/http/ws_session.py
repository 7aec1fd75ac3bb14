"""One WebSocket connection: its requests, subscriptions, login and sender task.

The connection reads client messages one at a time and answers each (a reply or a
precise error; the connection stays open). Everything it sends goes through its
:class:`Outbox`, drained by its own sender task, so a client that stops reading
fills only its own queue. When that queue overflows, or the server closes it, the
sender gets ``close_grace_s`` to deliver the last error and the close frame before
the connection is dropped.

Login is by message (``{"op": "auth", "token": <access JWT>}``), never in the URL.
The token is checked again every ``reauth_interval_s``: once it expires or its
session is revoked, the private channel stops with the auth error's code.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.websockets import WebSocket

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.services import AuthServices
from aurex.engine.port import EngineUnavailable
from aurex.engine.queries import GetIndex, GetTicker, ListTickers
from aurex.gateways import wire
from aurex.gateways.codes import GatewayCode
from aurex.gateways.http.ws_hub import INDEX_ROUTE, Hub, ticker_key, ticker_message
from aurex.gateways.http.ws_outbox import Close, Outbox
from aurex.gateways.http.ws_protocol import (
    ProtocolError,
    Request,
    encode,
    error,
    parse_request,
    reply,
)
from aurex.marketdata import TickerView

log = logging.getLogger(__name__)

ORDERS_KEY = ("orders", "", "")


class Session:
    """Serves one accepted WebSocket until either side closes it."""

    def __init__(self, websocket: WebSocket, hub: Hub, auth: AuthServices) -> None:
        self.websocket = websocket
        self.hub = hub
        self.auth = auth
        self.options = hub.options
        self.outbox = Outbox(self.options.queue_limit, on_close=self._on_close)
        self.subscriptions: set[tuple[str, str, str]] = set()
        self.account: str | None = None
        self._token = ""
        self._sender: asyncio.Task[None] | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._deadline: asyncio.TimerHandle | None = None

    async def run(self) -> None:
        """Serve the connection; returns once it is closed or dropped."""
        self.hub.connect(self)
        sender = self._sender = asyncio.create_task(self._send_all())
        receiver = asyncio.create_task(self._receive_all())
        try:
            await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.hub.disconnect(self)
            for task in (sender, receiver, self._watchdog):
                if task is not None:
                    task.cancel()
            for task in (sender, receiver, self._watchdog):
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
            if self._deadline is not None:
                self._deadline.cancel()

    # -- sending ------------------------------------------------------------------

    async def _send_all(self) -> None:
        outbox, websocket = self.outbox, self.websocket
        try:
            while True:
                item = await outbox.get()
                if type(item) is Close:
                    await websocket.close(item.code, item.reason)
                    return
                assert type(item) is str
                await websocket.send_text(item)
        except (OSError, RuntimeError) as exc:
            log.debug("WebSocket send failed: %s", exc)
        except Exception as exc:  # the client went away mid-send
            log.debug("WebSocket send ended: %r", exc)

    def _on_close(self) -> None:
        """The outbox holds its last messages: give them ``close_grace_s`` to leave."""
        if self.outbox.overflowed:
            self.hub.note_slow_consumer()
        sender = self._sender
        if sender is not None and self._deadline is None:
            loop = asyncio.get_running_loop()
            self._deadline = loop.call_later(self.options.close_grace_s, sender.cancel)

    # -- receiving ----------------------------------------------------------------

    async def _receive_all(self) -> None:
        websocket, outbox = self.websocket, self.outbox
        limit = self.options.max_message_bytes
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if outbox.closing:
                continue
            text = message.get("text")
            try:
                request = parse_request(text if text is not None else message.get("bytes"), limit)
            except ProtocolError as exc:
                outbox.put(error(exc.code, exc.message, exc.request_id))
                continue
            try:
                await self._handle(request)
            except ProtocolError as exc:
                outbox.put(error(exc.code, exc.message, exc.request_id))
            except AuthError as exc:
                outbox.put(error(exc.code, exc.message, request.request_id))
            except EngineUnavailable as exc:
                outbox.put(error(GatewayCode.ENGINE_UNAVAILABLE, str(exc), request.request_id))
            except Exception:
                log.exception("WebSocket request %r failed", request.op)
                outbox.put(error(AuthCode.INTERNAL_ERROR, "internal error", request.request_id))

    async def _handle(self, request: Request) -> None:
        op = request.op
        if op == "ping":
            self.outbox.put(reply("pong", request))
        elif op == "auth":
            await self._authenticate(request)
        elif op == "subscribe":
            await self._subscribe(request)
        else:
            self._unsubscribe(request)

    async def _authenticate(self, request: Request) -> None:
        principal = await self.auth.sessions.authenticate(request.token)
        if self.account is not None and self.account != principal.user_id:
            raise ProtocolError(
                GatewayCode.INVALID_FIELD,
                "this connection is logged in as another user; open a new connection",
                request.request_id,
            )
        self.account = principal.user_id
        self._token = request.token
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._watchdog = asyncio.create_task(self._recheck_token())
        self.outbox.put(reply("authenticated", request, userId=principal.user_id))

    async def _recheck_token(self) -> None:
        """End the private channel once the token stops being valid."""
        while True:
            await asyncio.sleep(self.options.reauth_interval_s)
            try:
                await self.auth.sessions.authenticate(self._token)
            except AuthError as exc:
                self._logout()
                self.outbox.put(error(exc.code, f"{exc.message}; send auth again"))
                return

    def _logout(self) -> None:
        if self.account is not None and ORDERS_KEY in self.subscriptions:
            self.hub.remove(self, ("orders", self.account))
            self.subscriptions.discard(ORDERS_KEY)
        self.account = None
        self._token = ""

    async def _subscribe(self, request: Request) -> None:
        key = request.key
        if key not in self.subscriptions and len(self.subscriptions) >= (
            self.options.max_subscriptions
        ):
            raise ProtocolError(
                GatewayCode.TOO_MANY_SUBSCRIPTIONS,
                f"at most {self.options.max_subscriptions} subscriptions per connection",
                request.request_id,
            )
        channel, symbol, interval = key
        engine, outbox = self.hub.engine, self.outbox
        ack = reply("subscribed", request)
        if channel == "book":
            if not await self.hub.add_book(self, symbol, ack):
                raise _unknown_symbol(request)
            self.subscriptions.add(key)
            return
        if channel == "orders":
            if self.account is None:
                raise ProtocolError(
                    GatewayCode.AUTHENTICATION_REQUIRED,
                    'the orders channel needs a login first: {"op": "auth", "token": ...}',
                    request.request_id,
                )
            self.hub.add(self, ("orders", self.account))
        elif channel == "index":
            self.hub.add(self, INDEX_ROUTE)
        else:
            ticker = await engine.query(GetTicker(symbol)) if symbol else None
            if symbol and ticker is None:
                raise _unknown_symbol(request)
            route = (channel, symbol, interval) if channel == "candles" else (channel, symbol)
            self.hub.add(self, route)
        self.subscriptions.add(key)
        outbox.put(ack)
        await self._send_current(channel, symbol)

    async def _send_current(self, channel: str, symbol: str) -> None:
        """The current ticker(s) or index, so a new subscriber need not wait for a change."""
        engine, outbox = self.hub.engine, self.outbox
        if channel == "ticker":
            if symbol:
                one = await engine.query(GetTicker(symbol))
                views: tuple[TickerView, ...] = () if one is None else (one,)
            else:
                views = await engine.query(ListTickers())
            for view in views:
                outbox.put_latest(ticker_key(view.symbol), ticker_message(view))
        elif channel == "index":
            index = await engine.query(GetIndex())
            if index is not None:
                text = encode({"type": "index", "data": wire.index(index)})
                outbox.put_latest(INDEX_ROUTE, text)

    def _unsubscribe(self, request: Request) -> None:
        key = request.key
        if key not in self.subscriptions:
            raise ProtocolError(
                GatewayCode.INVALID_FIELD,
                f"not subscribed to {' '.join(k for k in key if k)}",
                request.request_id,
            )
        channel, symbol, interval = key
        if channel == "book":
            self.hub.remove_book(self, symbol)
        elif channel == "orders":
            if self.account is not None:
                self.hub.remove(self, ("orders", self.account))
        elif channel == "index":
            self.hub.remove(self, INDEX_ROUTE)
        elif channel == "candles":
            self.hub.remove(self, (channel, symbol, interval))
        else:
            self.hub.remove(self, (channel, symbol))
        self.subscriptions.discard(key)
        self.outbox.put(reply("unsubscribed", request))


def _unknown_symbol(request: Request) -> ProtocolError:
    return ProtocolError(
        GatewayCode.UNKNOWN_SYMBOL, f"unknown symbol {request.symbol!r}", request.request_id
    )
