"""The binary protocol's messages as typed values, with their wire layouts (docs/protocol.md).

Every message is a frozen dataclass whose class attributes say how it travels:
``TYPE`` (the frame's type byte), ``FIXED`` (a little-endian ``struct`` of the
fixed-size fields, in declaration order), ``STRINGS`` (the length-prefix size, 1 or
2 bytes, of each trailing UTF-8 string) and ``ENUMS`` (the values a one-byte field
may take). Client messages use types 0x01-0x0F, server messages 0x10-0x1F; market
data updates (0x12) start with a ``kind`` byte.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar


class MsgType(IntEnum):
    ORDER_SUBMIT = 0x01
    ORDER_STATUS_QUERY = 0x02
    MARKET_DATA_SUBSCRIBE = 0x03
    ORDER_CANCEL = 0x04
    ORDER_AMEND = 0x05
    LOGIN = 0x06
    LOGOUT = 0x07
    HEARTBEAT = 0x08
    MARKET_DATA_UNSUBSCRIBE = 0x09
    ORDER_RESPONSE = 0x10
    ORDER_STATUS = 0x11
    MARKET_DATA_UPDATE = 0x12
    LOGIN_RESPONSE = 0x13
    ACK = 0x14
    SERVER_HEARTBEAT = 0x18
    ERROR = 0x1F


class MdKind(IntEnum):
    """The first byte of a market data update (0x12)."""

    TICKER = 1
    TRADE = 2
    BOOK_LEVEL = 3
    BOOK_SNAPSHOT = 4


class Channel(IntEnum):
    """Bits of a subscription's channel mask."""

    TICKER = 1
    TRADES = 2
    BOOK = 4


ALL_CHANNELS = Channel.TICKER | Channel.TRADES | Channel.BOOK

TIF_DEFAULT = 0xFF
"""``tif`` byte meaning "the default": IOC for market orders, GTC otherwise."""

LOGIN_ORDER_UPDATES = 0x01
"""Login flag: push an ORDER_STATUS (request id 0) whenever one of the account's orders changes."""
LOGIN_CANCEL_ON_DISCONNECT = 0x02
"""Login flag: cancel the account's open orders when this connection ends."""

REPORT_NEW = 0x01
"""ORDER_RESPONSE flag: the submit created a new order."""
REPORT_RETRY = 0x02
"""ORDER_RESPONSE flag: the client order id belongs to an open order; that order is returned."""

_BOOL = (0, 1)
_SIDE = (0, 1)
_ORDER_TYPE = (0, 1, 2, 3)
_TIF = (0, 1, 2, 3, TIF_DEFAULT)
_STP = (0, 1, 2)
_STATUS = (0, 1, 2, 3, 4, 5, 6)


class Message:
    """Base of every message: its layout, declared by the subclass."""

    __slots__ = ()
    TYPE: ClassVar[int]
    KIND: ClassVar[int | None] = None
    FIXED: ClassVar[struct.Struct]
    STRINGS: ClassVar[tuple[int, ...]] = ()
    ENUMS: ClassVar[dict[str, tuple[int, ...]]] = {}


# -- client -> server -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmitOrder(Message):
    TYPE = MsgType.ORDER_SUBMIT
    FIXED = struct.Struct("<QBBBBBqqq")
    STRINGS = (1, 1)
    ENUMS = {
        "side": _SIDE,
        "order_type": _ORDER_TYPE,
        "tif": _TIF,
        "post_only": _BOOL,
        "stp": _STP,
    }
    request_id: int
    side: int
    order_type: int
    tif: int
    post_only: int
    stp: int
    quantity: int
    price_ticks: int
    stop_price_ticks: int
    symbol: str
    client_order_id: str


@dataclass(frozen=True, slots=True)
class QueryOrder(Message):
    TYPE = MsgType.ORDER_STATUS_QUERY
    FIXED = struct.Struct("<QQ")
    STRINGS = (1,)
    request_id: int
    order_id: int
    client_order_id: str


