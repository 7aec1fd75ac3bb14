"""Small deterministic command streams for the engine tests."""

from __future__ import annotations

import random
from collections.abc import Iterable

from aurex.core.commands import AddSymbol, CancelOrder, Command, Deposit, PlaceOrder
from aurex.core.model import OrderType, Side, TimeInForce

ACCOUNTS = ("alice", "bob", "carol")
SYMBOL = "AAA"
REFERENCE = 10_000


def seed_commands() -> list[Command]:
    """List one symbol and fund every account with cash and shares."""
    commands: list[Command] = [
        AddSymbol(
            symbol=SYMBOL,
            name="Triple A",
            reference_price_ticks=REFERENCE,
            shares_outstanding=1_000_000_000,
        )
    ]
    for account in ACCOUNTS:
        commands.append(Deposit(account=account, cash_cents=10_000_000_000))
        commands.append(Deposit(account=account, symbol=SYMBOL, shares=1_000_000))
    return commands


def order_flow(count: int, seed: int = 7) -> list[Command]:
    """Limit orders around the reference price (many trade) plus some cancels."""
    rng = random.Random(seed)
    commands: list[Command] = []
    for i in range(count):
        account = rng.choice(ACCOUNTS)
        if i > 3 and rng.random() < 0.15:
            commands.append(CancelOrder(account=account, client_order_id=f"o{rng.randrange(i)}"))
            continue
        commands.append(
            PlaceOrder(
                account=account,
                client_order_id=f"o{i}",
                symbol=SYMBOL,
                side=rng.choice((Side.BUY, Side.SELL)),
                order_type=OrderType.LIMIT,
                tif=rng.choice((TimeInForce.GTC, TimeInForce.IOC)),
                quantity=rng.randrange(1, 100),
                price_ticks=REFERENCE + rng.randrange(-50, 51),
            )
        )
    return commands


def stamp(commands: Iterable[Command], first_seq: int = 1, ts_ns: int = 1_000) -> list[Command]:
    """Give commands consecutive seqs and timestamps, as the sequencer would."""
    stamped = []
    for offset, cmd in enumerate(commands):
        cmd.seq = first_seq + offset
        cmd.ts_ns = ts_ns + offset
        stamped.append(cmd)
    return stamped
