"""The simulated "true" value of each stock: a geometric random walk.

Every agent sees the same fair values (think of them as the news everyone reads).
Volatility is annualised, as quoted for real stocks (20-50 %), and converted to the
elapsed market time; ``speed`` runs market time faster than the wall clock so a
demo shows a day's worth of movement in minutes. Values stay inside the symbol's
price band (reflected at 90 % of its width) so quotes are never refused for it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

TRADING_SECONDS_PER_YEAR = 252 * 6.5 * 3600


@dataclass(slots=True)
class Walk:
    """One symbol's fair value in (fractional) ticks."""

    value: float
    annual_volatility: float
    band_low: float
    band_high: float

    def step(self, rng: random.Random, market_seconds: float) -> float:
        sigma = self.annual_volatility * math.sqrt(market_seconds / TRADING_SECONDS_PER_YEAR)
        value = self.value * math.exp(rng.gauss(-0.5 * sigma * sigma, sigma))
        mid = (self.band_low + self.band_high) / 2
        half = (self.band_high - self.band_low) / 2 * 0.9
        low, high = mid - half, mid + half
        if value > high:
            value = 2 * high - value
        if value < low:
            value = 2 * low - value
        self.value = min(max(value, low), high)
        return self.value


class FairValues:
    """Fair values of every simulated symbol, advanced together."""

    def __init__(self, rng: random.Random, *, speed: float = 30.0) -> None:
        self._rng = rng
        self.speed = speed
        self.walks: dict[str, Walk] = {}

    def add(self, symbol: str, start: float, band_low: float, band_high: float) -> None:
        """Start ``symbol`` at ``start`` ticks with a volatility typical of large caps."""
        volatility = self._rng.uniform(0.20, 0.45)
        self.walks[symbol] = Walk(start, volatility, band_low, band_high)

    def rebound(self, symbol: str, band_low: float, band_high: float) -> None:
        """The band moved (a new day, or an administrator): keep the value inside it."""
        walk = self.walks.get(symbol)
        if walk is not None:
            walk.band_low, walk.band_high = band_low, band_high
            walk.step(self._rng, 0.0)

    def advance(self, wall_seconds: float) -> None:
        for walk in self.walks.values():
            walk.step(self._rng, wall_seconds * self.speed)

    def __getitem__(self, symbol: str) -> float:
        return self.walks[symbol].value

    def __contains__(self, symbol: object) -> bool:
        return symbol in self.walks
