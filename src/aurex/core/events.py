"""Events: what happened, in past tense. The core's only output.

Fields are positional in declaration order (the hot path builds events
positionally: keyword passing costs ~0.5 us per event in CPython 3.11); other
code should pass them by keyword for readability.

Book effects are explicit so projections never re-run matching:
``OrderRested`` adds quantity to a price level; ``TradeExecuted`` removes it from
the maker's level; ``OrderCancelled``/``OrderExpired`` with ``was_resting`` remove
the remainder; ``OrderAmended`` removes ``old_remaining`` at ``old_price_ticks``
and, when ``kept_priority``, puts ``remaining`` back at ``price_ticks`` in place
(otherwise any re-rested remainder follows as ``OrderRested``).
"""

from __future__ import annotations

from dataclasses import dataclass

from aurex.core.codes import RejectCode
from aurex.core.model import CancelReason, OrderType, Side, TimeInForce


@dataclass(slots=True)
class Event:
    seq: int
    ts_ns: int


@dataclass(slots=True)
class OrderAccepted(Event):
    order_id: int
    account: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    tif: TimeInForce
    quantity: int
    price_ticks: int
    stop_price_ticks: int
    post_only: bool


@dataclass(slots=True)
class OrderAlreadyAccepted(Event):
    """A PlaceOrder repeated the client order id of an open order; nothing changed.

    ``order_id`` is that open order's (an idempotent retry). Ids of ended orders are
    free: placing one again creates a new order.
    """

    order_id: int
    account: str
    client_order_id: str


@dataclass(slots=True)
class OrderRejected(Event):
    account: str
    client_order_id: str
    symbol: str
    code: RejectCode
    reason: str


@dataclass(slots=True)
class CommandRejected(Event):
    """A non-order command (cancel, amend, deposit, admin) was refused."""

    command: str
    account: str
    code: RejectCode
    reason: str


@dataclass(slots=True)
class OrderRested(Event):
    order_id: int
    account: str
    symbol: str
    side: Side
    price_ticks: int
    quantity: int


@dataclass(slots=True)
class TradeExecuted(Event):
    trade_id: int
    symbol: str
    price_ticks: int
    quantity: int
    buy_order_id: int
    sell_order_id: int
    buyer: str
    seller: str
    aggressor: Side
    buy_remaining: int
    sell_remaining: int


@dataclass(slots=True)
class OrderCancelled(Event):
    order_id: int
    account: str
    symbol: str
    side: Side
    price_ticks: int
    remaining: int
    reason: CancelReason
    was_resting: bool


@dataclass(slots=True)
class OrderExpired(Event):
    order_id: int
    account: str
    symbol: str
    side: Side
    price_ticks: int
    remaining: int
    was_resting: bool


@dataclass(slots=True)
class OrderAmended(Event):
    order_id: int
    account: str
    symbol: str
    side: Side
    price_ticks: int
    quantity: int
    remaining: int
    old_price_ticks: int
    old_remaining: int
    kept_priority: bool


@dataclass(slots=True)
class OrderTriggered(Event):
    """A stop order's trigger price was reached; it now trades as market or limit."""

    order_id: int
    account: str
    symbol: str


@dataclass(slots=True)
class FundsDeposited(Event):
    account: str
    cash_cents: int
    symbol: str
    shares: int


@dataclass(slots=True)
class FundsWithdrawn(Event):
    account: str
    cash_cents: int
    symbol: str
    shares: int


@dataclass(slots=True)
class LimitsSet(Event):
    account: str
    max_order_quantity: int
    max_notional_cents: int
    max_open_orders: int
    max_orders_per_day: int


@dataclass(slots=True)
class SymbolAdded(Event):
    symbol: str
    name: str
    reference_price_ticks: int
    shares_outstanding: int
    tick_size_ticks: int
    lot_size: int
    price_band_bps: int


@dataclass(slots=True)
class SymbolHalted(Event):
    symbol: str


@dataclass(slots=True)
class SymbolResumed(Event):
    symbol: str


@dataclass(slots=True)
class DayEnded(Event):
    """Closing prices per symbol (last trade, or the reference price if none)."""

    closing_prices: dict[str, int]


@dataclass(slots=True)
class ReferencePriceSet(Event):
    """An administrator moved a symbol's reference price; the band moved with it."""

    symbol: str
    reference_price_ticks: int
    price_band_bps: int
    band_low_ticks: int
    band_high_ticks: int


@dataclass(slots=True)
class SymbolDelisted(Event):
    """A symbol left the exchange (its open orders were cancelled just before)."""

    symbol: str
