"""A minimal limit order book: the yardstick the core is compared against.

Price-time matching only: no validation, risk, settlement, events objects or
market data. It shows what bare matching costs in this interpreter on this
machine, so the core's figures can be read as a ratio rather than absolutes.
"""

from __future__ import annotations

from bisect import insort
from collections import deque

from aurex.core.commands import CancelOrder, Command, PlaceOrder
from aurex.core.model import OrderType, Side

_BUY = Side.BUY
_LIMIT = OrderType.LIMIT


class MinimalBook:
    """Dict of price -> deque of [order_id, qty]; lazy deletion for cancels."""

    def __init__(self) -> None:
        self.levels: tuple[dict[int, deque[list[int]]], dict[int, deque[list[int]]]] = ({}, {})
        self.prices: tuple[list[int], list[int]] = ([], [])
        self.live: dict[int, list[int]] = {}
        self.next_id = 1
        self.trades = 0

    def apply(self, cmd: Command) -> None:
        if type(cmd) is CancelOrder:
            entry = self.live.pop(cmd.order_id, None)
            if entry is not None:
                entry[1] = 0
            return
        assert isinstance(cmd, PlaceOrder)
        oid = self.next_id
        self.next_id += 1
        is_buy = cmd.side is _BUY
        side = 1 if is_buy else 0
        levels, prices = self.levels[side], self.prices[side]
        remaining = cmd.quantity
        limit = cmd.price_ticks if cmd.order_type is _LIMIT else (10**12 if is_buy else 0)
        while remaining and prices:
            best = prices[0] if is_buy else prices[-1]
            if (best > limit) if is_buy else (best < limit):
                break
            queue = levels[best]
            while queue and remaining:
                head = queue[0]
                if head[1] == 0:
                    queue.popleft()
                    continue
                qty = min(remaining, head[1])
                head[1] -= qty
                remaining -= qty
                self.trades += 1
                if head[1] == 0:
                    queue.popleft()
                    self.live.pop(head[0], None)
            if not queue:
                del levels[best]
                prices.pop(0 if is_buy else -1)
        if remaining and cmd.order_type is _LIMIT and cmd.tif.value < 2:
            own_levels, own_prices = self.levels[1 - side], self.prices[1 - side]
            resting = own_levels.get(cmd.price_ticks)
            if resting is None:
                resting = own_levels[cmd.price_ticks] = deque()
                insort(own_prices, cmd.price_ticks)
            entry = [oid, remaining]
            resting.append(entry)
            self.live[oid] = entry
