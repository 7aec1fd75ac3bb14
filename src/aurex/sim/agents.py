"""Simulated traders: market makers, noise traders and momentum traders.

Every agent is a logged-in user of the public Python client (``aurex.client``): it
places, amends and cancels orders over REST and reads its cash and positions from
``/api/account``, exactly like a person's trading program. Prices are handled in
integer cents and sent as decimal strings. Refusals (an order the account cannot
afford, a price outside the band) are counted, never fatal.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import random
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from aurex.client import (
    Account,
    ApiError,
    AsyncAurexClient,
    AuthenticationError,
    NotFound,
    RateLimited,
    TransportError,
)
from aurex.sim.fair_value import FairValues

log = logging.getLogger(__name__)

ACCOUNT_REFRESH_S = 2.0


def cents(price: Decimal) -> int:
    return int(price.scaleb(2))


def price_of(ticks: int) -> Decimal:
    return Decimal(ticks).scaleb(-2)


@dataclass(slots=True)
class Listing:
    """What agents know about a symbol: its rules (REST) and latest prices (WebSocket)."""

    symbol: str
    tick: int
    lot: int
    band_low: int
    band_high: int
    last: int = 0
    bid: int = 0
    ask: int = 0
    history: deque[int] = field(default_factory=lambda: deque(maxlen=120))

    def on_tick(self, cents: float) -> int:
        """Round a price in cents onto the tick grid and into the band."""
        rounded = max(self.tick, round(cents / self.tick) * self.tick)
        return min(max(rounded, self.band_low), self.band_high)

    def lots(self, shares: int) -> int:
        return max(self.lot, shares // self.lot * self.lot)


class MarketView:
    """The market as the simulation sees it: listings, fair values and last prices."""

    def __init__(self, fair: FairValues) -> None:
        self.fair = fair
        self.listings: dict[str, Listing] = {}

    @property
    def symbols(self) -> list[str]:
        return list(self.listings)


class Agent:
    """One simulated user with its own client; ``step`` does one decision."""

    kind = "agent"

    def __init__(
        self,
        name: str,
        client: AsyncAurexClient,
        market: MarketView,
        rng: random.Random,
        run_id: str,
    ) -> None:
        self.name = name
        self.client = client
        self.market = market
        self.rng = rng
        # Client order ids are unique only among open orders; a fresh prefix per run
        # keeps a restarted simulation from ever colliding with its own leftovers.
        self._prefix = f"{name}-{run_id}-"
        self._ids = itertools.count(1)
        self.stats: Counter[str] = Counter()
        self.account: Account | None = None
        self._account_at = 0.0

    def client_order_id(self) -> str:
        return f"{self._prefix}{next(self._ids)}"

    async def refresh_account(self, force: bool = False) -> Account:
        now = time.monotonic()
        if force or self.account is None or now - self._account_at > ACCOUNT_REFRESH_S:
            self.account = await self.client.account()
            self._account_at = now
        return self.account

    def available_cash(self) -> int:
        account = self.account
        return 0 if account is None else account.cash_cents - account.cash_held_cents

    def available_shares(self, symbol: str) -> int:
        if self.account is not None:
            for position in self.account.positions:
                if position.symbol == symbol:
                    return position.available_shares
        return 0

    def shares(self, symbol: str) -> int:
        if self.account is not None:
            for position in self.account.positions:
                if position.symbol == symbol:
                    return position.shares
        return 0

    async def run(self, interval_s: float) -> None:
        """Decide every ``interval_s`` on average (exponential gaps, like real arrivals)."""
        while True:
            await asyncio.sleep(self.rng.expovariate(1.0 / interval_s))
            try:
                await self.step()
            except RateLimited as exc:
                self.stats["rate_limited"] += 1
                await asyncio.sleep(exc.retry_after or 1.0)
            except AuthenticationError:
                raise  # the simulation logs in again
            except ApiError as exc:
                self.stats[f"refused_{exc.code}"] += 1
            except TransportError:
                self.stats["transport_errors"] += 1
                await asyncio.sleep(1.0)

    async def step(self) -> None:
        raise NotImplementedError

    async def place(
        self,
        symbol: str,
        side: str,
        quantity: int,
        *,
        price: int | None = None,
        time_in_force: str | None = None,
    ) -> int | None:
        """Place an order; its id, or None if it was refused or is already done."""
        kind = "market" if price is None else "limit"
        try:
            result = await self.client.place_order(
                symbol,
                side,  # type: ignore[arg-type]
                quantity,
                type=kind,  # type: ignore[arg-type]
                price=None if price is None else price_of(price),
                time_in_force=time_in_force,  # type: ignore[arg-type]
                client_order_id=self.client_order_id(),
            )
        except ApiError as exc:
            if isinstance(exc, RateLimited | AuthenticationError):
                raise
            self.stats[f"refused_{exc.code}"] += 1
            return None
        self.stats["orders"] += 1
        self.stats["fills"] += len(result.fills)
        return result.order.order_id if result.order.is_open else None


class MarketMaker(Agent):
    """Quotes a bid and an ask in every symbol around the fair value.

    The quotes lean against the maker's inventory (long: both prices lower, so it
    sells more than it buys) and are sized to the cash and shares it has.
    """

    kind = "maker"

    def __init__(self, *args: object, target_shares: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.target_shares = max(1, target_shares)
        self.half_spread_bps = self.rng.uniform(3.0, 9.0)
        self.quotes: dict[tuple[str, str], int] = {}
        self.quoted: dict[tuple[str, str], tuple[int, int]] = {}
        self._turn = 0

    async def step(self) -> None:
        symbols = self.market.symbols
        if not symbols:
            return
        symbol = symbols[self._turn % len(symbols)]
        self._turn += 1
        await self.refresh_account()
        await self.quote(symbol)

    async def quote(self, symbol: str) -> None:
        listing = self.market.listings[symbol]
        fair = self.market.fair[symbol]
        lean = (self.shares(symbol) - self.target_shares) / self.target_shares
        center = fair * (1 - max(-1.0, min(1.0, lean)) * 0.002)
        half = center * self.half_spread_bps / 10_000
        bid = listing.on_tick(math.floor((center - half) / listing.tick) * listing.tick)
        ask = listing.on_tick(math.ceil((center + half) / listing.tick) * listing.tick)
        if ask <= bid:
            ask = bid + listing.tick
        size = listing.lots(int(self.rng.uniform(20_000_00, 60_000_00) / max(fair, 1.0)))
        budget = self.available_cash() // max(1, 2 * len(self.market.listings))
        buy_qty = min(size, listing.lots(budget // bid) if budget >= bid * listing.lot else 0)
        sell_qty = min(size, self.available_shares(symbol) // listing.lot * listing.lot)
        for side, price, qty in (("buy", bid, buy_qty), ("sell", ask, sell_qty)):
            await self._requote(symbol, side, price, qty)

    async def _requote(self, symbol: str, side: str, price: int, quantity: int) -> None:
        key = (symbol, side)
        order_id = self.quotes.pop(key, None)
        if order_id is not None and self.quoted.get(key) == (price, quantity):
            self.quotes[key] = order_id  # nothing to change (an amend would be refused)
            return
        self.quoted[key] = (price, quantity)
        if order_id is not None:
            if quantity <= 0:
                await self._cancel(order_id)
                return
            try:
                result = await self.client.amend_order(
                    order_id, quantity=quantity, price=price_of(price)
                )
            except NotFound:
                pass  # filled or cancelled since: quote afresh
            except ApiError as exc:
                if isinstance(exc, RateLimited | AuthenticationError):
                    raise
                # e.g. the new size is below what already traded: replace the order
                self.stats[f"refused_{exc.code}"] += 1
                await self._cancel(order_id)
            else:
                self.stats["amends"] += 1
                self.stats["fills"] += len(result.fills)
                if result.order.is_open:
                    self.quotes[key] = order_id
                    return
        if quantity > 0:
            new_id = await self.place(symbol, side, quantity, price=price, time_in_force="gtc")
            if new_id is not None:
                self.quotes[key] = new_id

    async def _cancel(self, order_id: int) -> None:
        try:
            await self.client.cancel_order(order_id)
            self.stats["cancels"] += 1
        except NotFound:
            pass


class NoiseTrader(Agent):
    """Buys or sells at random: sometimes at the market, mostly with limit orders
    near the fair value that may rest for a while (DAY orders)."""

    kind = "noise"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.resting: deque[int] = deque()

    async def step(self) -> None:
        symbols = self.market.symbols
        if not symbols:
            return
        await self.refresh_account()
        symbol = self.rng.choice(symbols)
        listing = self.market.listings[symbol]
        fair = self.market.fair[symbol]
        qty = listing.lots(int(self.rng.uniform(1_000_00, 8_000_00) / max(fair, 1.0)))
        can_buy = self.available_cash() > qty * fair * 1.1
        can_sell = self.available_shares(symbol) >= qty
        if not (can_buy or can_sell):
            await self._cancel_oldest()
            return
        side = (
            self.rng.choice(["buy", "sell"])
            if can_buy and can_sell
            else "buy"
            if can_buy
            else "sell"
        )
        if self.rng.random() < 0.35:
            await self.place(symbol, side, qty)
            return
        offset = self.rng.gauss(0.0, 0.002) * fair
        price = listing.on_tick(fair + (offset if side == "buy" else -offset))
        order_id = await self.place(symbol, side, qty, price=price, time_in_force="day")
        if order_id is not None:
            self.resting.append(order_id)
        if len(self.resting) > 5:
            await self._cancel_oldest()

    async def _cancel_oldest(self) -> None:
        if self.resting:
            try:
                await self.client.cancel_order(self.resting.popleft())
                self.stats["cancels"] += 1
            except NotFound:
                pass  # it traded or expired already


class MomentumTrader(Agent):
    """Follows the trend: buys after the last price rose by more than a threshold over
    its look-back, sells after it fell; otherwise waits."""

    kind = "momentum"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lookback = self.rng.randint(10, 40)
        self.threshold = self.rng.uniform(0.0005, 0.002)

    async def step(self) -> None:
        candidates = [
            listing
            for listing in self.market.listings.values()
            if len(listing.history) > self.lookback
        ]
        if not candidates:
            return
        listing = self.rng.choice(candidates)
        now, then = listing.history[-1], listing.history[-1 - self.lookback]
        change = (now - then) / then
        if abs(change) < self.threshold:
            return
        await self.refresh_account()
        qty = listing.lots(int(self.rng.uniform(2_000_00, 10_000_00) / max(now, 1)))
        if change > 0 and self.available_cash() > qty * now * 1.1:
            await self.place(listing.symbol, "buy", qty)
        elif change < 0 and self.available_shares(listing.symbol) >= qty:
            await self.place(listing.symbol, "sell", qty)


def totals(agents: Iterable[Agent]) -> Counter[str]:
    """Every agent's counters added up."""
    out: Counter[str] = Counter()
    for agent in agents:
        out.update(agent.stats)
    return out
