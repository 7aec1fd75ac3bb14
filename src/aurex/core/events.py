"""Events: what happened, in past tense. The core's only output.

Fields are positional in declaration order (the hot path builds events
positionally: keyword passing costs ~0.5 us per event in CPython 3.11); other
code should pass them by keyword for readability. Every class spells out its
``__init__``: mypyc compiles an explicit one, while the one ``@dataclass``
generates would run interpreted (the decorator still adds ``__eq__``/``__repr__``).

Book effects are explicit so projections never re-run matching:
``OrderRested`` adds quantity to a price level; ``TradeExecuted`` removes it from
the maker's level; ``OrderCancelled``/``OrderExpired`` with ``was_resting`` remove
the remainder; ``OrderAmended`` removes ``old_remaining`` at ``old_price_ticks``
and, when ``kept_priority``, puts ``remaining`` back at ``price_ticks`` in place
(otherwise any re-rested remainder follows as ``OrderRested``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from aurex.core.codes import RejectCode
from aurex.core.model import CancelReason, OrderType, Side, TimeInForce


@dataclass(slots=True)
class Event:
    seq: int
    ts_ns: int

    def __init__(self, seq: int, ts_ns: int) -> None:
        self.seq = seq
        self.ts_ns = ts_ns

    def __reduce__(self) -> tuple[Any, ...]:
        # copy and pickle rebuild through the constructor: a compiled (mypyc) class
        # cannot be created empty and filled in afterwards.
        return type(self), tuple(getattr(self, f.name) for f in fields(self))


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

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        order_id: int,
        account: str,
        client_order_id: str,
        symbol: str,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        quantity: int,
        price_ticks: int,
        stop_price_ticks: int,
        post_only: bool,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.order_id = order_id
        self.account = account
        self.client_order_id = client_order_id
        self.symbol = symbol
        self.side = side
        self.order_type = order_type
        self.tif = tif
        self.quantity = quantity
        self.price_ticks = price_ticks
        self.stop_price_ticks = stop_price_ticks
        self.post_only = post_only


@dataclass(slots=True)
class OrderAlreadyAccepted(Event):
    """A PlaceOrder repeated the client order id of an open order; nothing changed.

    ``order_id`` is that open order's (an idempotent retry). Ids of ended orders are
    free: placing one again creates a new order.
    """

    order_id: int
    account: str
    client_order_id: str

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        order_id: int,
        account: str,
        client_order_id: str,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.order_id = order_id
        self.account = account
        self.client_order_id = client_order_id


@dataclass(slots=True)
class OrderRejected(Event):
    account: str
    client_order_id: str
    symbol: str
    code: RejectCode
    reason: str

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        account: str,
        client_order_id: str,
        symbol: str,
        code: RejectCode,
        reason: str,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.client_order_id = client_order_id
        self.symbol = symbol
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class CommandRejected(Event):
    """A non-order command (cancel, amend, deposit, admin) was refused."""

    command: str
    account: str
    code: RejectCode
    reason: str

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        command: str,
        account: str,
        code: RejectCode,
        reason: str,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.command = command
        self.account = account
        self.code = code
        self.reason = reason


@dataclass(slots=True)
class OrderRested(Event):
    order_id: int
    account: str
    symbol: str
    side: Side
    price_ticks: int
    quantity: int

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        order_id: int,
        account: str,
        symbol: str,
        side: Side,
        price_ticks: int,
        quantity: int,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.order_id = order_id
        self.account = account
        self.symbol = symbol
        self.side = side
        self.price_ticks = price_ticks
        self.quantity = quantity


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

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        trade_id: int,
        symbol: str,
        price_ticks: int,
        quantity: int,
        buy_order_id: int,
        sell_order_id: int,
        buyer: str,
        seller: str,
        aggressor: Side,
        buy_remaining: int,
        sell_remaining: int,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.trade_id = trade_id
        self.symbol = symbol
        self.price_ticks = price_ticks
        self.quantity = quantity
        self.buy_order_id = buy_order_id
        self.sell_order_id = sell_order_id
        self.buyer = buyer
        self.seller = seller
        self.aggressor = aggressor
        self.buy_remaining = buy_remaining
        self.sell_remaining = sell_remaining


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

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        order_id: int,
        account: str,
        symbol: str,
        side: Side,
        price_ticks: int,
        remaining: int,
        reason: CancelReason,
        was_resting: bool,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.order_id = order_id
        self.account = account
        self.symbol = symbol
        self.side = side
        self.price_ticks = price_ticks
        self.remaining = remaining
        self.reason = reason
        self.was_resting = was_resting


@dataclass(slots=True)
class OrderExpired(Event):
    order_id: int
    account: str
    symbol: str
    side: Side
    price_ticks: int
    remaining: int
    was_resting: bool

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        order_id: int,
        account: str,
        symbol: str,
        side: Side,
        price_ticks: int,
        remaining: int,
        was_resting: bool,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.order_id = order_id
        self.account = account
        self.symbol = symbol
        self.side = side
        self.price_ticks = price_ticks
        self.remaining = remaining
        self.was_resting = was_resting


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

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        order_id: int,
        account: str,
        symbol: str,
        side: Side,
        price_ticks: int,
        quantity: int,
        remaining: int,
        old_price_ticks: int,
        old_remaining: int,
        kept_priority: bool,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.order_id = order_id
        self.account = account
        self.symbol = symbol
        self.side = side
        self.price_ticks = price_ticks
        self.quantity = quantity
        self.remaining = remaining
        self.old_price_ticks = old_price_ticks
        self.old_remaining = old_remaining
        self.kept_priority = kept_priority


@dataclass(slots=True)
class OrderTriggered(Event):
    """A stop order's trigger price was reached; it now trades as market or limit."""

    order_id: int
    account: str
    symbol: str

    def __init__(self, seq: int, ts_ns: int, order_id: int, account: str, symbol: str) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.order_id = order_id
        self.account = account
        self.symbol = symbol


