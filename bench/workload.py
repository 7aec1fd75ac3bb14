"""Deterministic order-flow workload for benchmarks.

10,000 resting orders, then operations: about 60% passive limits, 30% cancels of
resting orders and 10% marketable orders (IOC limits and market orders). Commands
are generated against a live Exchange so every cancel names an order that is
really resting; benchmarks then replay the identical list into fresh instances.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from aurex.core import Exchange
from aurex.core.commands import AddSymbol, CancelOrder, Command, Deposit, PlaceOrder
from aurex.core.events import OrderRested, TradeExecuted
from aurex.core.model import OrderType, Side, TimeInForce
from aurex.listing import load_listings

ACCOUNTS = 200
CASH_CENTS = 10**15
SHARES = 10**9


@dataclass(slots=True)
class Workload:
    setup: list[Command]
    operations: list[Command]
    mix: dict[str, int]


def build(resting: int = 10_000, operations: int = 200_000, seed: int = 7) -> Workload:
    rng = random.Random(seed)
    listings = load_listings()
    setup: list[Command] = list(listings)
    for a in range(ACCOUNTS):
        setup.append(Deposit(account=f"acct{a}", cash_cents=CASH_CENTS))
        setup.extend(Deposit(account=f"acct{a}", symbol=s.symbol, shares=SHARES) for s in listings)
    shadow = Exchange()
    for seq, cmd in enumerate(setup, 1):
        _stamp(cmd, seq)
        shadow.apply(cmd)
    gen = _Generator(rng, shadow, listings, len(setup))
    for _ in range(resting):
        setup.append(gen.passive())
    ops: list[Command] = []
    mix = {"passive": 0, "cancel": 0, "marketable": 0}
    for _ in range(operations):
        roll = rng.random()
        if roll < 0.6 or not gen.live:
            ops.append(gen.passive())
            mix["passive"] += 1
        elif roll < 0.9:
            ops.append(gen.cancel())
            mix["cancel"] += 1
        else:
            ops.append(gen.marketable())
            mix["marketable"] += 1
    return Workload(setup, ops, mix)


def _stamp(cmd: Command, seq: int) -> None:
    cmd.seq = seq
    cmd.ts_ns = 1_700_000_000_000_000_000 + seq * 10_000


class _Generator:
    def __init__(
        self, rng: random.Random, shadow: Exchange, listings: list[AddSymbol], seq: int
    ) -> None:
        self.rng, self.shadow, self.seq = rng, shadow, seq
        self.symbols = [s.symbol for s in listings]
        self.live: list[int] = []
        self.where: dict[int, int] = {}
        self.owner: dict[int, str] = {}
        self.cid = 0

    def _apply(self, cmd: Command) -> Command:
        self.seq += 1
        _stamp(cmd, self.seq)
        for event in self.shadow.apply(cmd):
            if isinstance(event, OrderRested):
                self._track(event.order_id, event.account)
            elif isinstance(event, TradeExecuted):
                for oid, left in (
                    (event.buy_order_id, event.buy_remaining),
                    (event.sell_order_id, event.sell_remaining),
                ):
                    if left == 0:
                        self._untrack(oid)
        if isinstance(cmd, CancelOrder):
            self._untrack(cmd.order_id)
        return cmd

    def _track(self, oid: int, account: str) -> None:
        self.where[oid] = len(self.live)
        self.live.append(oid)
        self.owner[oid] = account

    def _untrack(self, oid: int) -> None:
        pos = self.where.pop(oid, None)
        if pos is None:
            return
        last = self.live.pop()
        if last != oid:
            self.live[pos] = last
            self.where[last] = pos
        del self.owner[oid]

    def _order(self, **fields: object) -> PlaceOrder:
        self.cid += 1
        account = f"acct{self.rng.randrange(ACCOUNTS)}"
        return PlaceOrder(account=account, client_order_id=f"w{self.cid}", **fields)  # type: ignore[arg-type]

    def passive(self) -> Command:
        rng = self.rng
        symbol = rng.choice(self.symbols)
        market = self.shadow.markets[symbol]
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        mid = market.mark_price_ticks
        low, high = market.band()
        if side is Side.BUY:
            top = (market.book.best_ask() or mid + 1) - 1
            price = max(low, top - rng.randrange(0, 40))
        else:
            bottom = (market.book.best_bid() or mid - 1) + 1
            price = min(high, bottom + rng.randrange(0, 40))
        return self._apply(
            self._order(
                symbol=symbol,
                side=side,
                order_type=OrderType.LIMIT,
                quantity=rng.randint(1, 20) * 10,
                price_ticks=price,
            )
        )

    def cancel(self) -> Command:
        oid = self.live[self.rng.randrange(len(self.live))]
        return self._apply(CancelOrder(account=self.owner[oid], order_id=oid))

    def marketable(self) -> Command:
        rng = self.rng
        symbol = rng.choice(self.symbols)
        market = self.shadow.markets[symbol]
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        qty = rng.randint(1, 30) * 10
        if rng.random() < 0.5:
            return self._apply(
                self._order(
                    symbol=symbol,
                    side=side,
                    order_type=OrderType.MARKET,
                    tif=TimeInForce.IOC,
                    quantity=qty,
                )
            )
        best = market.book.best_ask() if side is Side.BUY else market.book.best_bid()
        price = best or market.mark_price_ticks
        price = price + 5 if side is Side.BUY else price - 5
        low, high = market.band()
        return self._apply(
            self._order(
                symbol=symbol,
                side=side,
                order_type=OrderType.LIMIT,
                tif=TimeInForce.IOC,
                quantity=qty,
                price_ticks=min(high, max(low, price)),
            )
        )
