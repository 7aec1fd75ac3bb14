"""Typed queries of the engine port and the plain data they answer with.

Each query names its answer type (``Query[T]``), so ``await engine.query(GetOrder(...))``
is typed. Queries and answers are immutable plain data: they can cross a process
boundary when symbols are sharded (DESIGN §3a).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from aurex.marketdata import CandleBar, DepthSnapshot, IndexView, TickerView, TradePrint
from aurex.readside import OrderState

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Query(Generic[T]):
    """Base of every engine query; ``T`` is the answer."""


# -- orders and accounts ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetOrder(Query[OrderState | None]):
    """One order of ``account`` by exchange id, or by client order id when ``order_id`` is 0.

    Answers from live and recently ended orders; older history is in the database.
    """

    account: str
    order_id: int = 0
    client_order_id: str = ""


@dataclass(frozen=True, slots=True)
class OpenOrders(Query[tuple[OrderState, ...]]):
    """Live orders of ``account`` (optionally one symbol), oldest first."""

    account: str
    symbol: str = ""


@dataclass(frozen=True, slots=True)
class PositionView:
    symbol: str
    shares: int
    held_shares: int

    @property
    def available_shares(self) -> int:
        return self.shares - self.held_shares


@dataclass(frozen=True, slots=True)
class AccountLimits:
    max_order_quantity: int
    max_notional_cents: int
    max_open_orders: int
    max_orders_per_day: int


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """An exchange account as of the last durable command."""

    account: str
    cash_cents: int
    cash_held_cents: int
    positions: tuple[PositionView, ...]
    open_orders: int
    orders_today: int
    limits: AccountLimits

    @property
    def buying_power_cents(self) -> int:
        return self.cash_cents - self.cash_held_cents


@dataclass(frozen=True, slots=True)
class GetAccount(Query[AccountSnapshot | None]):
    account: str


# -- market data --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """A listed symbol's trading rules. Prices in ticks; the band is for limit prices."""

    symbol: str
    name: str
    tick_size_ticks: int
    lot_size: int
    price_band_bps: int
    band_low_ticks: int
    band_high_ticks: int
    reference_price_ticks: int
    last_price_ticks: int
    shares_outstanding: int
    halted: bool


@dataclass(frozen=True, slots=True)
class ListSymbols(Query[tuple[SymbolInfo, ...]]):
    """Every listed symbol, in listing order."""


@dataclass(frozen=True, slots=True)
class GetSymbol(Query[SymbolInfo | None]):
    symbol: str


@dataclass(frozen=True, slots=True)
class GetTicker(Query[TickerView | None]):
    symbol: str


@dataclass(frozen=True, slots=True)
class ListTickers(Query[tuple[TickerView, ...]]):
    """Tickers of every symbol, in listing order."""


@dataclass(frozen=True, slots=True)
class GetDepth(Query[DepthSnapshot | None]):
    """Best ``levels`` per side (all when None); None for an unknown symbol."""

    symbol: str
    levels: int | None = 10


@dataclass(frozen=True, slots=True)
class RecentTrades(Query[tuple[TradePrint, ...] | None]):
    """Newest first; None for an unknown symbol."""

    symbol: str
    limit: int = 100


@dataclass(frozen=True, slots=True)
class GetCandles(Query[tuple[CandleBar, ...] | None]):
    """Oldest first; None for an unknown symbol. ``interval`` is one of ``INTERVALS``."""

    symbol: str
    interval: str
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class GetIndex(Query[IndexView | None]):
    """The index now, or None before any symbol is listed."""


@dataclass(frozen=True, slots=True)
class IndexPoint:
    ts_ns: int
    value_hundredths: int


@dataclass(frozen=True, slots=True)
class IndexHistory(Query[tuple[IndexPoint, ...]]):
    """The index's intraday history, oldest first (at most one point per second)."""

    limit: int | None = None
