"""``AurexClient``: the blocking client, running the shared flows over ``httpx.Client``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Concatenate, ParamSpec, TypeVar

import httpx

from aurex.client._calls import Calls
from aurex.client._errors import AurexError, TransportError
from aurex.client._models import Fill, Order, OrderStatusFilter, Side, SignupResult, Tokens
from aurex.client._protocol import AskSecondFactor, Flow, RefreshTokens, Reply, Request
from aurex.client._session import Session

P = ParamSpec("P")
T = TypeVar("T")

SecondFactorCallback = Callable[[str], str]
"""Gets the second factor's type (``"email"`` or ``"totp"``), returns the code."""


def _call(
    flow: Callable[Concatenate[Calls, P], Flow[T]],
) -> Callable[Concatenate[AurexClient, P], T]:
    """A blocking method running the shared flow of the same name."""

    def method(self: AurexClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run(flow(self._calls, *args, **kwargs))

    method.__name__ = flow.__name__
    method.__doc__ = flow.__doc__
    return method


class AurexClient:
    """A blocking Aurex client. Use as a context manager, or call ``close()``.

    ``second_factor`` is called during ``login`` with the second factor's type and
    returns the code (from the user, an authenticator, a mailbox...).
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:3000",
        *,
        second_factor: SecondFactorCallback | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)
        self._session = Session(clock)
        self._calls = Calls(self._session)
        self._second_factor = second_factor
        self._refresh_lock = threading.Lock()

    def __enter__(self) -> AurexClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ driver

    def _run(self, flow: Flow[T], second_factor: SecondFactorCallback | None = None) -> T:
        result: object = None
        try:
            while True:
                effect = flow.send(result)
                if isinstance(effect, Request):
                    result = self._send(effect)
                elif isinstance(effect, AskSecondFactor):
                    callback = second_factor or self._second_factor
                    if callback is None:
                        raise AurexError("login needs a second_factor callback")
                    result = callback(effect.kind)
                elif isinstance(effect, RefreshTokens):
                    with self._refresh_lock:
                        if self._session.generation == effect.generation:
                            self._run(self._session.refresh())
                    result = None
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            flow.close()

    def _send(self, request: Request) -> Reply:
        try:
            response = self._http.request(
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

    def login(
        self, email: str, password: str, second_factor: SecondFactorCallback | None = None
    ) -> Tokens:
        """Log in with the password and the second factor's code from the callback."""
        return self._run(self._session.login(email, password), second_factor)

    def refresh(self) -> Tokens:
        """A new access token now (calls also refresh by themselves when needed)."""
        return self._run(self._session.refresh())

    def logout(self) -> None:
        self._run(self._session.logout())

    def signup(
        self, email: str, password: str, first_name: str, last_name: str, country: str = "US"
    ) -> SignupResult:
        """Create an account; a verification link is mailed."""
        return self._run(self._session.signup(email, password, first_name, last_name, country))

    def verify_email(self, token: str) -> None:
        self._run(self._session.verify_email(token))

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

    def iter_orders(
        self,
        *,
        status: OrderStatusFilter = "all",
        symbol: str | None = None,
        side: Side | None = None,
        page_size: int | None = None,
    ) -> Iterator[Order]:
        """Every matching order, newest first, fetching page after page."""
        cursor: str | None = None
        while True:
            page = self.list_orders(
                status=status, symbol=symbol, side=side, cursor=cursor, limit=page_size
            )
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def iter_fills(
        self,
        *,
        symbol: str | None = None,
        order_id: int | None = None,
        page_size: int | None = None,
    ) -> Iterator[Fill]:
        """Every matching fill, newest first, fetching page after page."""
        cursor: str | None = None
        while True:
            page = self.list_fills(symbol=symbol, order_id=order_id, cursor=cursor, limit=page_size)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor
