"""Invariants of a whole exchange, checked against the event-built shadow.

Books must match the shadow level by level and order by order (which is the FIFO
check: the shadow queues orders in the order the events rested them), the
linked lists and level totals must be self-consistent, no book is crossed,
live orders and holds add up, and total cash and shares equal what was deposited
minus what was withdrawn.
"""

from __future__ import annotations

from aurex.core import Exchange
from aurex.core.book import BookSide, PriceLevel
from aurex.core.matching import SymbolMarket
from aurex.core.model import OrderStatus, OrderType, Side
from tests.property.pricing import collar_limit
from tests.property.shadow import Shadow, State, expect

_LIVE = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


def check_exchange(ex: Exchange, shadow: Shadow) -> None:
    """Every invariant; raises AssertionError naming the first one broken."""
    for market in ex.markets.values():
        check_book(market, shadow)
    check_orders(ex, shadow)
    check_funds(ex, shadow)


def walk(level: PriceLevel) -> list[int]:
    """Order ids of a level by following the links, checking them on the way."""
    ids: list[int] = []
    prev = None
    node = level.head
    while node is not None:
        expect(node.prev is prev, f"broken prev link at order {node.order_id}")
        expect(len(ids) <= level.count, f"level {level.price_ticks} longer than its count")
        ids.append(node.order_id)
        prev, node = node, node.next
    expect(level.tail is prev, f"level {level.price_ticks} tail is not its last order")
    return ids


def check_book(market: SymbolMarket, shadow: Shadow) -> None:
    book = market.book
    for side, book_side in ((Side.BUY, book.bids), (Side.SELL, book.asks)):
        real = _levels(market.symbol, side, book_side)
        expected = {p: list(ids) for p, ids in shadow.levels[(market.symbol, side)].items() if ids}
        expect(
            real == expected,
            f"{market.symbol} {side.name} book {real} differs from event history {expected}",
        )
    bid, ask = book.best_bid(), book.best_ask()
    expect(not (bid and ask and bid >= ask), f"{market.symbol} crossed: bid {bid} >= ask {ask}")
    pending = {
        o.order_id
        for o in shadow.orders.values()
        if o.symbol == market.symbol and o.state is State.PENDING
    }
    expect(set(market.stops) == pending, f"{market.symbol} stops {set(market.stops)} != {pending}")
    for stop in market.stops.values():
        expect(
            not stop.in_book and stop.status is OrderStatus.PENDING_TRIGGER,
            f"stop {stop.order_id} in a bad state",
        )


def _levels(symbol: str, side: Side, book_side: BookSide) -> dict[int, list[int]]:
    prices = book_side.prices
    expect(len(set(prices)) == len(prices), f"{symbol} price list {prices} has duplicates")
    expect(set(prices) == set(book_side.levels), "price list and level map disagree")
    walked = [level.price_ticks for level in book_side.levels_best_first()]
    best_first = sorted(prices, reverse=side is Side.BUY)
    expect(walked == best_first, f"{symbol} {side.name} levels not best first: {walked}")
    best = book_side.best()
    expect((best.price_ticks if best else None) == (walked[0] if walked else None), "best()")
    out: dict[int, list[int]] = {}
    for price in walked:
        level = book_side.levels[price]
        ids = walk(level)
        orders = list(level)
        expect(level.count == len(ids) > 0, f"{symbol} level {price} count {level.count} wrong")
        expect(
            level.total_qty == sum(o.remaining for o in orders),
            f"{symbol} level {price} total_qty {level.total_qty} != sum of remaining",
        )
        for o in orders:
            expect(
                o.in_book and o.price_ticks == price and o.side is side and o.symbol == symbol,
                f"order {o.order_id} misplaced in {symbol} {side.name} {price}",
            )
            expect(o.remaining > 0 and o.status in _LIVE, f"dead order {o.order_id} in the book")
        out[price] = ids
    return out


def check_orders(ex: Exchange, shadow: Shadow) -> None:
    live = ex.registry.orders
    expect(set(live) == set(shadow.orders), f"live {set(live)} != events {set(shadow.orders)}")
    for oid, o in live.items():
        s = shadow.orders[oid]
        expect(o.quantity == o.filled + o.remaining, f"order {oid} quantity != filled + remaining")
        expect(
            (o.quantity, o.filled, o.filled_cost_cents, o.price_ticks)
            == (s.quantity, s.filled, s.filled_cost, s.price),
            f"order {oid} disagrees with its events",
        )
        expect(o.in_book == (s.state is State.RESTING), f"order {oid} in_book is wrong")
    for account_id, account in ex.accounts.items():
        mine = {oid for oid, o in live.items() if o.account == account_id}
        expect(set(account.open_orders) == mine, f"{account_id} open_orders out of step")
        cids = {o.client_order_id: oid for oid, o in live.items() if o.account == account_id}
        expect(
            account.client_order_ids == cids,
            f"{account_id} client order ids {account.client_order_ids} are not its open ones",
        )
        today = shadow.orders_today[account_id]
        expect(account.orders_today == today, f"{account_id} orders today != {today} accepted")
        lim = account.limits
        values = (
            lim.max_order_quantity,
            lim.max_notional_cents,
            lim.max_open_orders,
            lim.max_orders_per_day,
        )
        set_by_command = shadow.limits.get(account_id, values)
        expect(values == set_by_command, f"{account_id} limits {values} != {set_by_command}")


def check_funds(ex: Exchange, shadow: Shadow) -> None:
    accounts = ex.accounts.values()
    cash = sum(a.cash_cents for a in accounts)
    expect(cash == shadow.cash_total, f"cash {cash} != deposits - withdrawals {shadow.cash_total}")
    for symbol in ex.markets:
        shares = sum(a.positions[symbol].shares for a in accounts if symbol in a.positions)
        expected = shadow.shares_total[symbol]
        expect(shares == expected, f"{symbol} shares {shares} != deposits - withdrawals {expected}")
    collar_bps = ex.config.collar_bps
    for a in accounts:
        cash_held = 0
        shares_held: dict[str, int] = {}
        for o in a.open_orders.values():
            if o.side is Side.BUY:
                if o.order_type is OrderType.STOP:
                    tick = ex.markets[o.symbol].tick_size_ticks
                    need = collar_limit(Side.BUY, o.stop_price_ticks, tick, collar_bps)
                else:
                    need = o.price_ticks
                expect(o.hold_price_ticks == need, f"order {o.order_id} holds at a wrong price")
                cash_held += need * o.remaining
            else:
                shares_held[o.symbol] = shares_held.get(o.symbol, 0) + o.remaining
        expect(a.cash_held_cents == cash_held, f"{a.account_id} holds {a.cash_held_cents} cents")
        expect(0 <= a.cash_held_cents <= a.cash_cents, f"{a.account_id} cash overdrawn")
        for symbol, pos in a.positions.items():
            want = shares_held.get(symbol, 0)
            expect(pos.held == want, f"{a.account_id} holds {pos.held} {symbol}, needs {want}")
            expect(0 <= pos.held <= pos.shares, f"{a.account_id} short {symbol}")
        expect(set(shares_held) <= set(a.positions), f"{a.account_id} sells without a position")
