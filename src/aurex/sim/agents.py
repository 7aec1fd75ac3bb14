"""Market makers that quote around the mark price and traders that take liquidity.

Agents talk to the exchange only through ``submit`` (the same path as any
gateway), so a demo exercises the real sequencer, journal and market data.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from aurex.core.commands import CancelAll, Command, Deposit, PlaceOrder
from aurex.core.events import Event
from aurex.core.exchange import Exchange
from aurex.core.model import OrderType, Side, TimeInForce

Submit = Callable[[Command], Awaitable[list[Event]]]

MAKER_CASH_CENTS = 50_000_000_000
MAKER_SHARES = 5_000_000
TRADER_CASH_CENTS = 1_000_000_000
TRADER_SHARES = 50_000


class Simulation:
    """A few makers quoting every symbol and traders hitting them at random."""

    def __init__(
        self,
        exchange: Exchange,
        submit: Submit,
        *,
        seed: int = 1,
        makers: int = 2,
        traders: int = 4,
        tick_s: float = 0.25,
    ) -> None:
        self.exchange, self.submit = exchange, submit
        self.rng = random.Random(seed)
        self.makers = [f"sim-maker-{i}" for i in range(1, makers + 1)]
        self.traders = [f"sim-trader-{i}" for i in range(1, traders + 1)]
        self.tick_s = tick_s
        self._cid = 0

    async def fund(self) -> None:
        """Give simulated accounts cash and shares once (a no-op on restart)."""
        for account, cash, shares in (
            *((m, MAKER_CASH_CENTS, MAKER_SHARES) for m in self.makers),
            *((t, TRADER_CASH_CENTS, TRADER_SHARES) for t in self.traders),
        ):
            if self.exchange.account(account) is not None:
                continue
            await self.submit(Deposit(account=account, cash_cents=cash))
            for symbol in self.exchange.markets:
                await self.submit(Deposit(account=account, symbol=symbol, shares=shares))

    async def run(self, rounds: int | None = None) -> None:
        """Quote and trade every ``tick_s`` seconds, forever or for ``rounds`` rounds."""
        await self.fund()
        done = 0
        while rounds is None or done < rounds:
            await self.step()
            done += 1
            await asyncio.sleep(self.tick_s)

    async def step(self) -> None:
        for symbol in list(self.exchange.markets):
            if self.exchange.markets[symbol].halted:
                continue
            await self._quote(symbol)
            if self.rng.random() < 0.6:
                await self._trade(symbol)

    def _next_cid(self, prefix: str) -> str:
        self._cid += 1
        return f"{prefix}-{self._cid}"

    async def _quote(self, symbol: str) -> None:
        market = self.exchange.markets[symbol]
        maker = self.rng.choice(self.makers)
        await self.submit(CancelAll(account=maker, symbol=symbol))
        tick = market.tick_size_ticks
        mid = market.mark_price_ticks + self.rng.choice((-2, -1, 0, 0, 1, 2)) * tick
        low, high = market.band()
        spread = max(tick, mid // 2000 // tick * tick)
        for level in range(3):
            qty = market.lot_size * self.rng.randint(1, 10) * 10
            bid = max(low, mid - spread * (level + 1))
            ask = min(high, mid + spread * (level + 1))
            for side, price in ((Side.BUY, bid), (Side.SELL, ask)):
                await self.submit(
                    PlaceOrder(
                        account=maker,
                        client_order_id=self._next_cid(maker),
                        symbol=symbol,
                        side=side,
                        order_type=OrderType.LIMIT,
                        quantity=qty,
                        price_ticks=price,
                    )
                )

    async def _trade(self, symbol: str) -> None:
        market = self.exchange.markets[symbol]
        trader = self.rng.choice(self.traders)
        side = self.rng.choice((Side.BUY, Side.SELL))
        await self.submit(
            PlaceOrder(
                account=trader,
                client_order_id=self._next_cid(trader),
                symbol=symbol,
                side=side,
                order_type=OrderType.MARKET,
                tif=TimeInForce.IOC,
                quantity=market.lot_size * self.rng.randint(1, 20),
            )
        )
