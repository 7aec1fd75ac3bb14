"""The market index (TOP10): capitalisation-weighted, divisor-based.

``value = sum(price_i * shares_i) / divisor`` with each price the last trade, or
the reference price before the first trade. The divisor is fixed the first time
the index is needed (its first computation, or the first trade, whichever comes
first, so prices are still the reference prices) such that the value is exactly
``base_value`` (1000.00). It then stays put; a listing added later rescales it so
the value does not jump. Everything is exact (``Fraction``); views round to
hundredths and offer floats for API edges. Day open/high/low are sampled each
time the index is computed (every 100 ms by the runtime) and restart after
``DayEnded``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from aurex.marketdata.rounding import change_bps, scaled_round


@dataclass(frozen=True, slots=True)
class IndexConstituent:
    """One member: ``weight`` is its share of total capitalisation (weights sum to 1),
    ``contribution`` the index points it accounts for (contributions sum to the value)."""

    symbol: str
    price_ticks: int
    shares_outstanding: int
    prev_close_ticks: int
    weight: Fraction
    contribution: Fraction
    change_bps: int

    @property
    def weight_float(self) -> float:
        return float(self.weight)

    @property
    def contribution_points(self) -> float:
        return float(self.contribution)

    @property
    def change_percent(self) -> float:
        """Change vs the member's previous close, in percent."""
        if self.prev_close_ticks <= 0:
            return 0.0
        return (self.price_ticks - self.prev_close_ticks) * 100 / self.prev_close_ticks


@dataclass(frozen=True, slots=True)
class IndexView:
    """The index at one moment; exact values in points with rounded/float helpers."""

    name: str
    value: Fraction
    day_open: Fraction
    day_high: Fraction
    day_low: Fraction
    divisor: Fraction
    ts_ns: int
    constituents: tuple[IndexConstituent, ...]

    @property
    def value_hundredths(self) -> int:
        return scaled_round(self.value, 100)

    @property
    def value_points(self) -> float:
        return float(self.value)

    @property
    def change(self) -> Fraction:
        """Points moved since the day's open value."""
        return self.value - self.day_open

    @property
    def change_hundredths(self) -> int:
        return scaled_round(self.change, 100)

    @property
    def change_bps(self) -> int:
        if self.day_open <= 0:
            return 0
        return scaled_round(self.change / self.day_open, 10_000)

    @property
    def change_percent(self) -> float:
        if self.day_open <= 0:
            return 0.0
        return float(self.change * 100 / self.day_open)


class _Member:
    __slots__ = ("prev_close_ticks", "price_ticks", "shares", "symbol")

    def __init__(self, symbol: str, shares: int, price_ticks: int, prev_close_ticks: int) -> None:
        self.symbol = symbol
        self.shares = shares
        self.price_ticks = price_ticks
        self.prev_close_ticks = prev_close_ticks


