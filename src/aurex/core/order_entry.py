"""Placing and amending orders: validation, limits, holds, then matching."""

from __future__ import annotations

from typing import Final

from aurex.core.codes import RejectCode
from aurex.core.commands import AmendOrder, PlaceOrder
from aurex.core.events import Event, OrderAccepted, OrderAmended
from aurex.core.exchange_state import ExchangeState
from aurex.core.matching import SymbolMarket
from aurex.core.model import Order, OrderStatus, OrderType, Side, TimeInForce
from aurex.core.rejections import already_accepted, command_rejected, order_rejected
from aurex.core.risk import Account, reserve_for_order

_MAX_CLIENT_ID: Final = 64


# Enum members bound once (attribute lookup on an Enum class costs ~70 ns in CPython
# 3.11); Final, so the compiled build reads them from C statics, not the module dict.
BUY: Final = Side.BUY
SELL: Final = Side.SELL
MARKET: Final = OrderType.MARKET
LIMIT: Final = OrderType.LIMIT
STOP: Final = OrderType.STOP
STOP_LIMIT: Final = OrderType.STOP_LIMIT
GTC: Final = TimeInForce.GTC
DAY: Final = TimeInForce.DAY
IOC: Final = TimeInForce.IOC
FOK: Final = TimeInForce.FOK
PENDING_TRIGGER: Final = OrderStatus.PENDING_TRIGGER


def place_order(state: ExchangeState, cmd: PlaceOrder) -> list[Event]:
    """Validate, check limits, hold, then match and rest or cancel a new order.

    A client order id already used by one of the account's open orders answers
    ``OrderAlreadyAccepted`` with that order's id; the mapping is added here and
    removed by ``Registry.finish``, also when the order ends within this call.
    This is the core's hottest path: command fields are read once into locals and
    the accepted event is built from them directly.
    """
    registry = state.registry
    account_id, cid = cmd.account, cmd.client_order_id
    account = registry.accounts.get(account_id)
    if account is not None:
        original = account.client_order_ids.get(cid)
        if original is not None:
            return [already_accepted(cmd, original)]
    market = state.markets.get(cmd.symbol)
    code = _validate(cmd, account, market)
    if code is not None:
        return [order_rejected(cmd, code)]
    assert account is not None and market is not None

    side, order_type = cmd.side, cmd.order_type
    price, qty = cmd.price_ticks, cmd.quantity
    priced = order_type is LIMIT or order_type is STOP_LIMIT
    hold_price = price if priced else _unpriced_hold_price(cmd, market)
    notional_price = hold_price if side is BUY else price or market.mark_price_ticks
    code = reserve_for_order(account, side, cmd.symbol, qty, hold_price, notional_price * qty)
    if code is not None:
        return [order_rejected(cmd, code)]

    symbol, tif = cmd.symbol, cmd.tif
    stop_price, post_only = cmd.stop_price_ticks, cmd.post_only
    seq, ts = cmd.seq, cmd.ts_ns
    order_id = registry.next_order_id
    registry.next_order_id = order_id + 1
    order = Order(
        order_id,
        account_id,
        cid,
        symbol,
        side,
        order_type,
        tif,
        price,
        stop_price,
        qty,
        qty,
        post_only,
        cmd.stp,
        hold_price,
        seq,
    )
    registry.orders[order_id] = order
    account.open_orders[order_id] = order
    account.client_order_ids[cid] = order_id
    account.orders_today += 1
    events: list[Event] = [
        OrderAccepted(  # positional, in field order: see events.py
            seq,
            ts,
            order_id,
            account_id,
            cid,
            symbol,
            side,
            order_type,
            tif,
            qty,
            price,
            stop_price,
            post_only,
        )
    ]
    if order_type is LIMIT:
        limit = price
    elif order_type is MARKET:
        limit = hold_price if side is BUY else market.collar_limit(SELL, market.mark_price_ticks)
    else:  # a stop waits for its trigger
        order.status = PENDING_TRIGGER
        market.stops[order_id] = order
        return events
    last_before = market.last_price_ticks
    market.execute(order, limit, registry, events, seq, ts)
    if market.last_price_ticks != last_before:
        market.run_triggers(registry, events, seq, ts)
    return events


