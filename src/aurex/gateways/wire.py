"""How engine data looks on the wire of the JSON gateways (REST and WebSocket).

One place turns read-side states and market data into plain JSON-ready dicts with
camelCase keys, so REST answers and WebSocket messages agree field for field.
Prices and money are decimal strings with two decimals ("234.50": ticks are cents);
quantities are integers; times are integers of milliseconds since the epoch.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from aurex.core.model import CancelReason, OrderStatus, OrderType, Side, StpMode, TimeInForce
from aurex.engine.queries import AccountSnapshot, IndexPoint, SymbolInfo
from aurex.marketdata import CandleBar, DepthSnapshot, IndexView, TickerView, TradePrint
from aurex.marketdata.rounding import scaled_round
from aurex.readside import Fill, OrderState

TICKS_PER_UNIT = 100
MAX_PRICE_TICKS = 10**12
_PRICE_RE = re.compile(r"(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?")

SIDES = {"buy": Side.BUY, "sell": Side.SELL}
ORDER_TYPES = {
    "market": OrderType.MARKET,
    "limit": OrderType.LIMIT,
    "stop": OrderType.STOP,
    "stop_limit": OrderType.STOP_LIMIT,
}
TIME_IN_FORCE = {
    "gtc": TimeInForce.GTC,
    "day": TimeInForce.DAY,
    "ioc": TimeInForce.IOC,
    "fok": TimeInForce.FOK,
}
STP_MODES = {
    "cancel_newest": StpMode.CANCEL_NEWEST,
    "cancel_oldest": StpMode.CANCEL_OLDEST,
    "cancel_both": StpMode.CANCEL_BOTH,
}
STATUSES = {status: status.name.lower() for status in OrderStatus}


class PriceFormatError(ValueError):
    """A price string that is not a positive decimal with at most two decimals."""


def parse_price(text: str) -> int:
    """``"234.50"`` -> 23450 ticks. Exact: more decimals than a tick are refused, never
    rounded. Raises ``PriceFormatError``."""
    if not isinstance(text, str) or _PRICE_RE.fullmatch(text) is None:
        raise PriceFormatError(
            f"price {text!r} must be a decimal string with at most two decimals, e.g. '234.50'"
        )
    ticks = int(Decimal(text) * TICKS_PER_UNIT)
    if ticks <= 0:
        raise PriceFormatError("price must be greater than 0")
    return ticks


def price(ticks: int) -> str:
    """23450 -> ``"234.50"``; negative values (changes) keep their sign."""
    sign = "-" if ticks < 0 else ""
    units, cents = divmod(abs(ticks), TICKS_PER_UNIT)
    return f"{sign}{units}.{cents:02d}"


def optional_price(ticks: int) -> str | None:
    """``price`` of a positive value, None for 0 (nothing there)."""
    return price(ticks) if ticks > 0 else None


def exact_price(value: Fraction) -> str:
    """A fractional tick amount (average fill price) to four decimals, rounded half up."""
    return _fixed(scaled_round(value, 100), 4)


def percent_from_bps(bps: int) -> str:
    """Basis points as a percentage with two decimals: 123 -> ``"1.23"``."""
    return _fixed(bps, 2)


def _fixed(scaled: int, decimals: int) -> str:
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), 10**decimals)
    return f"{sign}{whole}.{part:0{decimals}d}"


def millis(ts_ns: int) -> int:
    return ts_ns // 1_000_000


# -- orders and accounts ----------------------------------------------------------


def order(state: OrderState) -> dict[str, Any]:
    average = state.average_price_ticks
    return {
        "orderId": state.order_id,
        "clientOrderId": state.client_order_id,
        "symbol": state.symbol,
        "side": state.side.name.lower(),
        "type": state.order_type.name.lower(),
        "timeInForce": state.tif.name.lower(),
        "postOnly": state.post_only,
        "quantity": state.quantity,
        "price": optional_price(state.price_ticks),
        "stopPrice": optional_price(state.stop_price_ticks),
        "status": STATUSES[state.status],
        "filledQuantity": state.filled,
        "leavesQuantity": state.leaves,
        "averagePrice": None if average is None else exact_price(average),
        "cancelReason": (
            CancelReason(state.cancel_reason).name.lower() if state.cancel_reason else None
        ),
        "rejectCode": state.reject_code or None,
        "rejectReason": state.reject_reason or None,
        "createdAt": millis(state.created_ts_ns),
        "updatedAt": millis(state.updated_ts_ns),
    }


def fill(f: Fill) -> dict[str, Any]:
    return {
        "tradeId": f.trade_id,
        "orderId": f.order_id,
        "clientOrderId": f.client_order_id,
        "symbol": f.symbol,
        "side": f.side.name.lower(),
        "price": price(f.price_ticks),
        "quantity": f.quantity,
        "liquidity": "maker" if f.is_maker else "taker",
        "orderFilledQuantity": f.order_filled,
        "orderLeavesQuantity": f.order_leaves,
        "timestamp": millis(f.ts_ns),
    }


def account(a: AccountSnapshot) -> dict[str, Any]:
    return {
        "cash": price(a.cash_cents),
        "cashHeld": price(a.cash_held_cents),
        "buyingPower": price(a.buying_power_cents),
        "openOrders": a.open_orders,
        "ordersToday": a.orders_today,
        "positions": [
            {
                "symbol": p.symbol,
                "shares": p.shares,
                "heldShares": p.held_shares,
                "availableShares": p.available_shares,
            }
            for p in a.positions
        ],
    }


# -- market data --------------------------------------------------------------------


def symbol_info(s: SymbolInfo) -> dict[str, Any]:
    return {
        "symbol": s.symbol,
        "name": s.name,
        "tickSize": price(s.tick_size_ticks),
        "lotSize": s.lot_size,
        "priceBandBps": s.price_band_bps,
        "bandLow": price(s.band_low_ticks),
        "bandHigh": price(s.band_high_ticks),
        "referencePrice": price(s.reference_price_ticks),
        "lastPrice": optional_price(s.last_price_ticks),
        "sharesOutstanding": s.shares_outstanding,
        "status": "halted" if s.halted else "trading",
    }


def ticker(t: TickerView) -> dict[str, Any]:
    return {
        "symbol": t.symbol,
        "name": t.name,
        "last": optional_price(t.last_price_ticks),
        "lastQuantity": t.last_qty,
        "bid": optional_price(t.bid_price_ticks),
        "bidQuantity": t.bid_qty,
        "ask": optional_price(t.ask_price_ticks),
        "askQuantity": t.ask_qty,
        "open": optional_price(t.open_ticks),
        "high": optional_price(t.high_ticks),
        "low": optional_price(t.low_ticks),
        "volume": t.volume,
        "turnover": price(t.turnover_cents),
        "vwap": optional_price(t.vwap_ticks),
        "tradeCount": t.trade_count,
        "previousClose": optional_price(t.prev_close_ticks),
        "change": price(t.change_ticks),
        "changePercent": percent_from_bps(t.change_bps),
        "halted": t.halted,
        "timestamp": millis(t.ts_ns),
    }


def depth(d: DepthSnapshot) -> dict[str, Any]:
    return {
        "symbol": d.symbol,
        "seq": d.seq,
        "bids": [{"price": price(p), "quantity": q} for p, q in d.bids],
        "asks": [{"price": price(p), "quantity": q} for p, q in d.asks],
    }


def trade(t: TradePrint) -> dict[str, Any]:
    return {
        "tradeId": t.trade_id,
        "symbol": t.symbol,
        "price": price(t.price_ticks),
        "quantity": t.quantity,
        "aggressor": t.aggressor.name.lower(),
        "timestamp": millis(t.ts_ns),
    }


def candle(c: CandleBar) -> dict[str, Any]:
    return {
        "symbol": c.symbol,
        "interval": c.interval,
        "start": millis(c.start_ns),
        "open": price(c.open_ticks),
        "high": price(c.high_ticks),
        "low": price(c.low_ticks),
        "close": price(c.close_ticks),
        "volume": c.volume,
        "tradeCount": c.trade_count,
    }


def index(v: IndexView) -> dict[str, Any]:
    return {
        "name": v.name,
        "value": _fixed(v.value_hundredths, 2),
        "change": _fixed(v.change_hundredths, 2),
        "changePercent": percent_from_bps(v.change_bps),
        "dayOpen": _fixed(scaled_round(v.day_open, 100), 2),
        "dayHigh": _fixed(scaled_round(v.day_high, 100), 2),
        "dayLow": _fixed(scaled_round(v.day_low, 100), 2),
        "timestamp": millis(v.ts_ns),
        "constituents": [
            {
                "symbol": c.symbol,
                "price": price(c.price_ticks),
                "weight": _fixed(scaled_round(c.weight, 10_000), 4),
                "contribution": _fixed(scaled_round(c.contribution, 100), 2),
                "changePercent": percent_from_bps(c.change_bps),
            }
            for c in v.constituents
        ],
    }


def index_point(p: IndexPoint) -> dict[str, Any]:
    return {"timestamp": millis(p.ts_ns), "value": _fixed(p.value_hundredths, 2)}
