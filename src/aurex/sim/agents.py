"""Market makers that quote around the mark price and traders that take liquidity.

Agents talk to the exchange only through the engine port (the same path as any
gateway), so a demo exercises the real sequencer, journal and market data.
"""

from __future__ import annotations

import asyncio
import random

from aurex.core.commands import CancelAll, Deposit, PlaceOrder
from aurex.core.model import OrderType, Side, TimeInForce
from aurex.engine.port import EnginePort
from aurex.engine.queries import GetAccount, ListSymbols, SymbolInfo

MAKER_CASH_CENTS = 50_000_000_000
MAKER_SHARES = 5_000_000
TRADER_CASH_CENTS = 1_000_000_000
TRADER_SHARES = 50_000


class Simulation:
    """A few makers quoting every symbol and traders hitting them at random."""

    def __init__(
        self,
        engine: EnginePort,
        *,
        seed: int = 1,
        makers: int = 2,
        traders: int = 4,
        tick_s: float = 0.25,
    ) -> None:
        self.engine = engine
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
            if await self.engine.query(GetAccount(account)) is not None:
                continue
            await self.engine.submit(Deposit(account=account, cash_cents=cash))
            for info in await self.engine.query(ListSymbols()):
                await self.engine.submit(
                    Deposit(account=account, symbol=info.symbol, shares=shares)
                )

    async def run(self, rounds: int | None = None) -> None:
        """Quote and trade every ``tick_s`` seconds, forever or for ``rounds`` rounds."""
        await self.fund()
        done = 0
        while rounds is None or done < rounds:
            await self.step()
            done += 1
            await asyncio.sleep(self.tick_s)

    async def step(self) -> None:
        for info in await self.engine.query(ListSymbols()):
            if info.halted:
                continue
            await self._quote(info)
            if self.rng.random() < 0.6:
                await self._trade(info)

    def _next_cid(self, prefix: str) -> str:
        self._cid += 1
        return f"{prefix}-{self._cid}"

    async def _quote(self, market: SymbolInfo) -> None:
        symbol = market.symbol
        maker = self.rng.choice(self.makers)
        await self.engine.submit(CancelAll(account=maker, symbol=symbol))
        tick = market.tick_size_ticks
        mark = market.last_price_ticks or market.reference_price_ticks
        mid = mark + self.rng.choice((-2, -1, 0, 0, 1, 2)) * tick
        low, high = market.band_low_ticks, market.band_high_ticks
        spread = max(tick, mid // 2000 // tick * tick)
        for level in range(3):
            qty = market.lot_size * self.rng.randint(1, 10) * 10
            bid = max(low, mid - spread * (level + 1))
            ask = min(high, mid + spread * (level + 1))
            for side, price in ((Side.BUY, bid), (Side.SELL, ask)):
                await self.engine.submit(
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

    async def _trade(self, market: SymbolInfo) -> None:
        symbol = market.symbol
        trader = self.rng.choice(self.traders)
        side = self.rng.choice((Side.BUY, Side.SELL))
        await self.engine.submit(
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
