"""Between the binary protocol's messages and the engine's commands and read-side types.

Order entry goes through :mod:`aurex.gateways.order_entry`, as for REST and gRPC,
so the same request gets the same checks and the same codes at every gateway.
Prices travel as int64 ticks already, so there is nothing to round: a price
outside 1 .. ``wire.MAX_PRICE_TICKS`` is refused with 2001, a price off the
symbol's tick grid by the engine with 105.
"""

from __future__ import annotations

import struct
from typing import TypeVar

from aurex.core.commands import AmendOrder as AmendCommand
from aurex.core.commands import CancelOrder as CancelCommand
from aurex.core.commands import PlaceOrder
from aurex.core.model import OrderType, Side, StpMode, TimeInForce
from aurex.gateways import order_entry
from aurex.gateways.tcp.codec import MAX_BOOK_LEVELS
from aurex.gateways.tcp.messages import (
    TIF_DEFAULT,
    AmendOrder,
    BookLevel,
    BookSnapshot,
    CancelOrder,
    MdKind,
    OrderReport,
    OrderStatus,
    SubmitOrder,
    TickerUpdate,
    TradeUpdate,
)
from aurex.marketdata import DepthDelta, DepthSnapshot, TickerView, TradePrint
from aurex.readside import OrderState


def _price(ticks: int, field: str) -> int:
    """0 means "no price"; anything else must be a valid tick count."""
    return order_entry.check_ticks(ticks, field) if ticks else 0


def place_command(account: str, m: SubmitOrder) -> PlaceOrder:
    order_type = OrderType(m.order_type)
    return order_entry.place_order(
        account=account,
        client_order_id=m.client_order_id,
        symbol=m.symbol,
        side=Side(m.side),
        order_type=order_type,
        quantity=m.quantity,
        tif=None if m.tif == TIF_DEFAULT else TimeInForce(m.tif),
        price_ticks=_price(m.price_ticks, "price_ticks"),
        stop_price_ticks=_price(m.stop_price_ticks, "stop_price_ticks"),
        post_only=bool(m.post_only),
        stp=StpMode(m.stp),
    )


def cancel_command(account: str, m: CancelOrder) -> CancelCommand:
    if m.order_id:
        return CancelCommand(account=account, order_id=_order_id(m.order_id))
    return CancelCommand(
        account=account, client_order_id=order_entry.check_client_order_id(m.client_order_id)
    )


def amend_command(account: str, m: AmendOrder) -> AmendCommand:
    if not m.quantity and not m.price_ticks:
        raise order_entry.EntryError.invalid("send a new quantity and/or a new price")
    return AmendCommand(
        account=account,
        order_id=_order_id(m.order_id),
        quantity=order_entry.check_quantity(m.quantity) if m.quantity else 0,
        price_ticks=_price(m.price_ticks, "price_ticks"),
    )


def _order_id(order_id: int) -> int:
    if not 0 < order_id < 2**63:
        raise order_entry.EntryError.invalid(f"order_id: {order_id} is not an exchange order id")
    return order_id


_R = TypeVar("_R", OrderReport, OrderStatus)


def _report(cls: type[_R], request_id: int, answers: int, flags: int, s: OrderState) -> _R:
    return cls(
        request_id=request_id,
        answers=answers,
        flags=flags,
        order_id=s.order_id,
        side=s.side,
        order_type=s.order_type,
        tif=s.tif,
        status=s.status,
        post_only=int(s.post_only),
        quantity=s.quantity,
        price_ticks=s.price_ticks,
        stop_price_ticks=s.stop_price_ticks,
        filled=s.filled,
        leaves=s.leaves,
        filled_cost_cents=s.filled_cost_cents,
        cancel_reason=s.cancel_reason,
        created_ts_ns=s.created_ts_ns,
        updated_ts_ns=s.updated_ts_ns,
        seq=s.updated_seq,
        symbol=s.symbol,
        client_order_id=s.client_order_id,
    )


_ORDER_FIXED = OrderReport.FIXED
_ORDER_HEADER = struct.Struct("<IB")


def order_frame(msg_type: int, request_id: int, answers: int, flags: int, s: OrderState) -> bytes:
    """The whole ORDER_RESPONSE / ORDER_STATUS frame, packed straight from the state: the
    same bytes as ``encode(order_response(...))``, without building the message first
    (this is on every order's path)."""
    symbol, client_order_id = s.symbol.encode(), s.client_order_id.encode()
    body = _ORDER_FIXED.pack(
        request_id,
        answers,
        flags,
        s.order_id,
        s.side,
        s.order_type,
        s.tif,
        s.status,
        s.post_only,
        s.quantity,
        s.price_ticks,
        s.stop_price_ticks,
        s.filled,
        s.leaves,
        s.filled_cost_cents,
        s.cancel_reason,
        s.created_ts_ns,
        s.updated_ts_ns,
        s.updated_seq,
    )
    size = len(body) + len(symbol) + len(client_order_id) + 3
    return b"".join(
        (
            _ORDER_HEADER.pack(size, msg_type),
            body,
            bytes((len(symbol),)),
            symbol,
            bytes((len(client_order_id),)),
            client_order_id,
        )
    )


def order_response(request_id: int, answers: int, flags: int, state: OrderState) -> OrderReport:
    """An ORDER_RESPONSE: the order after a submit, cancel or amend."""
    return _report(OrderReport, request_id, answers, flags, state)


def order_status(state: OrderState, request_id: int = 0, answers: int = 0) -> OrderStatus:
    """An ORDER_STATUS: the answer to a query, or (request id 0) a pushed update."""
    return _report(OrderStatus, request_id, answers, 0, state)


def ticker(view: TickerView) -> TickerUpdate:
    return TickerUpdate(
        MdKind.TICKER,
        view.last_price_ticks,
        view.last_qty,
        view.bid_price_ticks,
        view.bid_qty,
        view.ask_price_ticks,
        view.ask_qty,
        view.open_ticks,
        view.high_ticks,
        view.low_ticks,
        view.prev_close_ticks,
        view.volume,
        int(view.halted),
        view.ts_ns,
        view.symbol,
    )


def trade(print_: TradePrint) -> TradeUpdate:
    return TradeUpdate(
        MdKind.TRADE,
        print_.trade_id,
        print_.price_ticks,
        print_.quantity,
        print_.aggressor,
        print_.ts_ns,
        print_.seq,
        print_.symbol,
    )


def book_level(delta: DepthDelta) -> BookLevel:
    return BookLevel(
        MdKind.BOOK_LEVEL, delta.seq, delta.side, delta.price_ticks, delta.new_qty, delta.symbol
    )


def book_snapshot(snapshot: DepthSnapshot) -> BookSnapshot:
    return BookSnapshot(
        MdKind.BOOK_SNAPSHOT,
        snapshot.seq,
        snapshot.bids[:MAX_BOOK_LEVELS],
        snapshot.asks[:MAX_BOOK_LEVELS],
        snapshot.symbol,
    )
