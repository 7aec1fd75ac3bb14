"""``AsyncAurexClient``: the asyncio client, running the shared flows over
``httpx.AsyncClient``; ``stream()`` opens the WebSocket with this client's login."""

from __future__ import annotations

import asyncio
import inspect
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx

from aurex.client._calls import Calls
from aurex.client._errors import AurexError, TransportError
from aurex.client._lanes import Lanes
from aurex.client._models import Fill, Order, OrderStatusFilter, Side, SignupResult, Tokens
from aurex.client._protocol import AskSecondFactor, Flow, RefreshTokens, Reply, Request
from aurex.client._session import Session
from aurex.client._stream import AurexStream, websocket_url

P = ParamSpec("P")
T = TypeVar("T")

AsyncSecondFactorCallback = Callable[[str], "str | Awaitable[str]"]
"""Gets the second factor's type (``"email"`` or ``"totp"``), returns (or awaits) the code."""


def _call(
    flow: Callable[Concatenate[Calls, P], Flow[T]],
) -> Callable[Concatenate[AsyncAurexClient, P], Coroutine[Any, Any, T]]:
    """A coroutine method running the shared flow of the same name."""

    async def method(self: AsyncAurexClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._run(flow(self._calls, *args, **kwargs))

    method.__name__ = flow.__name__
    method.__doc__ = flow.__doc__
    return method


class AsyncAurexClient:
    """An asyncio Aurex client. Use with ``async with``, or call ``aclose()``.

    Safe to share between many concurrent tasks: up to ``max_connections`` requests
    are in flight at once, each on a connection of its own, and a token refresh happens
    once however many tasks need it. ``local_address`` binds the client's side of each
    connection; ``transport`` replaces the network (e.g. ``httpx.ASGITransport``).
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:3000",
        *,
        second_factor: AsyncSecondFactorCallback | None = None,
        timeout: float = 10.0,
        max_connections: int = 32,
        local_address: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        if transport is not None:
            shared = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport)
            self._http = Lanes(lambda: shared, max_connections)
        else:
            # one TLS context for every lane: building one loads the CA bundle (~0.1 s)
            tls: ssl.SSLContext | bool = (
                httpx.create_ssl_context() if self.base_url.startswith("https:") else False
            )

            def lane() -> httpx.AsyncClient:
                return httpx.AsyncClient(
                    base_url=self.base_url,
                    timeout=timeout,
                    transport=httpx.AsyncHTTPTransport(verify=tls, local_address=local_address),
                    limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                )

            self._http = Lanes(lane, max_connections)
        self._session = Session(clock)
        self._calls = Calls(self._session)
        self._second_factor = second_factor
        self._refresh_lock = asyncio.Lock()

    async def __aenter__(self) -> AsyncAurexClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ driver

    async def _run(
        self, flow: Flow[T], second_factor: AsyncSecondFactorCallback | None = None
    ) -> T:
        result: object = None
        try:
            while True:
                effect = flow.send(result)
                if isinstance(effect, Request):
                    result = await self._send(effect)
                elif isinstance(effect, AskSecondFactor):
                    callback = second_factor or self._second_factor
                    if callback is None:
                        raise AurexError("login needs a second_factor callback")
                    code = callback(effect.kind)
                    result = await code if inspect.isawaitable(code) else code
                elif isinstance(effect, RefreshTokens):
                    async with self._refresh_lock:
                        if self._session.generation == effect.generation:
                            await self._run(self._session.refresh())
                    result = None
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            flow.close()

    async def _send(self, request: Request) -> Reply:
        try:
            response = await self._http.request(
                request.method,
                request.path,
                params=dict(request.params),
                json=request.json,
                headers=dict(request.headers),
            )
        except httpx.TransportError as exc:
            raise TransportError(f"{request.method} {request.path}: {exc!r}") from exc
        return Reply(response.status_code, response.headers, response.content)

    # ------------------------------------------------------------------ auth

    @property
    def session(self) -> Session:
        """Token state: ``session.credentials`` holds the current tokens."""
        return self._session

    async def login(
        self,
        email: str,
        password: str,
        second_factor: AsyncSecondFactorCallback | None = None,
    ) -> Tokens:
        """Log in with the password and the second factor's code from the callback."""
        return await self._run(self._session.login(email, password), second_factor)

    async def refresh(self) -> Tokens:
        """A new access token now (calls also refresh by themselves when needed)."""
        return await self._run(self._session.refresh())

    async def logout(self) -> None:
        await self._run(self._session.logout())

    async def signup(
        self, email: str, password: str, first_name: str, last_name: str, country: str = "US"
    ) -> SignupResult:
        """Create an account; a verification link is mailed."""
        return await self._run(
            self._session.signup(email, password, first_name, last_name, country)
        )

    async def verify_email(self, token: str) -> None:
        await self._run(self._session.verify_email(token))

    async def access_token(self) -> str:
        """The current access token, refreshed first if it is about to end."""
        return await self._run(self._session.fresh_access_token())

    def stream(self, **options: Any) -> AurexStream:
        """The WebSocket of this server; after ``login`` it authenticates (and
        re-authenticates after reconnecting) with this client's fresh access token."""
        token = self.access_token if self._session.logged_in else None
        return AurexStream(websocket_url(self.base_url), token=token, **options)

    # ------------------------------------------------------------------ calls

    place_order = _call(Calls.place_order)
    get_order = _call(Calls.get_order)
    get_order_by_client_id = _call(Calls.get_order_by_client_id)
    list_orders = _call(Calls.list_orders)
    amend_order = _call(Calls.amend_order)
    cancel_order = _call(Calls.cancel_order)
    cancel_all = _call(Calls.cancel_all)
    list_fills = _call(Calls.list_fills)
    account = _call(Calls.account)
    positions = _call(Calls.positions)
    symbols = _call(Calls.symbols)
    tickers = _call(Calls.tickers)
    ticker = _call(Calls.ticker)
    depth = _call(Calls.depth)
    trades = _call(Calls.trades)
    candles = _call(Calls.candles)
    index = _call(Calls.index)
    index_history = _call(Calls.index_history)

    async def iter_orders(
        self,
        *,
        status: OrderStatusFilter = "all",
        symbol: str | None = None,
        side: Side | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Order]:
        """Every matching order, newest first, fetching page after page."""
        cursor: str | None = None
        while True:
            page = await self.list_orders(
                status=status, symbol=symbol, side=side, cursor=cursor, limit=page_size
            )
            for order in page.items:
                yield order
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def iter_fills(
        self,
        *,
        symbol: str | None = None,
        order_id: int | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[Fill]:
        """Every matching fill, newest first, fetching page after page."""
        cursor: str | None = None
        while True:
            page = await self.list_fills(
                symbol=symbol, order_id=order_id, cursor=cursor, limit=page_size
            )
            for fill in page.items:
                yield fill
            if page.next_cursor is None:
                return
            cursor = page.next_cursor