def _validate(
    cmd: PlaceOrder, account: Account | None, market: SymbolMarket | None
) -> RejectCode | None:
    """The first rule ``cmd`` breaks, in a fixed order, or None."""
    cid = cmd.client_order_id
    if not (
        cid
        and len(cid) <= _MAX_CLIENT_ID
        and cid.isascii()
        and cid.isprintable()
        and " " not in cid
    ):
        return RejectCode.INVALID_CLIENT_ORDER_ID
    if account is None:
        return RejectCode.UNKNOWN_ACCOUNT
    if market is None:
        return RejectCode.UNKNOWN_SYMBOL
    if market.halted:
        return RejectCode.SYMBOL_HALTED
    qty = cmd.quantity
    if type(qty) is not int or qty <= 0:
        return RejectCode.INVALID_QUANTITY
    if qty % market.lot_size:
        return RejectCode.QUANTITY_NOT_LOT_MULTIPLE
    order_type, tif, price = cmd.order_type, cmd.tif, cmd.price_ticks
    if cmd.post_only:
        if order_type is not LIMIT:
            return RejectCode.POST_ONLY_NOT_LIMIT
        if tif is IOC or tif is FOK:
            return RejectCode.INVALID_TIME_IN_FORCE
    if order_type is MARKET and (tif is GTC or tif is DAY):
        return RejectCode.INVALID_TIME_IN_FORCE
    if order_type is LIMIT or order_type is STOP_LIMIT:
        # The same rules as _check_price, inline: this runs for nearly every order.
        if type(price) is not int or price <= 0:
            return RejectCode.INVALID_PRICE
        if price % market.tick_size_ticks:
            return RejectCode.PRICE_OFF_TICK
        if price < market.band_low_ticks or price > market.band_high_ticks:
            return RejectCode.PRICE_OUTSIDE_BAND
    elif price != 0:
        return RejectCode.INVALID_PRICE
    if order_type is STOP or order_type is STOP_LIMIT:
        code = _check_stop(market, cmd.side, cmd.stop_price_ticks)
        if code is not None:
            return code
    elif cmd.stop_price_ticks != 0:
        return RejectCode.INVALID_STOP_PRICE
    if cmd.post_only and market.crosses(cmd.side, price):
        return RejectCode.POST_ONLY_WOULD_CROSS
    return None


def _check_price(market: SymbolMarket, price: int) -> RejectCode | None:
    """A limit price must be a positive whole number of ticks inside the price band."""
    if type(price) is not int or price <= 0:
        return RejectCode.INVALID_PRICE
    if price % market.tick_size_ticks:
        return RejectCode.PRICE_OFF_TICK
    if price < market.band_low_ticks or price > market.band_high_ticks:
        return RejectCode.PRICE_OUTSIDE_BAND
    return None


def _check_stop(market: SymbolMarket, side: Side, stop: int) -> RejectCode | None:
    if type(stop) is not int or stop <= 0 or stop % market.tick_size_ticks:
        return RejectCode.INVALID_STOP_PRICE
    if market.stop_reached(side, stop):
        return RejectCode.INVALID_STOP_PRICE
    if stop < market.band_low_ticks or stop > market.band_high_ticks:
        return RejectCode.PRICE_OUTSIDE_BAND
    return None


def _unpriced_hold_price(cmd: PlaceOrder, market: SymbolMarket) -> int:
    """Price per share a market or stop order reserves: the collar for a buy, 0 for a sell."""
    if cmd.side is SELL:
        return 0
    base = cmd.stop_price_ticks if cmd.order_type is STOP else market.mark_price_ticks
    return market.collar_limit(BUY, base)