@dataclass(slots=True)
class FundsDeposited(Event):
    account: str
    cash_cents: int
    symbol: str
    shares: int

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        account: str,
        cash_cents: int,
        symbol: str,
        shares: int,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.cash_cents = cash_cents
        self.symbol = symbol
        self.shares = shares


@dataclass(slots=True)
class FundsWithdrawn(Event):
    account: str
    cash_cents: int
    symbol: str
    shares: int

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        account: str,
        cash_cents: int,
        symbol: str,
        shares: int,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.cash_cents = cash_cents
        self.symbol = symbol
        self.shares = shares


@dataclass(slots=True)
class LimitsSet(Event):
    account: str
    max_order_quantity: int
    max_notional_cents: int
    max_open_orders: int
    max_orders_per_day: int

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        account: str,
        max_order_quantity: int,
        max_notional_cents: int,
        max_open_orders: int,
        max_orders_per_day: int,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.max_order_quantity = max_order_quantity
        self.max_notional_cents = max_notional_cents
        self.max_open_orders = max_open_orders
        self.max_orders_per_day = max_orders_per_day


@dataclass(slots=True)
class SymbolAdded(Event):
    symbol: str
    name: str
    reference_price_ticks: int
    shares_outstanding: int
    tick_size_ticks: int
    lot_size: int
    price_band_bps: int

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        symbol: str,
        name: str,
        reference_price_ticks: int,
        shares_outstanding: int,
        tick_size_ticks: int,
        lot_size: int,
        price_band_bps: int,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol
        self.name = name
        self.reference_price_ticks = reference_price_ticks
        self.shares_outstanding = shares_outstanding
        self.tick_size_ticks = tick_size_ticks
        self.lot_size = lot_size
        self.price_band_bps = price_band_bps


@dataclass(slots=True)
class SymbolHalted(Event):
    symbol: str

    def __init__(self, seq: int, ts_ns: int, symbol: str) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol


@dataclass(slots=True)
class SymbolResumed(Event):
    symbol: str

    def __init__(self, seq: int, ts_ns: int, symbol: str) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol


@dataclass(slots=True)
class DayEnded(Event):
    """Closing prices per symbol (last trade, or the reference price if none)."""

    closing_prices: dict[str, int]

    def __init__(self, seq: int, ts_ns: int, closing_prices: dict[str, int]) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.closing_prices = closing_prices


@dataclass(slots=True)
class ReferencePriceSet(Event):
    """An administrator moved a symbol's reference price; the band moved with it."""

    symbol: str
    reference_price_ticks: int
    price_band_bps: int
    band_low_ticks: int
    band_high_ticks: int

    def __init__(
        self,
        seq: int,
        ts_ns: int,
        symbol: str,
        reference_price_ticks: int,
        price_band_bps: int,
        band_low_ticks: int,
        band_high_ticks: int,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol
        self.reference_price_ticks = reference_price_ticks
        self.price_band_bps = price_band_bps
        self.band_low_ticks = band_low_ticks
        self.band_high_ticks = band_high_ticks


@dataclass(slots=True)
class SymbolDelisted(Event):
    """A symbol left the exchange (its open orders were cancelled just before)."""

    symbol: str

    def __init__(self, seq: int, ts_ns: int, symbol: str) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol
