"""Per-symbol ticker statistics: last trade, day volume/turnover/OHLC, VWAP, change.

All values are integers (ticks, shares, cents). The day's figures reset when the
core reports ``DayEnded``; the previous close is the listing's reference price
until the first ``DayEnded``, then that day's closing price. Before a symbol's
first trade its last price is its previous close, so its change is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aurex.marketdata.depth import DepthBook
from aurex.marketdata.rounding import change_bps, div_round


@dataclass(frozen=True, slots=True)
class TickerView:
    """A ticker as published; prices in ticks, 0 where there is nothing to show."""

    symbol: str
    name: str
    last_price_ticks: int
    last_qty: int
    bid_price_ticks: int
    bid_qty: int
    ask_price_ticks: int
    ask_qty: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    volume: int
    turnover_cents: int
    vwap_ticks: int
    trade_count: int
    prev_close_ticks: int
    change_ticks: int
    change_bps: int
    halted: bool
    ts_ns: int

    @property
    def change_percent(self) -> float:
        """Change vs previous close in percent (a float for API edges only)."""
        if self.prev_close_ticks <= 0:
            return 0.0
        return self.change_ticks * 100 / self.prev_close_ticks


class SymbolStats:
    """Mutable day statistics of one symbol."""

    __slots__ = (
        "halted",
        "high_ticks",
        "last_price_ticks",
        "last_qty",
        "last_ts_ns",
        "low_ticks",
        "name",
        "open_ticks",
        "prev_close_ticks",
        "symbol",
        "trade_count",
        "turnover_cents",
        "volume",
    )

    def __init__(self, symbol: str, name: str = "", prev_close_ticks: int = 0) -> None:
        self.symbol = symbol
        self.name = name
        self.prev_close_ticks = prev_close_ticks
        self.last_price_ticks = 0
        self.last_qty = 0
        self.open_ticks = 0
        self.high_ticks = 0
        self.low_ticks = 0
        self.volume = 0
        self.turnover_cents = 0
        self.trade_count = 0
        self.last_ts_ns = 0
        self.halted = False

    def reset_day(self) -> None:
        self.open_ticks = self.high_ticks = self.low_ticks = 0
        self.volume = self.turnover_cents = self.trade_count = 0

    def view(self, book: DepthBook | None) -> TickerView:
        last = self.last_price_ticks or self.prev_close_ticks
        bid, bid_qty = book.best_bid() if book is not None else (0, 0)
        ask, ask_qty = book.best_ask() if book is not None else (0, 0)
        top_ts = book.top_ts_ns if book is not None else 0
        return TickerView(
            symbol=self.symbol,
            name=self.name,
            last_price_ticks=last,
            last_qty=self.last_qty,
            bid_price_ticks=bid,
            bid_qty=bid_qty,
            ask_price_ticks=ask,
            ask_qty=ask_qty,
            open_ticks=self.open_ticks,
            high_ticks=self.high_ticks,
            low_ticks=self.low_ticks,
            volume=self.volume,
            turnover_cents=self.turnover_cents,
            vwap_ticks=div_round(self.turnover_cents, self.volume) if self.volume else 0,
            trade_count=self.trade_count,
            prev_close_ticks=self.prev_close_ticks,
            change_ticks=last - self.prev_close_ticks if self.prev_close_ticks else 0,
            change_bps=change_bps(last, self.prev_close_ticks),
            halted=self.halted,
            ts_ns=max(self.last_ts_ns, top_ts),
        )


_FIELDS = tuple(f for f in SymbolStats.__slots__ if f != "symbol")


class Tickers:
    """Statistics of every symbol, in listing order."""

    __slots__ = ("_stats",)

    def __init__(self) -> None:
        self._stats: dict[str, SymbolStats] = {}

    def stats(self, symbol: str) -> SymbolStats | None:
        return self._stats.get(symbol)

    def symbols(self) -> list[str]:
        return list(self._stats)

    def list_symbol(self, symbol: str, name: str, reference_price_ticks: int, ts_ns: int) -> None:
        """A listing: its reference price is the previous close until the first day ends."""
        stats = self._stats.get(symbol)
        if stats is None:
            stats = self._stats[symbol] = SymbolStats(symbol)
        stats.name = name
        stats.prev_close_ticks = reference_price_ticks
        stats.last_ts_ns = ts_ns

    def on_trade(self, symbol: str, price_ticks: int, qty: int, ts_ns: int) -> None:
        stats = self._stats.get(symbol)
        if stats is None:
            stats = self._stats[symbol] = SymbolStats(symbol)
        stats.last_price_ticks = price_ticks
        stats.last_qty = qty
        if stats.trade_count:
            if price_ticks > stats.high_ticks:
                stats.high_ticks = price_ticks
            elif price_ticks < stats.low_ticks:
                stats.low_ticks = price_ticks
        else:
            stats.open_ticks = stats.high_ticks = stats.low_ticks = price_ticks
        stats.volume += qty
        stats.turnover_cents += price_ticks * qty
        stats.trade_count += 1
        stats.last_ts_ns = ts_ns

    def set_halted(self, symbol: str, halted: bool, ts_ns: int) -> None:
        stats = self._stats.get(symbol)
        if stats is not None:
            stats.halted = halted
            stats.last_ts_ns = ts_ns

    def end_day(self, closing_prices: dict[str, int], ts_ns: int) -> None:
        """Closing prices become previous closes; every day figure restarts at zero."""
        for symbol, stats in self._stats.items():
            close = closing_prices.get(symbol) or stats.last_price_ticks or stats.prev_close_ticks
            stats.prev_close_ticks = close
            stats.reset_day()
            stats.last_ts_ns = ts_ns

    def to_data(self) -> dict[str, Any]:
        return {
            symbol: {field: getattr(stats, field) for field in _FIELDS}
            for symbol, stats in self._stats.items()
        }

    def load_data(self, data: dict[str, Any]) -> None:
        self._stats = {}
        for symbol, raw in data.items():
            stats = self._stats[str(symbol)] = SymbolStats(str(symbol))
            for field in _FIELDS:
                value = raw[field]
                if field == "name":
                    value = str(value)
                elif field == "halted":
                    value = bool(value)
                else:
                    value = int(value)
                setattr(stats, field, value)
