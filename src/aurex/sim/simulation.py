"""Runs the simulated market: logs every agent in through the public client, feeds
them market data from the WebSocket, and drives them at the configured intensity.

``intensity`` 1 is about 25 order requests per second in total (60 % market makers,
30 % noise traders, 10 % momentum traders); 0 stops trading. Each run uses a fresh
client-order-id prefix, and each maker first cancels what an earlier run left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from aurex.client import (
    AsyncAurexClient,
    AurexStream,
    AuthenticationError,
    TickerEvent,
    TransportError,
)
from aurex.sim.accounts import Credentials, Funding
from aurex.sim.agents import (
    Agent,
    Listing,
    MarketMaker,
    MarketView,
    MomentumTrader,
    NoiseTrader,
    cents,
    totals,
)
from aurex.sim.fair_value import FairValues

log = logging.getLogger(__name__)

ORDERS_PER_SECOND = 25.0
"""Order requests per second at intensity 1."""
HISTORY_SAMPLE_S = 0.5
FAIR_STEP_S = 0.25
LISTINGS_REFRESH_S = 30.0
MAKER_FUNDING = Funding(cash_cents=2_000_000_000, shares_per_symbol=20_000)
TRADER_FUNDING = Funding(cash_cents=50_000_000, shares_per_symbol=1_000)


@dataclass(frozen=True, slots=True)
class SimConfig:
    intensity: float = 1.0
    makers: int = 3
    noise_traders: int = 4
    momentum_traders: int = 2
    speed: float = 30.0
    """Market seconds per wall-clock second for the fair values' random walk."""
    seed: int | None = None
    maker_funding: Funding = MAKER_FUNDING
    trader_funding: Funding = TRADER_FUNDING

    def accounts(self) -> dict[str, Funding]:
        """The simulated users this configuration needs, by name, with their funding."""
        names = {
            **{f"maker-{i}": self.maker_funding for i in range(1, self.makers + 1)},
            **{f"noise-{i}": self.trader_funding for i in range(1, self.noise_traders + 1)},
            **{f"momentum-{i}": self.trader_funding for i in range(1, self.momentum_traders + 1)},
        }
        return names