@dataclass(frozen=True, slots=True)
class Subscribe(Message):
    TYPE = MsgType.MARKET_DATA_SUBSCRIBE
    FIXED = struct.Struct("<QB")
    STRINGS = (1,)
    request_id: int
    channels: int
    symbol: str


@dataclass(frozen=True, slots=True)
class CancelOrder(Message):
    TYPE = MsgType.ORDER_CANCEL
    FIXED = struct.Struct("<QQ")
    STRINGS = (1,)
    request_id: int
    order_id: int
    client_order_id: str


@dataclass(frozen=True, slots=True)
class AmendOrder(Message):
    TYPE = MsgType.ORDER_AMEND
    FIXED = struct.Struct("<QQqq")
    request_id: int
    order_id: int
    quantity: int
    price_ticks: int


@dataclass(frozen=True, slots=True)
class Login(Message):
    TYPE = MsgType.LOGIN
    FIXED = struct.Struct("<QB")
    STRINGS = (2, 2)
    request_id: int
    flags: int
    access_token: str
    trading_token: str


@dataclass(frozen=True, slots=True)
class Logout(Message):
    TYPE = MsgType.LOGOUT
    FIXED = struct.Struct("<Q")
    request_id: int


@dataclass(frozen=True, slots=True)
class Heartbeat(Message):
    TYPE = MsgType.HEARTBEAT
    FIXED = struct.Struct("<Q")
    timestamp_ns: int


@dataclass(frozen=True, slots=True)
class Unsubscribe(Message):
    TYPE = MsgType.MARKET_DATA_UNSUBSCRIBE
    FIXED = struct.Struct("<QB")
    STRINGS = (1,)
    request_id: int
    channels: int
    symbol: str


# -- server -> client -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderReport(Message):
    """An order's state: ORDER_RESPONSE (0x10) or ORDER_STATUS (0x11), one layout."""

    TYPE = MsgType.ORDER_RESPONSE
    FIXED = struct.Struct("<QBBQBBBBBqqqqqqHQQQ")
    STRINGS = (1, 1)
    ENUMS = {
        "side": _SIDE,
        "order_type": _ORDER_TYPE,
        "tif": _TIF,
        "status": _STATUS,
        "post_only": _BOOL,
    }
    request_id: int
    answers: int
    """The request type answered (0x01/0x02/0x04/0x05), 0 for a pushed update."""
    flags: int
    order_id: int
    side: int
    order_type: int
    tif: int
    status: int
    post_only: int
    quantity: int
    price_ticks: int
    stop_price_ticks: int
    filled: int
    leaves: int
    filled_cost_cents: int
    cancel_reason: int
    created_ts_ns: int
    updated_ts_ns: int
    seq: int
    symbol: str
    client_order_id: str


@dataclass(frozen=True, slots=True)
class OrderStatus(Message):
    """ORDER_STATUS (0x11): same fields and layout as :class:`OrderReport`."""

    TYPE = MsgType.ORDER_STATUS
    FIXED = OrderReport.FIXED
    STRINGS = OrderReport.STRINGS
    ENUMS = OrderReport.ENUMS
    request_id: int
    answers: int
    flags: int
    order_id: int
    side: int
    order_type: int
    tif: int
    status: int
    post_only: int
    quantity: int
    price_ticks: int
    stop_price_ticks: int
    filled: int
    leaves: int
    filled_cost_cents: int
    cancel_reason: int
    created_ts_ns: int
    updated_ts_ns: int
    seq: int
    symbol: str
    client_order_id: str


