"""Commands: the only way to change the exchange. Imperative names.

The sequencer stamps ``seq`` and ``ts_ns`` before a command is journalled and
applied; the core never reads a clock. Prices are integer ticks (cents), cash is
integer cents, quantities are whole shares. Zero means "not given" for optional
prices. Each class spells out its keyword-only ``__init__`` because mypyc compiles
an explicit one, not the one ``@dataclass`` would generate.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from aurex.core.model import OrderType, Side, StpMode, TimeInForce


def _rebuild(cls: type[Command], values: dict[str, Any]) -> Command:
    """A command from its field values, through the constructor (see ``__reduce__``)."""
    return cls(**values)


@dataclass(slots=True, kw_only=True)
class Command:
    seq: int = 0
    ts_ns: int = 0

    def __init__(self, *, seq: int = 0, ts_ns: int = 0) -> None:
        self.seq = seq
        self.ts_ns = ts_ns

    def __reduce__(self) -> tuple[Any, ...]:
        # copy and pickle rebuild through the constructor: a compiled (mypyc) class
        # cannot be created empty and filled in afterwards.
        return _rebuild, (type(self), {f.name: getattr(self, f.name) for f in fields(self)})


@dataclass(slots=True, kw_only=True)
class PlaceOrder(Command):
    """Enter a new order.

    ``client_order_id`` is unique among the account's open orders (resting or
    waiting for a stop trigger): repeating the id of an open order changes nothing
    and answers ``OrderAlreadyAccepted`` with the original order id (an idempotent
    retry); once that order is filled, cancelled or expired, its id may be used again.
    """

    account: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    tif: TimeInForce = TimeInForce.GTC
    price_ticks: int = 0
    stop_price_ticks: int = 0
    post_only: bool = False
    stp: StpMode = StpMode.CANCEL_NEWEST

    def __init__(
        self,
        *,
        seq: int = 0,
        ts_ns: int = 0,
        account: str,
        client_order_id: str,
        symbol: str,
        side: Side,
        order_type: OrderType,
        quantity: int,
        tif: TimeInForce = TimeInForce.GTC,
        price_ticks: int = 0,
        stop_price_ticks: int = 0,
        post_only: bool = False,
        stp: StpMode = StpMode.CANCEL_NEWEST,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.client_order_id = client_order_id
        self.symbol = symbol
        self.side = side
        self.order_type = order_type
        self.quantity = quantity
        self.tif = tif
        self.price_ticks = price_ticks
        self.stop_price_ticks = stop_price_ticks
        self.post_only = post_only
        self.stp = stp


@dataclass(slots=True, kw_only=True)
class CancelOrder(Command):
    """Cancel by exchange order id, or by client order id when ``order_id`` is 0."""

    account: str
    order_id: int = 0
    client_order_id: str = ""

    def __init__(
        self,
        *,
        seq: int = 0,
        ts_ns: int = 0,
        account: str,
        order_id: int = 0,
        client_order_id: str = "",
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.order_id = order_id
        self.client_order_id = client_order_id


@dataclass(slots=True, kw_only=True)
class AmendOrder(Command):
    """Change a resting limit order. ``quantity`` is the new total; 0 keeps a field."""

    account: str
    order_id: int
    quantity: int = 0
    price_ticks: int = 0

    def __init__(
        self,
        *,
        seq: int = 0,
        ts_ns: int = 0,
        account: str,
        order_id: int,
        quantity: int = 0,
        price_ticks: int = 0,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.order_id = order_id
        self.quantity = quantity
        self.price_ticks = price_ticks


@dataclass(slots=True, kw_only=True)
class CancelAll(Command):
    """Cancel every open order of an account, optionally only in one symbol."""

    account: str
    symbol: str = ""

    def __init__(self, *, seq: int = 0, ts_ns: int = 0, account: str, symbol: str = "") -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.symbol = symbol


@dataclass(slots=True, kw_only=True)
class Deposit(Command):
    """Credit cash (``symbol`` empty) or shares of ``symbol``; opens the account if new."""

    account: str
    cash_cents: int = 0
    symbol: str = ""
    shares: int = 0

    def __init__(
        self,
        *,
        seq: int = 0,
        ts_ns: int = 0,
        account: str,
        cash_cents: int = 0,
        symbol: str = "",
        shares: int = 0,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.cash_cents = cash_cents
        self.symbol = symbol
        self.shares = shares


@dataclass(slots=True, kw_only=True)
class Withdraw(Command):
    """Debit available cash or available shares."""

    account: str
    cash_cents: int = 0
    symbol: str = ""
    shares: int = 0

    def __init__(
        self,
        *,
        seq: int = 0,
        ts_ns: int = 0,
        account: str,
        cash_cents: int = 0,
        symbol: str = "",
        shares: int = 0,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.account = account
        self.cash_cents = cash_cents
        self.symbol = symbol
        self.shares = shares


@dataclass(slots=True, kw_only=True)
class SetLimits(Command):
    """Per-account risk limits; each must be positive."""

    account: str
    max_order_quantity: int
    max_notional_cents: int
    max_open_orders: int
    max_orders_per_day: int

    def __init__(
        self,
        *,
        seq: int = 0,
        ts_ns: int = 0,
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


@dataclass(slots=True, kw_only=True)
class AddSymbol(Command):
    """List a symbol. ``price_band_bps`` bounds limit prices around the reference price."""

    symbol: str
    name: str
    reference_price_ticks: int
    shares_outstanding: int
    tick_size_ticks: int = 1
    lot_size: int = 1
    price_band_bps: int = 2000

    def __init__(
        self,
        *,
        seq: int = 0,
        ts_ns: int = 0,
        symbol: str,
        name: str,
        reference_price_ticks: int,
        shares_outstanding: int,
        tick_size_ticks: int = 1,
        lot_size: int = 1,
        price_band_bps: int = 2000,
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


@dataclass(slots=True, kw_only=True)
class HaltSymbol(Command):
    symbol: str

    def __init__(self, *, seq: int = 0, ts_ns: int = 0, symbol: str) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol


@dataclass(slots=True, kw_only=True)
class ResumeSymbol(Command):
    symbol: str

    def __init__(self, *, seq: int = 0, ts_ns: int = 0, symbol: str) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol


@dataclass(slots=True, kw_only=True)
class EndOfDay(Command):
    """Close the trading day: expire DAY orders, reset daily counters, roll closes."""

    def __init__(self, *, seq: int = 0, ts_ns: int = 0) -> None:
        self.seq = seq
        self.ts_ns = ts_ns


@dataclass(slots=True, kw_only=True)
class SetReferencePrice(Command):
    """Move a symbol's reference price (and so its price band), e.g. after a corporate
    action or to list at today's price. ``price_band_bps`` 0 keeps the current band.
    Resting orders outside the new band stay; new orders must fall inside it."""

    symbol: str
    reference_price_ticks: int
    price_band_bps: int = 0

    def __init__(
        self,
        *,
        seq: int = 0,
        ts_ns: int = 0,
        symbol: str,
        reference_price_ticks: int,
        price_band_bps: int = 0,
    ) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol
        self.reference_price_ticks = reference_price_ticks
        self.price_band_bps = price_band_bps


@dataclass(slots=True, kw_only=True)
class DelistSymbol(Command):
    """Remove a symbol from trading: its open orders are cancelled (reason ADMIN)
    and holders keep their shares as positions that can no longer trade."""

    symbol: str

    def __init__(self, *, seq: int = 0, ts_ns: int = 0, symbol: str) -> None:
        self.seq = seq
        self.ts_ns = ts_ns
        self.symbol = symbol


COMMAND_TYPES: tuple[type[Command], ...] = (
    PlaceOrder,
    CancelOrder,
    AmendOrder,
    CancelAll,
    Deposit,
    Withdraw,
    SetLimits,
    AddSymbol,
    HaltSymbol,
    ResumeSymbol,
    EndOfDay,
    SetReferencePrice,
    DelistSymbol,
)
