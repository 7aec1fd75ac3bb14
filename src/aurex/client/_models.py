"""Typed answers of the Aurex API, decoded straight from JSON with msgspec.

Prices and money are ``decimal.Decimal`` (the server sends decimal strings such as
``"234.50"``), quantities are ``int``, times are ``int`` milliseconds since the epoch.
Unknown fields are ignored, so a newer server does not break an older client.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Literal, TypeVar

import msgspec

Side = Literal["buy", "sell"]
OrderType = Literal["market", "limit", "stop", "stop_limit"]
TimeInForce = Literal["gtc", "day", "ioc", "fok"]
SelfTradePrevention = Literal["cancel_newest", "cancel_oldest", "cancel_both"]
OrderStatusFilter = Literal["open", "closed", "all"]
CandleInterval = Literal["1m", "5m", "15m", "1h", "1d"]

OPEN_STATUSES = frozenset({"new", "partially_filled", "pending_trigger"})


class _Model(msgspec.Struct, rename="camel", frozen=True, kw_only=True):
    """Base of every answer: camelCase on the wire, immutable in Python."""


# -- auth -------------------------------------------------------------------------


class LoginChallenge(_Model, frozen=True, kw_only=True):
    success: bool
    requires_two_factor: bool = True
    two_factor_type: str = "email"
    """``"email"`` (a code was mailed) or ``"totp"`` (authenticator app or backup code)."""


class Tokens(_Model, frozen=True, kw_only=True):
    success: bool
    session_token: str
    trading_token: str
    expires_in: int
    trading_expires_in: int


class SignupResult(_Model, frozen=True, kw_only=True):
    success: bool
    user_id: str
    message: str = ""


# -- orders and accounts ----------------------------------------------------------


class Order(_Model, frozen=True, kw_only=True):
    order_id: int
    client_order_id: str
    symbol: str
    side: Side
    type: str
    time_in_force: str
    post_only: bool = False
    quantity: int
    price: Decimal | None = None
    stop_price: Decimal | None = None
    status: str
    """new, partially_filled, pending_trigger, filled, cancelled, expired or rejected."""
    filled_quantity: int
    leaves_quantity: int
    average_price: Decimal | None = None
    cancel_reason: str | None = None
    reject_code: int | None = None
    reject_reason: str | None = None
    created_at: int
    updated_at: int

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Execution(_Model, frozen=True, kw_only=True):
    """A fill of an order, as returned with the order that caused it."""

    trade_id: int
    price: Decimal
    quantity: int
    liquidity: Literal["maker", "taker"]


class Fill(_Model, frozen=True, kw_only=True):
    trade_id: int
    order_id: int
    client_order_id: str
    symbol: str
    side: Side
    price: Decimal
    quantity: int
    liquidity: Literal["maker", "taker"]
    order_filled_quantity: int
    order_leaves_quantity: int
    timestamp: int


class Position(_Model, frozen=True, kw_only=True):
    symbol: str
    shares: int
    held_shares: int
    available_shares: int


class Account(_Model, frozen=True, kw_only=True):
    """``GET /api/account``: the profile, cash in cents and positions."""

    user_id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    country: str = ""
    role: str = "trader"
    email_verified: bool = False
    two_factor_type: str = "email"
    cash_cents: int
    cash_held_cents: int
    buying_power_cents: int
    positions: list[Position] = []

    @property
    def cash(self) -> Decimal:
        return Decimal(self.cash_cents).scaleb(-2)

    @property
    def buying_power(self) -> Decimal:
        return Decimal(self.buying_power_cents).scaleb(-2)


@dataclass(frozen=True, slots=True)
class OrderResult:
    """The answer to placing or amending an order. ``created`` is False when the server
    recognised a retried client order id and answered with the original order."""

    order: Order
    fills: list[Execution]
    created: bool


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; pass ``next_cursor`` back for the next (None: last page)."""

    items: list[T]
    next_cursor: str | None


class OrderAnswer(_Model, frozen=True, kw_only=True):
    order: Order
    fills: list[Execution] = []


class OrdersPage(_Model, frozen=True, kw_only=True):
    orders: list[Order]
    next_cursor: str | None = None


class FillsPage(_Model, frozen=True, kw_only=True):
    fills: list[Fill]
    next_cursor: str | None = None


class CancelledOrders(_Model, frozen=True, kw_only=True):
    cancelled: list[Order]


class Positions(_Model, frozen=True, kw_only=True):
    positions: list[Position]


# -- market data ----------------------------------------------------------------------


class SymbolInfo(_Model, frozen=True, kw_only=True):
    symbol: str
    name: str
    tick_size: Decimal
    lot_size: int
    price_band_bps: int
    band_low: Decimal
    band_high: Decimal
    reference_price: Decimal
    last_price: Decimal | None = None
    shares_outstanding: int = 0
    status: str = "trading"


class Ticker(_Model, frozen=True, kw_only=True):
    symbol: str
    name: str = ""
    last: Decimal | None = None
    last_quantity: int = 0
    bid: Decimal | None = None
    bid_quantity: int = 0
    ask: Decimal | None = None
    ask_quantity: int = 0
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    volume: int = 0
    turnover: Decimal = Decimal(0)
    vwap: Decimal | None = None
    trade_count: int = 0
    previous_close: Decimal | None = None
    change: Decimal = Decimal(0)
    change_percent: Decimal = Decimal(0)
    halted: bool = False
    timestamp: int = 0


class Level(_Model, frozen=True, kw_only=True):
    price: Decimal
    quantity: int


class Depth(_Model, frozen=True, kw_only=True):
    symbol: str
    seq: int
    bids: list[Level]
    asks: list[Level]


class Trade(_Model, frozen=True, kw_only=True):
    trade_id: int
    symbol: str
    price: Decimal
    quantity: int
    aggressor: Side
    timestamp: int


class Candle(_Model, frozen=True, kw_only=True):
    symbol: str
    interval: str
    start: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    trade_count: int


class Constituent(_Model, frozen=True, kw_only=True):
    symbol: str
    price: Decimal
    weight: Decimal
    contribution: Decimal
    change_percent: Decimal


class Index(_Model, frozen=True, kw_only=True):
    name: str
    value: Decimal
    change: Decimal
    change_percent: Decimal
    day_open: Decimal
    day_high: Decimal
    day_low: Decimal
    timestamp: int
    constituents: list[Constituent] = []


class IndexPoint(_Model, frozen=True, kw_only=True):
    timestamp: int
    value: Decimal


class IndexHistory(_Model, frozen=True, kw_only=True):
    name: str
    points: list[IndexPoint]


class SymbolList(_Model, frozen=True, kw_only=True):
    symbols: list[SymbolInfo]


class TickerList(_Model, frozen=True, kw_only=True):
    tickers: list[Ticker]


class TradeList(_Model, frozen=True, kw_only=True):
    symbol: str
    trades: list[Trade]


class CandleList(_Model, frozen=True, kw_only=True):
    symbol: str
    interval: str
    candles: list[Candle]
