"""Protobuf messages to engine commands and engine data to protobuf messages.

Prices leave as both the design's ``double`` and exact integer ticks; values that
are not whole ticks (average fill price, index points, weights, percentages) as
exact decimal strings made by ``aurex.gateways.wire``. Prices arrive as a double
and/or ticks and are converted exactly by ``order_entry`` (off-grid is refused).
"""

from __future__ import annotations

from typing import Any

from aurex.core.commands import AmendOrder, CancelOrder, PlaceOrder
from aurex.core.model import (
    CancelReason,
    OrderStatus,
    OrderType,
    Side,
    SpecOrderType,
    StpMode,
    TimeInForce,
    from_spec_order_type,
)
from aurex.gateways import order_entry, wire
from aurex.gateways.grpc import stock_service_pb2 as pb
from aurex.gateways.order_entry import EntryError
from aurex.marketdata import IndexView, TickerView, TradePrint
from aurex.readside import Fill, OrderState

SIDE_IN = {pb.BUY: Side.BUY, pb.SELL: Side.SELL}
SIDE_OUT = {Side.BUY: pb.BUY, Side.SELL: pb.SELL}
SPEC_TYPES = {
    pb.MARKET: SpecOrderType.MARKET,
    pb.LIMIT: SpecOrderType.LIMIT,
    pb.IOC: SpecOrderType.IOC,
    pb.FOK: SpecOrderType.FOK,
}
TYPE_OUT = {
    OrderType.MARKET: pb.MARKET,
    OrderType.LIMIT: pb.LIMIT,
    OrderType.STOP: pb.STOP,
    OrderType.STOP_LIMIT: pb.STOP_LIMIT,
}
TIF_IN = {
    pb.TIME_IN_FORCE_GTC: TimeInForce.GTC,
    pb.TIME_IN_FORCE_DAY: TimeInForce.DAY,
    pb.TIME_IN_FORCE_IOC: TimeInForce.IOC,
    pb.TIME_IN_FORCE_FOK: TimeInForce.FOK,
}
TIF_OUT = {tif: name for name, tif in TIF_IN.items()}
STATUS_OUT = {
    OrderStatus.NEW: pb.NEW,
    OrderStatus.PARTIALLY_FILLED: pb.PARTIALLY_FILLED,
    OrderStatus.FILLED: pb.FILLED,
    OrderStatus.CANCELLED: pb.CANCELLED,
    OrderStatus.EXPIRED: pb.EXPIRED,
    OrderStatus.PENDING_TRIGGER: pb.PENDING_TRIGGER,
    OrderStatus.REJECTED: pb.REJECTED,
}
STP_IN = {
    pb.CANCEL_NEWEST: StpMode.CANCEL_NEWEST,
    pb.CANCEL_OLDEST: StpMode.CANCEL_OLDEST,
    pb.CANCEL_BOTH: StpMode.CANCEL_BOTH,
}


def as_float(ticks: int) -> float:
    """Ticks as the design's double (nearest binary value; the ticks field is exact)."""
    return ticks / wire.TICKS_PER_UNIT


# -- requests -------------------------------------------------------------------------


def _order_type(request: pb.OrderRequest) -> tuple[OrderType, TimeInForce | None]:
    if request.type in SPEC_TYPES:
        order_type, tif = from_spec_order_type(SPEC_TYPES[request.type])
        if request.type in (pb.MARKET, pb.LIMIT):
            return order_type, None  # the type's default unless time_in_force says otherwise
        if request.time_in_force not in (pb.TIME_IN_FORCE_UNSPECIFIED, TIF_OUT[tif]):
            raise EntryError.invalid(f"type {pb.OrderType.Name(request.type)} fixes time_in_force")
        return order_type, tif
    if request.type == pb.STOP:
        return OrderType.STOP, None
    if request.type == pb.STOP_LIMIT:
        return OrderType.STOP_LIMIT, None
    raise EntryError.invalid("type: choose MARKET, LIMIT, IOC, FOK, STOP or STOP_LIMIT")