@dataclass(frozen=True, slots=True)
class TickerUpdate(Message):
    TYPE = MsgType.MARKET_DATA_UPDATE
    KIND = MdKind.TICKER
    FIXED = struct.Struct("<BqqqqqqqqqqqBQ")
    STRINGS = (1,)
    ENUMS = {"halted": _BOOL}
    kind: int
    last_price_ticks: int
    last_qty: int
    bid_price_ticks: int
    bid_qty: int
    ask_price_ticks: int
    ask_qty: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    prev_close_ticks: int
    volume: int
    halted: int
    ts_ns: int
    symbol: str


@dataclass(frozen=True, slots=True)
class TradeUpdate(Message):
    TYPE = MsgType.MARKET_DATA_UPDATE
    KIND = MdKind.TRADE
    FIXED = struct.Struct("<BQqqBQQ")
    STRINGS = (1,)
    ENUMS = {"aggressor": _SIDE}
    kind: int
    trade_id: int
    price_ticks: int
    quantity: int
    aggressor: int
    ts_ns: int
    seq: int
    symbol: str


@dataclass(frozen=True, slots=True)
class BookLevel(Message):
    """One price level's new total (0 = removed); ``seq`` is the symbol's depth sequence."""

    TYPE = MsgType.MARKET_DATA_UPDATE
    KIND = MdKind.BOOK_LEVEL
    FIXED = struct.Struct("<BQBqq")
    STRINGS = (1,)
    ENUMS = {"side": _SIDE}
    kind: int
    seq: int
    side: int
    price_ticks: int
    quantity: int
    symbol: str


@dataclass(frozen=True, slots=True)
class BookSnapshot(Message):
    """The book of one symbol at depth sequence ``seq``: best first, (price, qty) pairs.

    Its layout is special: after the fixed part and the symbol come ``len(bids)``
    then ``len(asks)`` levels of 16 bytes (i64 price ticks, i64 quantity)."""

    TYPE = MsgType.MARKET_DATA_UPDATE
    KIND = MdKind.BOOK_SNAPSHOT
    FIXED = struct.Struct("<BQHH")
    STRINGS = (1,)
    kind: int
    seq: int
    bids: tuple[tuple[int, int], ...]
    asks: tuple[tuple[int, int], ...]
    symbol: str


@dataclass(frozen=True, slots=True)
class LoginResponse(Message):
    TYPE = MsgType.LOGIN_RESPONSE
    FIXED = struct.Struct("<QIII")
    STRINGS = (1,)
    request_id: int
    heartbeat_ms: int
    idle_timeout_ms: int
    max_frame: int
    user_id: str


@dataclass(frozen=True, slots=True)
class Ack(Message):
    TYPE = MsgType.ACK
    FIXED = struct.Struct("<QB")
    request_id: int
    answers: int


@dataclass(frozen=True, slots=True)
class ServerHeartbeat(Message):
    TYPE = MsgType.SERVER_HEARTBEAT
    FIXED = struct.Struct("<Q")
    timestamp_ns: int


@dataclass(frozen=True, slots=True)
class Error(Message):
    """A refused request (``request_id`` 0 if it could not be read); ``fatal``: the server
    closes the connection after sending it."""

    TYPE = MsgType.ERROR
    FIXED = struct.Struct("<QBHB")
    STRINGS = (2,)
    ENUMS = {"fatal": _BOOL}
    request_id: int
    answers: int
    code: int
    fatal: int
    message: str


CLIENT_MESSAGES: dict[int, type[Message]] = {
    m.TYPE: m
    for m in (
        SubmitOrder,
        QueryOrder,
        Subscribe,
        CancelOrder,
        AmendOrder,
        Login,
        Logout,
        Heartbeat,
        Unsubscribe,
    )
}
SERVER_MESSAGES: dict[int, type[Message]] = {
    m.TYPE: m for m in (OrderReport, OrderStatus, LoginResponse, Ack, ServerHeartbeat, Error)
}
MARKET_DATA: dict[int, type[Message]] = {
    int(m.KIND): m
    for m in (TickerUpdate, TradeUpdate, BookLevel, BookSnapshot)
    if m.KIND is not None
}
