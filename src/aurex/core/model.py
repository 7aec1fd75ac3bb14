"""Enumerations and the mutable order record owned by the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Side(IntEnum):
    BUY = 0
    SELL = 1


class OrderType(IntEnum):
    MARKET = 0
    LIMIT = 1
    STOP = 2
    STOP_LIMIT = 3


class TimeInForce(IntEnum):
    GTC = 0
    DAY = 1
    IOC = 2
    FOK = 3


class OrderStatus(IntEnum):
    NEW = 0
    PARTIALLY_FILLED = 1
    FILLED = 2
    CANCELLED = 3
    EXPIRED = 4
    PENDING_TRIGGER = 5
    REJECTED = 6
    """Never held by a core order: readers use it for a refused ``PlaceOrder``."""


class StpMode(IntEnum):
    """Self-trade prevention: what happens when an order would hit its own account."""

    CANCEL_NEWEST = 0
    CANCEL_OLDEST = 1
    CANCEL_BOTH = 2


class CancelReason(IntEnum):
    USER_REQUESTED = 1
    CANCEL_ALL = 2
    IOC_REMAINDER = 3
    FOK_NOT_FILLABLE = 4
    MARKET_COLLAR = 5
    NO_LIQUIDITY = 6
    SELF_TRADE = 7
    ADMIN = 8


class SpecOrderType(IntEnum):
    """The spec's gRPC/TCP order type, which folds time in force into the type."""

    MARKET = 0
    LIMIT = 1
    IOC = 2
    FOK = 3


def from_spec_order_type(spec_type: SpecOrderType) -> tuple[OrderType, TimeInForce]:
    """Map the spec's MARKET/LIMIT/IOC/FOK onto (order type, time in force)."""
    if spec_type is SpecOrderType.MARKET:
        return OrderType.MARKET, TimeInForce.IOC
    if spec_type is SpecOrderType.LIMIT:
        return OrderType.LIMIT, TimeInForce.GTC
    if spec_type is SpecOrderType.IOC:
        return OrderType.LIMIT, TimeInForce.IOC
    return OrderType.LIMIT, TimeInForce.FOK


@dataclass(slots=True, eq=False)
class Order:
    """A live order. Owned by the core; rests in a price level as a linked-list node.

    ``__init__`` is written out so that mypyc compiles it (see ``events.py``).
    """

    order_id: int
    account: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    tif: TimeInForce
    price_ticks: int
    stop_price_ticks: int
    quantity: int
    remaining: int
    post_only: bool
    stp: StpMode
    hold_price_ticks: int
    accepted_seq: int
    status: OrderStatus = OrderStatus.NEW
    in_book: bool = False
    filled: int = 0
    filled_cost_cents: int = 0
    prev: Order | None = field(default=None, repr=False)
    next: Order | None = field(default=None, repr=False)

    def __init__(
        self,
        order_id: int,
        account: str,
        client_order_id: str,
        symbol: str,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        price_ticks: int,
        stop_price_ticks: int,
        quantity: int,
        remaining: int,
        post_only: bool,
        stp: StpMode,
        hold_price_ticks: int,
        accepted_seq: int,
        status: OrderStatus = OrderStatus.NEW,
        in_book: bool = False,
        filled: int = 0,
        filled_cost_cents: int = 0,
        prev: Order | None = None,
        next: Order | None = None,
    ) -> None:
        self.order_id = order_id
        self.account = account
        self.client_order_id = client_order_id
        self.symbol = symbol
        self.side = side
        self.order_type = order_type
        self.tif = tif
        self.price_ticks = price_ticks
        self.stop_price_ticks = stop_price_ticks
        self.quantity = quantity
        self.remaining = remaining
        self.post_only = post_only
        self.stp = stp
        self.hold_price_ticks = hold_price_ticks
        self.accepted_seq = accepted_seq
        self.status = status
        self.in_book = in_book
        self.filled = filled
        self.filled_cost_cents = filled_cost_cents
        self.prev = prev
        self.next = next

    @property
    def is_buy(self) -> bool:
        return self.side is Side.BUY
