"""A deliberately simple exchange to check the real matcher against.

Plain lists, linear scans and a fresh sort on every fill: slow and obviously
right. It covers limit orders (GTC, DAY, IOC, FOK), market orders with the
collar, the price band, post-only, the three self-trade prevention modes,
cancels, amends and the end of day. It has no risk checks (the differential test
funds every account far beyond what it trades) and no stop orders. Order ids
are numbered like the exchange's: 1, 2, ... for each accepted order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from aurex.core.codes import RejectCode
from aurex.core.model import CancelReason, OrderType, Side, StpMode, TimeInForce
from tests.property.pricing import collar_limit, opposite, within

Trade = tuple[str, int, int, int, int]  # symbol, price, quantity, buy order id, sell order id
Cancel = tuple[int, int, CancelReason]  # order id, remaining, reason


@dataclass
class RefOrder:
    order_id: int
    account: str
    side: Side
    price: int
    quantity: int
    tif: TimeInForce
    post_only: bool
    stp: StpMode
    arrival: int = 0  # smaller is earlier in the queue at its price
    filled: int = 0

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled


@dataclass
class RefMarket:
    tick: int
    reference: int
    band_bps: int
    last: int = 0
    resting: list[RefOrder] = field(default_factory=list)

    @property
    def mark(self) -> int:
        return self.last or self.reference

    def in_band(self, price: int) -> bool:
        """Limit prices must lie within ``band_bps`` of the reference (previous close)."""
        width = self.reference * self.band_bps // 10_000
        return self.reference - width <= price <= self.reference + width


@dataclass
class Outcome:
    """What one command did, in the same terms the test projects real events into."""

    order_id: int = 0  # the accepted order, if any
    rejected: RejectCode | None = None
    trades: list[Trade] = field(default_factory=list)
    cancels: list[Cancel] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)


def queue(market: RefMarket, side: Side) -> list[RefOrder]:
    """Resting orders of one side in priority order: best price, then earliest arrival."""
    mine = [o for o in market.resting if o.side is side]
    if side is Side.BUY:
        return sorted(mine, key=lambda o: (-o.price, o.arrival))
    return sorted(mine, key=lambda o: (o.price, o.arrival))


class ReferenceExchange:
    def __init__(self, collar_bps: int) -> None:
        self.collar_bps = collar_bps
        self.markets: dict[str, RefMarket] = {}
        self.live: dict[int, tuple[str, RefOrder]] = {}  # order id -> (symbol, order)
        self.next_order_id = 1
        self.clock = 0  # arrival counter

    def add_symbol(self, symbol: str, reference: int, tick: int, band_bps: int) -> None:
        self.markets[symbol] = RefMarket(tick, reference, band_bps)

    def place(
        self,
        account: str,
        symbol: str,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        quantity: int,
        price: int,
        post_only: bool,
        stp: StpMode,
    ) -> Outcome:
        market = self.markets[symbol]
        if order_type is OrderType.LIMIT and not market.in_band(price):
            return Outcome(rejected=RejectCode.PRICE_OUTSIDE_BAND)
        if post_only and self._crosses(market, side, price):
            return Outcome(rejected=RejectCode.POST_ONLY_WOULD_CROSS)
        if order_type is OrderType.MARKET:
            limit = collar_limit(side, market.mark, market.tick, self.collar_bps)
        else:
            limit = price
        order = RefOrder(self.next_order_id, account, side, price, quantity, tif, post_only, stp)
        self.next_order_id += 1
        out = Outcome(order_id=order.order_id)
        self._execute(symbol, order, limit, order_type is OrderType.MARKET, out)
        return out

    def cancel(self, account: str, order_id: int) -> Outcome:
        found = self.live.get(order_id)
        if found is None or found[1].account != account:
            return Outcome(rejected=RejectCode.UNKNOWN_ORDER)
        symbol, order = found
        self._remove(symbol, order)
        return Outcome(cancels=[(order_id, order.remaining, CancelReason.USER_REQUESTED)])

    def amend(self, account: str, order_id: int, quantity: int, price: int) -> Outcome:
        """Change a resting order; ``quantity`` is the new total, 0 keeps a field."""
        found = self.live.get(order_id)
        if found is None or found[1].account != account:
            return Outcome(rejected=RejectCode.UNKNOWN_ORDER)
        symbol, order = found
        new_qty = quantity or order.quantity
        new_price = price or order.price
        if new_qty == order.quantity and new_price == order.price:
            return Outcome(rejected=RejectCode.AMEND_NO_CHANGE)
        if new_qty <= order.filled:
            return Outcome(rejected=RejectCode.AMEND_BELOW_FILLED)
        market = self.markets[symbol]
        if new_price != order.price and not market.in_band(new_price):
            return Outcome(rejected=RejectCode.PRICE_OUTSIDE_BAND)
        if order.post_only and self._crosses(market, order.side, new_price):
            return Outcome(rejected=RejectCode.POST_ONLY_WOULD_CROSS)
        out = Outcome()
        if new_price == order.price and new_qty < order.quantity:
            order.quantity = new_qty  # keeps its place in the queue
            return out
        self._remove(symbol, order)
        order.quantity, order.price = new_qty, new_price
        self._execute(symbol, order, new_price, False, out)
        return out

    def end_of_day(self) -> Outcome:
        out = Outcome()
        for order_id in sorted(self.live):
            symbol, order = self.live[order_id]
            if order.tif is TimeInForce.DAY:
                self._remove(symbol, order)
                out.expired.append(order_id)
        for market in self.markets.values():
            market.reference = market.mark
        return out

    def book(self, symbol: str) -> list[tuple[Side, int, int, int]]:
        """(side, price, order id, remaining): bids best first, then asks best first."""
        market = self.markets[symbol]
        return [
            (o.side, o.price, o.order_id, o.remaining)
            for side in (Side.BUY, Side.SELL)
            for o in queue(market, side)
        ]

    # -- matching -------------------------------------------------------------

    def _crosses(self, market: RefMarket, side: Side, price: int) -> bool:
        makers = queue(market, opposite(side))
        return bool(makers) and within(side, makers[0].price, price)

    def _execute(
        self, symbol: str, order: RefOrder, limit: int, is_market: bool, out: Outcome
    ) -> None:
        market = self.markets[symbol]
        if order.tif is TimeInForce.FOK:
            # Try it on a copy of the book; go ahead only if that fills it completely.
            trial_market, trial_order = copy.deepcopy(market), copy.deepcopy(order)
            self._match(symbol, trial_market, trial_order, limit, Outcome(), dict(self.live))
            if trial_order.remaining:
                out.cancels.append((order.order_id, order.remaining, CancelReason.FOK_NOT_FILLABLE))
                return
        stopped = self._match(symbol, market, order, limit, out, self.live)
        if order.remaining == 0:
            return
        if stopped:
            reason = CancelReason.SELF_TRADE
        elif is_market:
            no_makers = not queue(market, opposite(order.side))
            reason = CancelReason.NO_LIQUIDITY if no_makers else CancelReason.MARKET_COLLAR
        elif order.tif in (TimeInForce.IOC, TimeInForce.FOK):
            reason = CancelReason.IOC_REMAINDER
        else:
            self.clock += 1
            order.arrival = self.clock
            market.resting.append(order)
            self.live[order.order_id] = (symbol, order)
            return
        out.cancels.append((order.order_id, order.remaining, reason))

    def _match(
        self,
        symbol: str,
        market: RefMarket,
        taker: RefOrder,
        limit: int,
        out: Outcome,
        live: dict[int, tuple[str, RefOrder]],
    ) -> bool:
        """Fill ``taker`` against the book; True if self-trade prevention stopped it."""
        while taker.remaining:
            makers = queue(market, opposite(taker.side))
            if not makers or not within(taker.side, makers[0].price, limit):
                return False
            maker = makers[0]
            if maker.account == taker.account:
                if taker.stp in (StpMode.CANCEL_OLDEST, StpMode.CANCEL_BOTH):
                    market.resting.remove(maker)
                    del live[maker.order_id]
                    out.cancels.append((maker.order_id, maker.remaining, CancelReason.SELF_TRADE))
                if taker.stp in (StpMode.CANCEL_NEWEST, StpMode.CANCEL_BOTH):
                    return True
                continue
            qty = min(taker.remaining, maker.remaining)
            taker.filled += qty
            maker.filled += qty
            buy, sell = (taker, maker) if taker.side is Side.BUY else (maker, taker)
            out.trades.append((symbol, maker.price, qty, buy.order_id, sell.order_id))
            market.last = maker.price
            if maker.remaining == 0:
                market.resting.remove(maker)
                del live[maker.order_id]
        return False

    def _remove(self, symbol: str, order: RefOrder) -> None:
        self.markets[symbol].resting.remove(order)
        del self.live[order.order_id]
