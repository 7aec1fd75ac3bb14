"""Resident memory of the core holding 100,000 resting orders (run by bench/core.py).

Ten symbols, 1,000 accounts, non-crossing limit orders spread over up to 500 levels
per side, market data fed after every command as the server does. Imports only the
core, market data and the listings, then prints the process's resident set in MB.

    python bench/resident.py [--orders 100000] [--accounts 1000]
"""

from __future__ import annotations

import argparse
import gc
from pathlib import Path

from aurex.core import Exchange
from aurex.core.commands import Command, Deposit, PlaceOrder
from aurex.core.model import OrderType, Side
from aurex.listing import load_listings
from aurex.marketdata import MarketData


def resident_mb() -> float:
    """This process's resident set size now, in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def hold_resting_orders(orders: int, accounts: int) -> tuple[Exchange, MarketData]:
    """Rest ``orders`` orders that never cross; return what holds them."""
    exchange, market_data = Exchange(), MarketData()
    listings = load_listings()[:10]
    seq = 0

    def apply(cmd: Command) -> None:
        nonlocal seq
        seq += 1
        cmd.seq, cmd.ts_ns = seq, 1_700_000_000_000_000_000 + seq * 10_000
        market_data.apply(exchange.apply(cmd))

    for listing in listings:
        apply(listing)
    for a in range(accounts):
        apply(Deposit(account=f"acct{a}", cash_cents=10**15))
        for listing in listings:
            apply(Deposit(account=f"acct{a}", symbol=listing.symbol, shares=10**9))
    for i in range(orders):
        listing = listings[i % len(listings)]
        buy = (i // len(listings)) % 2 == 0
        offset = 1 + (i * 7919) % 500  # inside the 20% band of every listing
        ref = listing.reference_price_ticks
        apply(
            PlaceOrder(
                account=f"acct{i % accounts}",
                client_order_id=f"r{i}",
                symbol=listing.symbol,
                side=Side.BUY if buy else Side.SELL,
                order_type=OrderType.LIMIT,
                quantity=100,
                price_ticks=ref - offset if buy else ref + offset,
            )
        )
    if len(exchange.registry.orders) != orders:
        raise RuntimeError(f"{len(exchange.registry.orders)} orders rest, not {orders}")
    return exchange, market_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    args = parser.parse_args()
    held = hold_resting_orders(args.orders, args.accounts)
    gc.collect()
    print(f"{resident_mb():.1f}")
    del held


if __name__ == "__main__":
    main()