class Simulation:
    """The agents of ``config``, trading on the Aurex at ``base_url``."""

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, Credentials],
        config: SimConfig | None = None,
        *,
        on_login: Callable[[], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url
        self.credentials = dict(credentials)
        self.config = config or SimConfig()
        self._on_login = on_login
        self._transport = transport
        self.rng = random.Random(self.config.seed)
        self.fair = FairValues(self.rng, speed=self.config.speed)
        self.market = MarketView(self.fair)
        self.agents: list[Agent] = []
        self.run_id = secrets.token_hex(3)
        self.trading = asyncio.Event()
        """Set once every agent is logged in and trading."""

    def stats(self) -> Counter[str]:
        return totals(self.agents)

    async def run(self) -> None:
        """Trade until cancelled."""
        async with contextlib.AsyncExitStack() as stack:
            public = self._client()
            stack.push_async_callback(public.aclose)
            await self._load_listings(public)
            stream = public.stream()
            stack.push_async_callback(stream.close)
            await stream.connect()
            await stream.subscribe("ticker")
            for name, funding in self.config.accounts().items():
                agent = self._agent(name, funding)
                stack.push_async_callback(agent.client.aclose)
                self.agents.append(agent)
            await asyncio.gather(*(self._start_agent(agent) for agent in self.agents))
            tasks = [
                self._feed(stream),
                self._clock(),
                self._sample_history(),
                self._refresh_listings(public),
                *(self._drive(agent) for agent in self.agents),
            ]
            self.trading.set()
            log.info("simulation trading", extra={"agents": len(self.agents)})
            await asyncio.gather(*tasks)

    # -- set-up -----------------------------------------------------------------

    def _client(self) -> AsyncAurexClient:
        return AsyncAurexClient(self.base_url, transport=self._transport, max_connections=4)

    def _agent(self, name: str, funding: Funding) -> Agent:
        kind = name.split("-", 1)[0]
        args = (name, self._client(), self.market, random.Random(self.rng.random()), self.run_id)
        if kind == "maker":
            return MarketMaker(*args, target_shares=funding.shares_per_symbol)
        if kind == "noise":
            return NoiseTrader(*args)
        return MomentumTrader(*args)

    async def _start_agent(self, agent: Agent) -> None:
        await self._login(agent, self.credentials[agent.name])
        await agent.client.cancel_all()  # quotes and orders of an earlier run
        if isinstance(agent, MarketMaker):
            await agent.refresh_account(force=True)
            for symbol in self.market.symbols:  # open every book at once
                await agent.quote(symbol)

    async def _login(self, agent: Agent, creds: Credentials) -> None:
        await agent.client.login(creds.email, creds.password, second_factor=creds.second_factor())
        if self._on_login is not None:
            self._on_login()  # the used TOTP step is remembered across restarts

    async def _load_listings(self, client: AsyncAurexClient) -> None:
        tickers = {t.symbol: t for t in await client.tickers()}
        infos = [info for info in await client.symbols() if info.status == "trading"]
        known = {info.symbol for info in infos}
        for symbol in [s for s in self.market.listings if s not in known]:
            del self.market.listings[symbol]  # halted or delisted
        for info in infos:
            low, high = cents(info.band_low), cents(info.band_high)
            listing = self.market.listings.get(info.symbol)
            if listing is None:
                ticker = tickers.get(info.symbol)
                last = ticker.last if ticker is not None and ticker.last else info.reference_price
                listing = Listing(info.symbol, cents(info.tick_size), info.lot_size, low, high)
                listing.last = cents(last)
                self.market.listings[info.symbol] = listing
                self.fair.add(info.symbol, float(listing.last), low, high)
            elif (listing.band_low, listing.band_high) != (low, high):
                listing.band_low, listing.band_high = low, high
                self.fair.rebound(info.symbol, low, high)

    # -- running ----------------------------------------------------------------

    def _interval(self, agent: Agent) -> float:
        """Mean seconds between one agent's decisions for the configured intensity."""
        config = self.config
        rate = ORDERS_PER_SECOND * config.intensity
        share, count, requests = {
            "maker": (0.6, config.makers, 2),
            "noise": (0.3, config.noise_traders, 1),
            "momentum": (0.1, config.momentum_traders, 1),
        }[agent.kind]
        return count * requests / (share * rate)

    async def _drive(self, agent: Agent) -> None:
        if self.config.intensity <= 0:
            return
        creds = self.credentials[agent.name]
        while True:
            try:
                await agent.run(self._interval(agent))
            except AuthenticationError:  # the session ended (8 h): log in again
                agent.stats["logins"] += 1
                await asyncio.sleep(1.0)
                with contextlib.suppress(AuthenticationError, TransportError):
                    await self._login(agent, creds)

    async def _feed(self, stream: AurexStream) -> None:
        async for event in stream:
            if isinstance(event, TickerEvent):
                ticker = event.ticker
                listing = self.market.listings.get(ticker.symbol)
                if listing is None:
                    continue
                if ticker.last is not None:
                    listing.last = cents(ticker.last)
                listing.bid = cents(ticker.bid) if ticker.bid is not None else 0
                listing.ask = cents(ticker.ask) if ticker.ask is not None else 0

    async def _clock(self) -> None:
        before = time.monotonic()
        while True:
            await asyncio.sleep(FAIR_STEP_S)
            now = time.monotonic()
            self.fair.advance(now - before)
            before = now

    async def _sample_history(self) -> None:
        while True:
            await asyncio.sleep(HISTORY_SAMPLE_S)
            for listing in self.market.listings.values():
                if listing.last:
                    listing.history.append(listing.last)

    async def _refresh_listings(self, client: AsyncAurexClient) -> None:
        while True:
            await asyncio.sleep(LISTINGS_REFRESH_S)
            with contextlib.suppress(TransportError):
                await self._load_listings(client)