class MarketIndex:
    """Cap-weighted index over every listed symbol."""

    __slots__ = (
        "_base_value",
        "_cap",
        "_day_high",
        "_day_low",
        "_day_open",
        "_divisor",
        "_members",
        "_published",
        "_ts_ns",
        "_version",
        "name",
    )

    def __init__(self, name: str = "TOP10", base_value: int = 1000) -> None:
        self.name = name
        self._base_value = base_value
        self._members: dict[str, _Member] = {}
        self._cap = 0
        self._divisor: Fraction | None = None
        self._day_open: Fraction | None = None
        self._day_high = Fraction(0)
        self._day_low = Fraction(0)
        self._version = 0
        self._published = 0
        self._ts_ns = 0

    @property
    def divisor(self) -> Fraction | None:
        return self._divisor

    def _ensure_divisor(self) -> bool:
        if self._divisor is None:
            if self._cap <= 0:
                return False
            self._divisor = Fraction(self._cap, self._base_value)
            self._day_open = self._day_high = self._day_low = Fraction(self._base_value)
        return True

    def add_symbol(
        self, symbol: str, reference_price_ticks: int, shares_outstanding: int, ts_ns: int
    ) -> None:
        """A new member; once the divisor exists it is rescaled to keep the value."""
        if symbol in self._members:
            return
        added = reference_price_ticks * shares_outstanding
        if self._divisor is not None and self._cap > 0:
            self._divisor = self._divisor * Fraction(self._cap + added, self._cap)
        self._cap += added
        self._members[symbol] = _Member(
            symbol, shares_outstanding, reference_price_ticks, reference_price_ticks
        )
        self._version += 1
        self._ts_ns = ts_ns

    def remove_symbol(self, symbol: str, ts_ns: int) -> None:
        """A delisted member leaves; the divisor is rescaled to keep the value."""
        member = self._members.pop(symbol, None)
        if member is None:
            return
        removed = member.price_ticks * member.shares
        if self._divisor is not None and self._cap > removed:
            self._divisor = self._divisor * Fraction(self._cap - removed, self._cap)
        self._cap -= removed
        if self._cap <= 0:
            self._divisor = None
        self._version += 1
        self._ts_ns = ts_ns

    def on_trade(self, symbol: str, price_ticks: int, ts_ns: int) -> None:
        member = self._members.get(symbol)
        if member is None or member.price_ticks == price_ticks:
            return
        if self._divisor is None:
            self._ensure_divisor()
        self._cap += (price_ticks - member.price_ticks) * member.shares
        member.price_ticks = price_ticks
        self._version += 1
        self._ts_ns = ts_ns

    def end_day(self, closing_prices: dict[str, int], ts_ns: int) -> None:
        """Closing prices become previous closes; the next computation opens a new day."""
        for symbol, member in self._members.items():
            member.prev_close_ticks = closing_prices.get(symbol) or member.price_ticks
        self._day_open = None
        self._version += 1
        self._ts_ns = ts_ns

    def recompute(self, ts_ns: int) -> IndexView | None:
        """The index if anything changed since the last call that returned one, else None.

        Only here does the day's open/high/low advance (sampled every call).
        """
        if self._version == self._published or not self._ensure_divisor():
            return None
        self._published = self._version
        assert self._divisor is not None
        view = self._compute(ts_ns, self._divisor)
        self._day_open, self._day_high, self._day_low = view.day_open, view.day_high, view.day_low
        self._ts_ns = max(self._ts_ns, ts_ns)
        return view

    def view(self) -> IndexView | None:
        """The current index (None before any listing); a query that changes nothing."""
        if self._divisor is not None:
            return self._compute(self._ts_ns, self._divisor)
        if self._cap <= 0:
            return None
        # No base yet, so prices are still the reference prices: the value is the base.
        return self._compute(self._ts_ns, Fraction(self._cap, self._base_value))

    def _compute(self, ts_ns: int, divisor: Fraction) -> IndexView:
        cap = self._cap
        value = cap / divisor
        if self._day_open is None:
            day_open = day_high = day_low = value
        else:
            day_open = self._day_open
            day_high = max(self._day_high, value)
            day_low = min(self._day_low, value)
        constituents = tuple(
            IndexConstituent(
                symbol=m.symbol,
                price_ticks=m.price_ticks,
                shares_outstanding=m.shares,
                prev_close_ticks=m.prev_close_ticks,
                weight=Fraction(m.price_ticks * m.shares, cap) if cap else Fraction(0),
                contribution=m.price_ticks * m.shares / divisor,
                change_bps=change_bps(m.price_ticks, m.prev_close_ticks),
            )
            for m in self._members.values()
        )
        return IndexView(
            name=self.name,
            value=value,
            day_open=day_open,
            day_high=day_high,
            day_low=day_low,
            divisor=divisor,
            ts_ns=ts_ns,
            constituents=constituents,
        )

    def to_data(self) -> dict[str, Any]:
        def pair(x: Fraction | None) -> list[int] | None:
            return None if x is None else [x.numerator, x.denominator]

        return {
            "name": self.name,
            "base_value": self._base_value,
            "divisor": pair(self._divisor),
            "members": [
                [m.symbol, m.shares, m.price_ticks, m.prev_close_ticks]
                for m in self._members.values()
            ],
            "day_open": pair(self._day_open),
            "day_high": pair(self._day_high),
            "day_low": pair(self._day_low),
            "ts_ns": self._ts_ns,
        }

    def load_data(self, data: dict[str, Any]) -> None:
        """Restore; the next :meth:`recompute` publishes so subscribers get a fresh value."""

        def fraction(raw: Any) -> Fraction | None:
            return None if raw is None else Fraction(int(raw[0]), int(raw[1]))

        self.name = str(data["name"])
        self._base_value = int(data["base_value"])
        self._members = {
            str(s): _Member(str(s), int(shares), int(price), int(prev))
            for s, shares, price, prev in data["members"]
        }
        self._cap = sum(m.price_ticks * m.shares for m in self._members.values())
        self._divisor = fraction(data["divisor"])
        self._day_open = fraction(data["day_open"])
        self._day_high = fraction(data["day_high"]) or Fraction(0)
        self._day_low = fraction(data["day_low"]) or Fraction(0)
        self._ts_ns = int(data["ts_ns"])
        self._version = self._published + 1
