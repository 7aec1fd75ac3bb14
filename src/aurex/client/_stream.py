"""``AurexStream``: the asyncio WebSocket client. It reconnects by itself (with
backoff), authenticates and resubscribes on every new connection, and keeps a local
L2 book per subscribed symbol that resynchronises itself after a sequence gap."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import random
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeAlias

import msgspec
import websockets
from websockets.asyncio.client import ClientConnection

from aurex.client._book import LocalBook
from aurex.client._errors import ApiError, AurexError, TransportError
from aurex.client._stream_protocol import (
    ORDERS,
    AuthLost,
    ConnectionEvent,
    ErrorEvent,
    Reply,
    StreamEvent,
    StreamProtocol,
)

TokenSource: TypeAlias = "str | Callable[[], str | Awaitable[str]]"
_CLOSED = object()


def websocket_url(base_url: str) -> str:
    """``http://host:3000`` -> ``ws://host:3000/ws`` (``https`` -> ``wss``)."""
    base = base_url.rstrip("/")
    for plain, secure in (("http://", "ws://"), ("https://", "wss://")):
        if base.startswith(plain):
            return secure + base[len(plain) :] + "/ws"
    return base + "/ws"


class AurexStream:
    """Market data and (with a token) the caller's orders and fills, as typed events.

    ``async with AurexStream(url) as stream: await stream.subscribe("book", "AAPL")``,
    then ``async for event in stream``. ``stream.book("AAPL")`` is the local book.
    ``token`` is an access token or a function returning a fresh one; it is sent in an
    ``auth`` message on each connection, before any subscription.
    """

    def __init__(
        self,
        url: str,
        *,
        token: TokenSource | None = None,
        reconnect: bool = True,
        max_backoff: float = 5.0,
        reply_timeout: float = 10.0,
        queue_size: int = 10_000,
    ) -> None:
        self.url = url
        self._token = token
        self._reconnect = reconnect
        self._max_backoff = max_backoff
        self._reply_timeout = reply_timeout
        self._protocol = StreamProtocol()
        self._events: asyncio.Queue[object] = asyncio.Queue(queue_size)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._ws: ClientConnection | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._first_error: BaseException | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections = 0
        """How many times a connection was established (1 + reconnects)."""

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> AurexStream:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def connect(self, timeout: float = 10.0) -> None:
        """Start the connection loop and wait for the first connection."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"aurex-stream {self.url}")
        waiter = asyncio.create_task(self._connected.wait())
        done, _ = await asyncio.wait(
            {waiter, self._task}, timeout=timeout, return_when="FIRST_COMPLETED"
        )
        if waiter not in done:
            waiter.cancel()
            if self._first_error is not None:
                raise TransportError(f"cannot connect to {self.url}: {self._first_error!r}")
            raise TransportError(f"cannot connect to {self.url} within {timeout} s")

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._fail_pending(AurexError("stream closed"))

    async def drop_connection(self) -> None:
        """Close the current connection as if the network failed (it reconnects)."""
        if self._ws is not None:
            await self._ws.close(code=1001, reason="client dropped")

    # ------------------------------------------------------------------ requests

    async def subscribe(
        self, channel: str, symbol: str | None = None, interval: str | None = None
    ) -> None:
        """Subscribe (kept across reconnects). Raises ``ApiError`` if the server refuses."""
        message = self._protocol.subscribe(channel, symbol, interval)
        try:
            await self._request(message)
        except ApiError:
            self._protocol.unsubscribe(channel, symbol, interval)
            raise

    async def unsubscribe(
        self, channel: str, symbol: str | None = None, interval: str | None = None
    ) -> None:
        await self._request(self._protocol.unsubscribe(channel, symbol, interval))

    async def ping(self) -> None:
        await self._request(self._protocol.request("ping"))

    def book(self, symbol: str) -> LocalBook:
        """The local book of a symbol subscribed on the ``book`` channel."""
        return self._protocol.books[symbol]

    async def _request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send now if connected and wait for the reply; else the next connection
        sends the subscriptions anyway."""
        ws = self._ws
        if ws is None:
            return {}
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message["id"]] = future
        try:
            await ws.send(msgspec.json.encode(message).decode())
            return await asyncio.wait_for(future, self._reply_timeout)
        except websockets.ConnectionClosed:
            return {}  # resent on the next connection
        finally:
            self._pending.pop(message["id"], None)

    # ------------------------------------------------------------------ events

    def __aiter__(self) -> AurexStream:
        return self

    async def __anext__(self) -> StreamEvent:
        item = await self._events.get()
        if item is _CLOSED:
            self._events.put_nowait(_CLOSED)
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

    async def next_event(self, timeout: float | None = None) -> StreamEvent:
        """The next event, or ``TimeoutError`` after ``timeout`` seconds."""
        return await asyncio.wait_for(self.__anext__(), timeout)

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        failures = 0
        try:
            while not self._closing:
                try:
                    async with websockets.connect(self.url, max_size=2**24, open_timeout=10) as ws:
                        failures = 0
                        await self._start(ws)
                        async for raw in ws:
                            await self._handle(ws, raw)
                        reason = f"closed {ws.close_code} {ws.close_reason}".strip()
                except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                    self._first_error = self._first_error or exc
                    reason = repr(exc)
                self._ws = None
                self._connected.clear()
                self._fail_pending(None)  # their subscriptions go out again on reconnect
                if self._closing or not self._reconnect:
                    break
                await self._events.put(ConnectionEvent("disconnected", reason=reason))
                failures += 1
                delay = min(self._max_backoff, 0.05 * 2 ** min(failures, 10))
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
        finally:
            self._ws = None
            with contextlib.suppress(asyncio.QueueFull):
                self._events.put_nowait(_CLOSED)

    async def _start(self, ws: ClientConnection) -> None:
        """Authenticate (waiting for the answer), then restore every subscription."""
        self.connections += 1
        if self._token is not None:
            auth = self._protocol.request("auth", token=await self._fresh_token())
            await ws.send(msgspec.json.encode(auth).decode())
            while True:
                answer = msgspec.json.decode(await ws.recv())
                if answer.get("id") == auth["id"]:
                    if answer.get("type") == "error":
                        code, text = int(answer.get("code", 0)), str(answer.get("message"))
                        await self._events.put(ErrorEvent(code, f"auth refused: {text}"))
                    break
        for message in self._protocol.resubscriptions():
            await ws.send(msgspec.json.encode(message).decode())
        self._ws = ws
        self._connected.set()
        await self._events.put(ConnectionEvent("connected", reconnect=self.connections > 1))

    async def _handle(self, ws: ClientConnection, raw: str | bytes) -> None:
        events, outgoing = self._protocol.receive(msgspec.json.decode(raw))
        for message in outgoing:
            await ws.send(msgspec.json.encode(message).decode())
        for event in events:
            if isinstance(event, Reply):
                self._settle(event)
            elif isinstance(event, AuthLost):
                if self._token is not None and not isinstance(self._token, str):
                    self._tasks.add(task := asyncio.create_task(self._log_in_again()))
                    task.add_done_callback(self._tasks.discard)
            else:
                await self._events.put(event)

    async def _log_in_again(self) -> None:
        """After the server ended the private channel: a fresh token, then ``orders``."""
        try:
            await self._request(self._protocol.request("auth", token=await self._fresh_token()))
            if ORDERS in self._protocol.subscriptions:
                await self._request(self._protocol.request("subscribe", channel="orders"))
        except AurexError as exc:
            await self._events.put(ErrorEvent(0, f"logging in again failed: {exc}"))

    async def _fresh_token(self) -> str:
        source = self._token
        token = source() if callable(source) else source
        if inspect.isawaitable(token):
            token = await token
        return str(token)

    def _settle(self, reply: Reply) -> None:
        future = self._pending.get(reply.id)
        if future is None or future.done():
            return
        if reply.ok:
            future.set_result(reply.message)
        else:
            code = int(reply.message.get("code", 0))
            future.set_exception(ApiError(code, str(reply.message.get("message", ""))))

    def _fail_pending(self, error: BaseException | None) -> None:
        """End the waits for replies: with ``error``, or (None) as if answered."""
        for future in self._pending.values():
            if future.done():
                continue
            if error is None:
                future.set_result({})
            else:
                future.set_exception(error)
        self._pending.clear()