def place_order(account: str, request: pb.OrderRequest) -> PlaceOrder:
    """The engine command for ``request`` (refusing unset enums and inexact prices)."""
    side = SIDE_IN.get(request.side)
    if side is None:
        raise EntryError.invalid("side: choose BUY or SELL")
    order_type, tif = _order_type(request)
    if request.time_in_force != pb.TIME_IN_FORCE_UNSPECIFIED:
        if request.time_in_force not in TIF_IN:
            raise EntryError.invalid("time_in_force: unknown value")
        tif = TIF_IN[request.time_in_force]
    stp = STP_IN.get(request.self_trade_prevention)
    if stp is None:
        raise EntryError.invalid("self_trade_prevention: unknown value")
    return order_entry.place_order(
        account=account,
        client_order_id=order_entry.check_client_order_id(request.order_id, "order_id"),
        symbol=request.symbol,
        side=side,
        order_type=order_type,
        quantity=request.quantity,
        tif=tif,
        price_ticks=order_entry.one_price("price", request.price, request.price_ticks),
        stop_price_ticks=order_entry.one_price(
            "stop_price", request.stop_price, request.stop_price_ticks
        ),
        post_only=request.post_only,
        stp=stp,
    )


def order_key(order_id: str, client_order_id: str) -> tuple[int, str]:
    """(exchange id, client order id) of a request naming an order one way or the other."""
    if order_id:
        return order_entry.parse_order_id(order_id), ""
    if client_order_id:
        return 0, order_entry.check_client_order_id(client_order_id, "client_order_id")
    raise EntryError.invalid("order_id: send the exchange order id (or client_order_id)")


def cancel_order(account: str, request: pb.CancelOrderRequest) -> CancelOrder:
    order_id, client_order_id = order_key(request.order_id, request.client_order_id)
    return CancelOrder(account=account, order_id=order_id, client_order_id=client_order_id)


def amend_order(account: str, request: pb.AmendOrderRequest) -> AmendOrder:
    order_id = order_entry.parse_order_id(request.order_id)
    quantity = request.quantity
    if quantity:
        order_entry.check_quantity(quantity)
    price_ticks = order_entry.one_price("price", request.price, request.price_ticks)
    if not quantity and not price_ticks:
        raise EntryError.invalid("send quantity and/or price")
    return AmendOrder(
        account=account, order_id=order_id, quantity=quantity, price_ticks=price_ticks
    )


# -- orders and fills -----------------------------------------------------------------


def order(state: OrderState) -> pb.Order:
    average = state.average_price_ticks
    return pb.Order(
        order_id=str(state.order_id) if state.order_id else "",
        client_order_id=state.client_order_id,
        user_id=state.account,
        symbol=state.symbol,
        side=SIDE_OUT[state.side],
        type=TYPE_OUT[state.order_type],
        time_in_force=TIF_OUT[state.tif],
        post_only=state.post_only,
        quantity=state.quantity,
        price_ticks=state.price_ticks,
        stop_price_ticks=state.stop_price_ticks,
        status=STATUS_OUT[state.status],
        filled_quantity=state.filled,
        leaves_quantity=state.leaves,
        average_price="" if average is None else wire.exact_price(average),
        cancel_reason=(
            CancelReason(state.cancel_reason).name.lower() if state.cancel_reason else ""
        ),
        reject_code=state.reject_code,
        reject_reason=state.reject_reason,
        created_at_ms=wire.millis(state.created_ts_ns),
        updated_at_ms=wire.millis(state.updated_ts_ns),
    )


def fill(f: Fill) -> pb.Fill:
    return pb.Fill(
        trade_id=f.trade_id,
        order_id=str(f.order_id),
        client_order_id=f.client_order_id,
        symbol=f.symbol,
        side=SIDE_OUT[f.side],
        price_ticks=f.price_ticks,
        price=as_float(f.price_ticks),
        quantity=f.quantity,
        maker=f.is_maker,
        order_filled_quantity=f.order_filled,
        order_leaves_quantity=f.order_leaves,
        timestamp_ms=wire.millis(f.ts_ns),
    )


def _average(state: OrderState) -> tuple[float, str]:
    average = state.average_price_ticks
    if average is None:
        return 0.0, ""
    return float(average) / wire.TICKS_PER_UNIT, wire.exact_price(average)


def order_response(
    state: OrderState, fills: list[Fill], *, duplicate: bool = False, request_id: int = 0
) -> pb.OrderResponse:
    avg, avg_exact = _average(state)
    return pb.OrderResponse(
        order_id=str(state.order_id) if state.order_id else "",
        status=STATUS_OUT[state.status],
        message="duplicate client order id: the open order" if duplicate else "",
        filled_quantity=state.filled,
        avg_fill_price=avg,
        client_order_id=state.client_order_id,
        avg_fill_price_exact=avg_exact,
        order=order(state),
        fills=[fill(f) for f in fills],
        duplicate=duplicate,
        request_id=request_id,
    )


def rejected_response(error: EntryError, client_order_id: str, request_id: int) -> pb.OrderResponse:
    """A refusal on the order-entry stream: status REJECTED with its code and reason."""
    return pb.OrderResponse(
        status=pb.REJECTED,
        message=error.message,
        code=error.code,
        client_order_id=client_order_id,
        request_id=request_id,
    )


