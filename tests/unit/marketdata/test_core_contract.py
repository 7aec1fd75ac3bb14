"""The projection agrees with the real core: events in, the core's own depth out.

Drives ``aurex.core.Exchange`` with random orders, cancels and amends, feeds each
command's events to ``MarketData`` and compares depth, best prices and last
trade with what the core itself reports after every command.
"""

from __future__ import annotations

import random

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core.events import OrderAccepted, TradeExecuted
from aurex.core.model import OrderType, Side, TimeInForce
from aurex.marketdata import MarketData

from .builders import SECOND_NS, T0

ACCOUNTS = ("ann", "ben", "cat")


class Driver:
    def __init__(self) -> None:
        self.exchange = Exchange()
        self.md = MarketData()
        self.seq = 0
        self.orders: list[tuple[int, str]] = []
        self.last_trade_price = 0

    def run(self, command: c.Command) -> None:
        self.seq += 1
        command.seq = self.seq
        command.ts_ns = T0 + self.seq * SECOND_NS // 10
        events = self.exchange.apply(command)
        for event in events:
            if isinstance(event, OrderAccepted):
                self.orders.append((event.order_id, event.account))
            elif isinstance(event, TradeExecuted):
                self.last_trade_price = event.price_ticks
        self.md.apply(events)


def random_command(rng: random.Random, driver: Driver, n: int) -> c.Command:
    roll = rng.random()
    if roll < 0.3 and driver.orders:
        order_id, account = rng.choice(driver.orders[-30:])
        if roll < 0.12:
            return c.CancelOrder(account=account, order_id=order_id)
        return c.AmendOrder(
            account=account,
            order_id=order_id,
            quantity=rng.randint(1, 40),
            price_ticks=rng.choice((0, 0, rng.randint(9_900, 10_100))),
        )
    account = rng.choice(ACCOUNTS)
    market = roll > 0.92
    return c.PlaceOrder(
        account=account,
        client_order_id=f"c{n}",
        symbol="ACME",
        side=rng.choice((Side.BUY, Side.SELL)),
        order_type=OrderType.MARKET if market else OrderType.LIMIT,
        tif=TimeInForce.IOC if market else rng.choice((TimeInForce.GTC, TimeInForce.DAY)),
        quantity=rng.randint(1, 40),
        price_ticks=0 if market else rng.randint(9_900, 10_100),
    )


def test_projected_depth_matches_the_core_after_every_command() -> None:
    rng = random.Random(11)
    driver = Driver()
    driver.run(
        c.AddSymbol(
            symbol="ACME", name="Acme", reference_price_ticks=10_000, shares_outstanding=10**6
        )
    )
    for account in ACCOUNTS:
        driver.run(c.Deposit(account=account, cash_cents=10**10))
        driver.run(c.Deposit(account=account, symbol="ACME", shares=10**6))
    for n in range(1_500):
        command = c.EndOfDay() if n % 500 == 499 else random_command(rng, driver, n)
        driver.run(command)
        bids, asks = driver.exchange.depth("ACME", 1_000)
        snap = driver.md.depth("ACME", levels=None)
        assert snap is not None
        assert (list(snap.bids), list(snap.asks)) == (bids, asks), f"after {command!r}"
        ticker = driver.md.ticker("ACME")
        assert ticker is not None
        assert (ticker.bid_price_ticks, ticker.ask_price_ticks) == (
            bids[0][0] if bids else 0,
            asks[0][0] if asks else 0,
        )
        if driver.last_trade_price:
            assert ticker.last_price_ticks == driver.last_trade_price
    assert driver.md.depth_anomalies == 0
    trades = driver.md.trades("ACME", limit=None)
    assert trades, "the random flow should have traded"
