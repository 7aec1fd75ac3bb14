"""Test helpers: a realistic order flow through the real core, batched like the sequencer.

``Market`` stamps commands, applies them to a real ``Exchange`` and groups the events
into batches. ``random_flow`` makes a deterministic mix of every order type plus
cancels, amends and an end of day, so the projector sees every kind of event.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from aurex.core import Exchange
from aurex.core.commands import (
    AddSymbol,
    AmendOrder,
    CancelOrder,
    Command,
    Deposit,
    EndOfDay,
    PlaceOrder,
    Withdraw,
)
from aurex.core.events import Event, OrderAccepted, OrderRested, TradeExecuted
from aurex.core.model import OrderType, Side, TimeInForce

SYMBOLS = {"ACME": 10_000, "BOLT": 2_500, "CRUX": 40_000}
ACCOUNTS = [f"acct-{i:02d}" for i in range(12)]


@dataclass
class Market:
    """A real exchange whose commands are stamped like the sequencer stamps them."""

    exchange: Exchange = field(default_factory=Exchange)
    seq: int = 0
    batches: list[list[Event]] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)

    def apply(self, commands: list[Command]) -> list[Event]:
        """Apply commands as one sequencer batch; returns (and records) its events."""
        batch: list[Event] = []
        for command in commands:
            self.seq += 1
            command.seq = self.seq
            command.ts_ns = 1_767_225_600_000_000_000 + self.seq * 1_000_000
            self.commands.append(command)
            batch.extend(self.exchange.apply(command))
        self.batches.append(batch)
        return batch

    def events(self) -> list[Event]:
        return [e for batch in self.batches for e in batch]


def opening_commands() -> list[Command]:
    commands: list[Command] = [
        AddSymbol(symbol=s, name=f"{s} Corp", reference_price_ticks=p, shares_outstanding=10**9)
        for s, p in SYMBOLS.items()
    ]
    for account in ACCOUNTS:
        commands.append(Deposit(account=account, cash_cents=500_000_000))
        commands.extend(Deposit(account=account, symbol=s, shares=50_000) for s in SYMBOLS)
    return commands


def random_flow(
    run: Callable[[list[Command]], list[Event]], orders: int, seed: int
) -> Iterator[list[Command]]:
    """Run (with ``run``) and yield batches of ``orders`` PlaceOrders plus cancels,
    amends, withdrawals and ends of day."""
    rng = random.Random(seed)
    resting: list[tuple[str, int]] = []
    placed = 0
    while placed < orders:
        batch: list[Command] = []
        for _ in range(rng.randint(1, 40)):
            roll = rng.random()
            if roll < 0.08 and resting:
                account, order_id = resting.pop(rng.randrange(len(resting)))
                batch.append(CancelOrder(account=account, order_id=order_id))
            elif roll < 0.12 and resting:
                account, order_id = rng.choice(resting)
                batch.append(
                    AmendOrder(account=account, order_id=order_id, quantity=rng.randint(1, 30))
                )
            elif roll < 0.125:
                batch.append(
                    Withdraw(account=rng.choice(ACCOUNTS), cash_cents=rng.randint(1, 1000))
                )
            elif placed < orders:
                placed += 1
                batch.append(_random_order(rng, placed))
        if placed >= orders or rng.random() < 0.002:
            batch.append(EndOfDay())
        events = run(batch)
        for event in events:
            if isinstance(event, OrderRested):
                resting.append((event.account, event.order_id))
        yield batch


def _random_order(rng: random.Random, n: int) -> PlaceOrder:
    symbol = rng.choice(list(SYMBOLS))
    side = rng.choice([Side.BUY, Side.SELL])
    reference = SYMBOLS[symbol]
    price = reference + rng.randint(-8, 8) * (reference // 200)
    kind = rng.random()
    order_type, tif, stop = OrderType.LIMIT, TimeInForce.GTC, 0
    if kind < 0.10:
        order_type, tif, price = OrderType.MARKET, TimeInForce.IOC, 0
    elif kind < 0.18:
        tif = TimeInForce.IOC
    elif kind < 0.23:
        tif = TimeInForce.FOK
    elif kind < 0.35:
        tif = TimeInForce.DAY
    elif kind < 0.40:
        order_type = OrderType.STOP_LIMIT if kind < 0.38 else OrderType.STOP
        price = price if order_type is OrderType.STOP_LIMIT else 0
        offset = rng.randint(1, 4) * (reference // 200)
        stop = reference + offset if side is Side.BUY else reference - offset
    return PlaceOrder(
        account=rng.choice(ACCOUNTS),
        client_order_id=f"o{n}",
        symbol=symbol,
        side=side,
        order_type=order_type,
        tif=tif,
        quantity=rng.randint(1, 40),
        price_ticks=price,
        stop_price_ticks=stop,
    )


def accepted_ids(events: list[Event]) -> list[int]:
    return [e.order_id for e in events if isinstance(e, OrderAccepted)]


def trade_ids(events: list[Event]) -> list[int]:
    return [e.trade_id for e in events if isinstance(e, TradeExecuted)]