def status_response(state: OrderState) -> pb.OrderStatusResponse:
    avg, avg_exact = _average(state)
    return pb.OrderStatusResponse(
        order_id=str(state.order_id),
        status=STATUS_OUT[state.status],
        quantity=state.quantity,
        filled_quantity=state.filled,
        price=as_float(state.price_ticks),
        avg_fill_price=avg,
        client_order_id=state.client_order_id,
        price_ticks=state.price_ticks,
        avg_fill_price_exact=avg_exact,
        order=order(state),
    )


# -- market data ----------------------------------------------------------------------


def price_levels(levels: list[tuple[int, int]]) -> list[pb.PriceLevel]:
    return [pb.PriceLevel(price=as_float(p), quantity=q, price_ticks=p) for p, q in levels]


def trade(t: TradePrint) -> pb.Trade:
    return pb.Trade(
        trade_id=t.trade_id,
        price=as_float(t.price_ticks),
        price_ticks=t.price_ticks,
        quantity=t.quantity,
        aggressor=SIDE_OUT[t.aggressor],
        timestamp_ms=wire.millis(t.ts_ns),
    )


def quote(t: TickerView) -> pb.StockQuote:
    return pb.StockQuote(
        symbol=t.symbol,
        name=t.name,
        last_price=as_float(t.last_price_ticks),
        bid_price=as_float(t.bid_price_ticks),
        ask_price=as_float(t.ask_price_ticks),
        volume=t.volume,
        change_percent=t.change_bps / 100,
        last_price_ticks=t.last_price_ticks,
        bid_price_ticks=t.bid_price_ticks,
        ask_price_ticks=t.ask_price_ticks,
        bid_quantity=t.bid_qty,
        ask_quantity=t.ask_qty,
        open_ticks=t.open_ticks,
        high_ticks=t.high_ticks,
        low_ticks=t.low_ticks,
        previous_close_ticks=t.prev_close_ticks,
        change_percent_exact=wire.percent_from_bps(t.change_bps),
        halted=t.halted,
        timestamp_ms=wire.millis(t.ts_ns),
    )


def constituents(view: IndexView, exact: dict[str, Any]) -> list[pb.IndexConstituent]:
    """Each member with its doubles and the exact strings of ``wire.index`` (``exact``)."""
    return [
        pb.IndexConstituent(
            symbol=c.symbol,
            last_price=as_float(c.price_ticks),
            weight=c.weight_float,
            contribution=c.contribution_points,
            change_percent=c.change_bps / 100,
            last_price_ticks=c.price_ticks,
            weight_exact=e["weight"],
            contribution_exact=e["contribution"],
            change_percent_exact=e["changePercent"],
        )
        for c, e in zip(view.constituents, exact["constituents"], strict=True)
    ]


def market_index_update(view: IndexView) -> pb.MarketIndexUpdate:
    exact = wire.index(view)
    return pb.MarketIndexUpdate(
        index_name=view.name,
        index_value=view.value_points,
        change_percent=view.change_bps / 100,
        constituents=constituents(view, exact),
        timestamp_ms=wire.millis(view.ts_ns),
        index_value_exact=exact["value"],
        change_percent_exact=exact["changePercent"],
    )


def market_index_response(view: IndexView) -> pb.MarketIndexResponse:
    exact = wire.index(view)
    return pb.MarketIndexResponse(
        index_name=view.name,
        index_value=view.value_points,
        change_percent=view.change_bps / 100,
        constituents=constituents(view, exact),
        timestamp_ms=wire.millis(view.ts_ns),
        index_value_exact=exact["value"],
        change_percent_exact=exact["changePercent"],
        day_open_exact=exact["dayOpen"],
        day_high_exact=exact["dayHigh"],
        day_low_exact=exact["dayLow"],
    )


def top_index(view: IndexView, top: int) -> pb.IndexUpdate:
    """The headline and the ``top`` heaviest members, heaviest first."""
    exact = wire.index(view)
    members = constituents(view, exact)
    weights = [c.weight for c in view.constituents]
    heaviest = sorted(range(len(members)), key=lambda i: (-weights[i], members[i].symbol))
    return pb.IndexUpdate(
        index_name=view.name,
        index_value=view.value_points,
        change_percent=view.change_bps / 100,
        timestamp_ms=wire.millis(view.ts_ns),
        top=[members[i] for i in heaviest[:top]],
        index_value_exact=exact["value"],
        change_percent_exact=exact["changePercent"],
    )