def amend_order(state: ExchangeState, cmd: AmendOrder) -> list[Event]:
    order = state.find_order(cmd.account, cmd.order_id)
    code = _amend_problem(state, cmd, order)
    if code is not None:
        return [command_rejected(cmd, cmd.account, code)]
    assert order is not None
    market = state.markets[order.symbol]
    account = state.registry.accounts[order.account]
    new_qty = cmd.quantity or order.quantity
    new_price = cmd.price_ticks or order.price_ticks
    new_remaining = new_qty - order.filled
    old_price, old_remaining = order.price_ticks, order.remaining
    if order.side is BUY:
        account.cash_held_cents += (
            new_price * new_remaining - order.hold_price_ticks * old_remaining
        )
        order.hold_price_ticks = new_price
    else:
        account.positions[order.symbol].held += new_remaining - old_remaining
    keep_priority = new_price == old_price and new_qty < order.quantity
    if keep_priority:
        market.book.reduce_in_place(order, new_remaining)
    else:
        market.book.remove(order)
        order.remaining = new_remaining
        order.price_ticks = new_price
    order.quantity = new_qty
    events: list[Event] = [
        OrderAmended(
            seq=cmd.seq,
            ts_ns=cmd.ts_ns,
            order_id=order.order_id,
            account=order.account,
            symbol=order.symbol,
            side=order.side,
            price_ticks=new_price,
            quantity=new_qty,
            remaining=new_remaining,
            old_price_ticks=old_price,
            old_remaining=old_remaining,
            kept_priority=keep_priority,
        )
    ]
    if not keep_priority:
        last_before = market.last_price_ticks
        market.execute(order, new_price, state.registry, events, cmd.seq, cmd.ts_ns)
        if market.last_price_ticks != last_before:
            market.run_triggers(state.registry, events, cmd.seq, cmd.ts_ns)
    return events


def _amend_problem(state: ExchangeState, cmd: AmendOrder, order: Order | None) -> RejectCode | None:
    if order is None:
        return RejectCode.UNKNOWN_ORDER
    if not order.in_book:
        return RejectCode.ORDER_NOT_AMENDABLE
    market = state.markets[order.symbol]
    if market.halted:
        return RejectCode.SYMBOL_HALTED
    if cmd.quantity < 0 or cmd.price_ticks < 0:
        return RejectCode.INVALID_QUANTITY if cmd.quantity < 0 else RejectCode.INVALID_PRICE
    new_qty = cmd.quantity or order.quantity
    new_price = cmd.price_ticks or order.price_ticks
    if new_qty == order.quantity and new_price == order.price_ticks:
        return RejectCode.AMEND_NO_CHANGE
    if new_qty <= order.filled:
        return RejectCode.AMEND_BELOW_FILLED
    if new_qty % market.lot_size:
        return RejectCode.QUANTITY_NOT_LOT_MULTIPLE
    if new_price != order.price_ticks:
        code = _check_price(market, new_price)
        if code is not None:
            return code
    if order.post_only and market.crosses(order.side, new_price):
        return RejectCode.POST_ONLY_WOULD_CROSS
    account = state.registry.accounts[order.account]
    limits = account.limits
    if new_qty > limits.max_order_quantity:
        return RejectCode.MAX_ORDER_QUANTITY_EXCEEDED
    if new_price * new_qty > limits.max_notional_cents:
        return RejectCode.MAX_NOTIONAL_EXCEEDED
    new_remaining = new_qty - order.filled
    if order.side is BUY:
        extra = new_price * new_remaining - order.hold_price_ticks * order.remaining
        if extra > account.available_cash_cents:
            return RejectCode.INSUFFICIENT_CASH
    elif new_remaining - order.remaining > account.positions[order.symbol].available:
        return RejectCode.INSUFFICIENT_POSITION
    return None
