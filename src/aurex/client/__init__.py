"""The Python client of Aurex: REST (sync ``AurexClient``, async ``AsyncAurexClient``)
and the WebSocket (``AurexStream``, async), typed, with prices as ``Decimal``.

This package imports nothing else from ``aurex``: it needs only httpx, websockets and
msgspec, so traders can install and use it on its own.

    with AurexClient("http://127.0.0.1:3000", second_factor=lambda kind: input(kind)) as c:
        c.login("ann@example.com", "Str0ng!Passw0rd")
        placed = c.place_order("AAPL", "buy", 10, price="234.50")
"""

from aurex.client._async import AsyncAurexClient
from aurex.client._book import BookChange, LocalBook
from aurex.client._calls import new_client_order_id
from aurex.client._errors import (
    ApiError,
    AurexError,
    AuthenticationError,
    Conflict,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
)
from aurex.client._models import (
    Account,
    Candle,
    Constituent,
    Depth,
    Execution,
    Fill,
    Index,
    IndexHistory,
    IndexPoint,
    Level,
    Order,
    OrderResult,
    Page,
    Position,
    SignupResult,
    SymbolInfo,
    Ticker,
    Tokens,
    Trade,
)
from aurex.client._stream import AurexStream, websocket_url
from aurex.client._stream_protocol import (
    BookEvent,
    BookGapEvent,
    CandleEvent,
    ConnectionEvent,
    ErrorEvent,
    FillEvent,
    HeartbeatEvent,
    IndexEvent,
    OrderEvent,
    StreamEvent,
    TickerEvent,
    TradesEvent,
)
from aurex.client._sync import AurexClient

__all__ = [
    "Account",
    "ApiError",
    "AsyncAurexClient",
    "AurexClient",
    "AurexError",
    "AurexStream",
    "AuthenticationError",
    "BookChange",
    "BookEvent",
    "BookGapEvent",
    "Candle",
    "CandleEvent",
    "Conflict",
    "ConnectionEvent",
    "Constituent",
    "Depth",
    "ErrorEvent",
    "Execution",
    "Fill",
    "FillEvent",
    "HeartbeatEvent",
    "Index",
    "IndexEvent",
    "IndexHistory",
    "IndexPoint",
    "InvalidRequest",
    "Level",
    "LocalBook",
    "NotFound",
    "Order",
    "OrderEvent",
    "OrderResult",
    "Page",
    "PermissionDenied",
    "Position",
    "RateLimited",
    "ServerError",
    "SignupResult",
    "StreamEvent",
    "SymbolInfo",
    "Ticker",
    "TickerEvent",
    "Tokens",
    "Trade",
    "TradesEvent",
    "TransportError",
    "new_client_order_id",
    "websocket_url",
]
