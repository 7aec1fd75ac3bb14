"""Per-symbol market: the book, pending stops, and the matching pipeline.

An incoming order is matched against the opposite side (price-time priority,
trades at the resting price), then its remainder rests or is cancelled according
to its type and time in force. Settlement and events happen fill by fill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from aurex.core.book import OrderBook
from aurex.core.events import (
    Event,
    OrderCancelled,
    OrderExpired,
    OrderRested,
    OrderTriggered,
    TradeExecuted,
)
from aurex.core.model import CancelReason, Order, OrderStatus, OrderType, Side, StpMode, TimeInForce
from aurex.core.risk import Account, release, settle

BPS: Final = 10_000


# Enum members bound once (attribute lookup on an Enum class costs ~70 ns in CPython
# 3.11); Final, so the compiled build reads them from C statics, not the module dict.
BUY: Final = Side.BUY
MARKET: Final = OrderType.MARKET
STOP_LIMIT: Final = OrderType.STOP_LIMIT
STOP: Final = OrderType.STOP
IOC: Final = TimeInForce.IOC
FOK: Final = TimeInForce.FOK
CANCEL_NEWEST: Final = StpMode.CANCEL_NEWEST
CANCEL_OLDEST: Final = StpMode.CANCEL_OLDEST
FILLED: Final = OrderStatus.FILLED
PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
CANCELLED: Final = OrderStatus.CANCELLED
IOC_REMAINDER: Final = CancelReason.IOC_REMAINDER
MARKET_COLLAR: Final = CancelReason.MARKET_COLLAR
NO_LIQUIDITY: Final = CancelReason.NO_LIQUIDITY


@dataclass(slots=True)
class Registry:
    """Exchange-wide state the matcher needs: accounts, live orders, id counters."""

    accounts: dict[str, Account] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    next_order_id: int = 1
    next_trade_id: int = 1

    def finish(self, order: Order) -> None:
        """Forget a filled, cancelled or expired order; its client order id is free again.

        Every order ends here, so an account's ``client_order_ids`` only ever holds
        the ids of its open orders and does not grow with history.
        """
        del self.orders[order.order_id]
        account = self.accounts[order.account]
        del account.open_orders[order.order_id]
        del account.client_order_ids[order.client_order_id]


@dataclass(slots=True, eq=False)
class SymbolMarket:
    symbol: str
    name: str
    tick_size_ticks: int
    lot_size: int
    price_band_bps: int
    shares_outstanding: int
    reference_price_ticks: int
    collar_bps: int
    last_price_ticks: int = 0
    halted: bool = False
    book: OrderBook = field(init=False)
    stops: dict[int, Order] = field(default_factory=dict)
    band_low_ticks: int = field(init=False)
    band_high_ticks: int = field(init=False)

    def __post_init__(self) -> None:
        self.book = OrderBook(self.symbol)
        self.set_reference(self.reference_price_ticks)

    def set_reference(self, price_ticks: int) -> None:
        """New reference (previous close); the price band moves with it."""
        self.reference_price_ticks = price_ticks
        width = price_ticks * self.price_band_bps // BPS
        self.band_low_ticks = price_ticks - width
        self.band_high_ticks = price_ticks + width

    @property
    def mark_price_ticks(self) -> int:
        """Last trade price, or the reference price before the first trade."""
        return self.last_price_ticks or self.reference_price_ticks

    def band(self) -> tuple[int, int]:
        return self.band_low_ticks, self.band_high_ticks

    def collar_limit(self, side: Side, from_price: int) -> int:
        """The worst price a market order may trade at, on the tick."""
        tick = self.tick_size_ticks
        width = from_price * self.collar_bps // BPS
        if side is BUY:
            return (from_price + width) // tick * tick
        return max(tick, -(-(from_price - width) // tick) * tick)

    def crosses(self, side: Side, price: int) -> bool:
        if side is BUY:
            best = self.book.best_ask()
            return best != 0 and price >= best
        best = self.book.best_bid()
        return best != 0 and price <= best

    def stop_reached(self, side: Side, stop_price: int) -> bool:
        mark = self.mark_price_ticks
        return mark >= stop_price if side is BUY else mark <= stop_price

    def can_fill_completely(self, taker: Order, limit: int) -> bool:
        """FOK pre-check: would matching up to ``limit`` fill all of ``taker``?"""
        need = taker.remaining
        is_buy = taker.side is BUY
        for level in self.book.opposite(taker.side).levels_best_first():
            price = level.price_ticks
            if (price > limit) if is_buy else (price < limit):
                return False
            for maker in level:
                if maker.account == taker.account:
                    if taker.stp is CANCEL_OLDEST:
                        continue
                    return False
                need -= maker.remaining
                if need <= 0:
                    return True
        return False

    def execute(
        self, taker: Order, limit: int, reg: Registry, events: list[Event], seq: int, ts: int
    ) -> None:
        """Match ``taker`` up to ``limit``, then rest or cancel what is left."""
        is_buy, tif, book = taker.side is BUY, taker.tif, self.book
        prices = book.asks.prices if is_buy else book.bids.prices
        crossing = (prices[0] <= limit if is_buy else prices[-1] >= limit) if prices else False
        if tif is FOK and not (crossing and self.can_fill_completely(taker, limit)):
            self._cancel_remainder(taker, CancelReason.FOK_NOT_FILLABLE, reg, events, seq, ts)
            return
        self_trade = crossing and self._match(taker, limit, reg, events, seq, ts)
        if taker.remaining == 0:
            taker.status = FILLED
            reg.finish(taker)
        elif self_trade:
            self._cancel_remainder(taker, CancelReason.SELF_TRADE, reg, events, seq, ts)
        elif taker.order_type is MARKET or taker.order_type is STOP:
            reason = MARKET_COLLAR if prices else NO_LIQUIDITY
            self._cancel_remainder(taker, reason, reg, events, seq, ts)
        elif tif is IOC or tif is FOK:
            self._cancel_remainder(taker, IOC_REMAINDER, reg, events, seq, ts)
        else:
            book.add(taker)
            events.append(
                OrderRested(
                    seq,
                    ts,
                    taker.order_id,
                    taker.account,
                    self.symbol,
                    taker.side,
                    taker.price_ticks,
                    taker.remaining,
                )
            )

    def _match(
        self, taker: Order, limit: int, reg: Registry, events: list[Event], seq: int, ts: int
    ) -> bool:
        """Fill against resting orders; True if self-trade prevention stopped the taker."""
        is_buy = taker.side is BUY
        opposite = self.book.asks if is_buy else self.book.bids
        prices, levels, best = opposite.prices, opposite.levels, opposite.best_index
        accounts = reg.accounts
        taker_account_id = taker.account
        taker_account = accounts[taker_account_id]
        symbol = self.symbol
        stopped = False
        while taker.remaining and prices:
            price = prices[best]
            if (price > limit) if is_buy else (price < limit):
                break
            level = levels[price]
            maker = level.head
            while maker is not None and taker.remaining:
                following = maker.next
                if maker.account == taker_account_id:
                    if taker.stp is not CANCEL_NEWEST:
                        level.unlink(maker)
                        maker.in_book = False
                        self._cancel_remainder(
                            maker, CancelReason.SELF_TRADE, reg, events, seq, ts, True
                        )
                    if taker.stp is not CANCEL_OLDEST:
                        stopped = True
                        break
                    maker = following
                    continue
                qty = taker.remaining if taker.remaining < maker.remaining else maker.remaining
                cost = price * qty
                maker.remaining -= qty
                maker.filled += qty
                maker.filled_cost_cents += cost
                taker.remaining -= qty
                taker.filled += qty
                taker.filled_cost_cents += cost
                level.total_qty -= qty
                maker_account = accounts[maker.account]
                if is_buy:
                    settle(taker_account, taker, maker_account, maker, price, qty)
                    buy, sell = taker, maker
                else:
                    settle(maker_account, maker, taker_account, taker, price, qty)
                    buy, sell = maker, taker
                events.append(
                    TradeExecuted(  # trade id, symbol, price, qty, buy/sell ids, accounts, ...
                        seq,
                        ts,
                        reg.next_trade_id,
                        symbol,
                        price,
                        qty,
                        buy.order_id,
                        sell.order_id,
                        buy.account,
                        sell.account,
                        taker.side,
                        buy.remaining,
                        sell.remaining,
                    )
                )
                reg.next_trade_id += 1
                self.last_price_ticks = price
                if maker.remaining == 0:
                    level.unlink(maker)
                    maker.in_book = False
                    maker.status = FILLED
                    reg.finish(maker)
                else:
                    maker.status = PARTIALLY_FILLED
                maker = following
            if level.count == 0:
                opposite.drop_level(price)
            if stopped:
                break
        if taker.filled:
            taker.status = PARTIALLY_FILLED
        return stopped

    def _cancel_remainder(
        self,
        order: Order,
        reason: CancelReason,
        reg: Registry,
        events: list[Event],
        seq: int,
        ts: int,
        was_resting: bool = False,
    ) -> None:
        remaining = order.remaining
        release(reg.accounts[order.account], order, remaining)
        order.status = CANCELLED
        reg.finish(order)
        events.append(
            OrderCancelled(
                seq,
                ts,
                order.order_id,
                order.account,
                self.symbol,
                order.side,
                order.price_ticks,
                remaining,
                reason,
                was_resting,
            )
        )

    def cancel(
        self,
        order: Order,
        reason: CancelReason,
        reg: Registry,
        events: list[Event],
        seq: int,
        ts: int,
    ) -> None:
        """Cancel a live order wherever it waits: in the book or among the stops."""
        was_resting = self._withdraw(order)
        self._cancel_remainder(order, reason, reg, events, seq, ts, was_resting)

    def expire(self, order: Order, reg: Registry, events: list[Event], seq: int, ts: int) -> None:
        """End a DAY order at the close, releasing what it held."""
        was_resting = self._withdraw(order)
        release(reg.accounts[order.account], order, order.remaining)
        order.status = OrderStatus.EXPIRED
        reg.finish(order)
        events.append(
            OrderExpired(
                seq,
                ts,
                order.order_id,
                order.account,
                self.symbol,
                order.side,
                order.price_ticks,
                order.remaining,
                was_resting,
            )
        )

    def _withdraw(self, order: Order) -> bool:
        """Take a live order out of the book or the stops; True if it was in the book."""
        was_resting = order.in_book
        if was_resting:
            self.book.remove(order)
        else:
            del self.stops[order.order_id]
        return was_resting

    def run_triggers(self, reg: Registry, events: list[Event], seq: int, ts: int) -> None:
        """Fire every stop whose trigger the last price reached, until none is left."""
        while self.stops:
            fired = [
                o for o in self.stops.values() if self.stop_reached(o.side, o.stop_price_ticks)
            ]
            if not fired:
                return
            for order in fired:
                if order.order_id not in self.stops:
                    continue
                del self.stops[order.order_id]
                order.status = OrderStatus.NEW
                events.append(
                    OrderTriggered(
                        seq=seq,
                        ts_ns=ts,
                        order_id=order.order_id,
                        account=order.account,
                        symbol=self.symbol,
                    )
                )
                self.execute(order, self.trigger_limit(order), reg, events, seq, ts)

    def trigger_limit(self, order: Order) -> int:
        """Matching limit for a fired stop: its limit price, or a collar within its hold."""
        if order.order_type is STOP_LIMIT:
            return order.price_ticks
        collar = self.collar_limit(order.side, self.mark_price_ticks)
        if order.side is BUY:
            return min(collar, order.hold_price_ticks)
        return collar
