"""Per-symbol ticker statistics: last trade, day volume/turnover/OHLC, VWAP, change.

All values are integers (ticks, shares, cents). The day's figures reset when the
core reports ``DayEnded``; the previous close is the listing's reference price
until the first ``DayEnded``, then that day's closing price. Before a symbol's
first trade its last price is its previous close, so its change is 0.
"""

from __future__ import annotations

from typing import Any, Final, final

from aurex.marketdata.depth import DepthBook
from aurex.marketdata.record import Record
from aurex.marketdata.rounding import div_round


@final
class TickerView(Record):
    """A ticker as published; prices in ticks, 0 where there is nothing to show."""

    __slots__ = (
        "ask_price_ticks",
        "ask_qty",
        "bid_price_ticks",
        "bid_qty",
        "change_bps",
        "change_ticks",
        "halted",
        "high_ticks",
        "last_price_ticks",
        "last_qty",
        "low_ticks",
        "name",
        "open_ticks",
        "prev_close_ticks",
        "symbol",
        "trade_count",
        "ts_ns",
        "turnover_cents",
        "volume",
        "vwap_ticks",
    )

    def __init__(
        self,
        symbol: str,
        name: str,
        last_price_ticks: int,
        last_qty: int,
        bid_price_ticks: int,
        bid_qty: int,
        ask_price_ticks: int,
        ask_qty: int,
        open_ticks: int,
        high_ticks: int,
        low_ticks: int,
        volume: int,
        turnover_cents: int,
        vwap_ticks: int,
        trade_count: int,
        prev_close_ticks: int,
        change_ticks: int,
        change_bps: int,
        halted: bool,
        ts_ns: int,
    ) -> None:
        self.symbol: Final = symbol
        self.name: Final = name
        self.last_price_ticks: Final = last_price_ticks
        self.last_qty: Final = last_qty
        self.bid_price_ticks: Final = bid_price_ticks
        self.bid_qty: Final = bid_qty
        self.ask_price_ticks: Final = ask_price_ticks
        self.ask_qty: Final = ask_qty
        self.open_ticks: Final = open_ticks
        self.high_ticks: Final = high_ticks
        self.low_ticks: Final = low_ticks
        self.volume: Final = volume
        self.turnover_cents: Final = turnover_cents
        self.vwap_ticks: Final = vwap_ticks
        self.trade_count: Final = trade_count
        self.prev_close_ticks: Final = prev_close_ticks
        self.change_ticks: Final = change_ticks
        self.change_bps: Final = change_bps
        self.halted: Final = halted
        self.ts_ns: Final = ts_ns

    def astuple(
        self,
    ) -> tuple[
        str,
        str,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        int,
        bool,
        int,
    ]:
        return (
            self.symbol,
            self.name,
            self.last_price_ticks,
            self.last_qty,
            self.bid_price_ticks,
            self.bid_qty,
            self.ask_price_ticks,
            self.ask_qty,
            self.open_ticks,
            self.high_ticks,
            self.low_ticks,
            self.volume,
            self.turnover_cents,
            self.vwap_ticks,
            self.trade_count,
            self.prev_close_ticks,
            self.change_ticks,
            self.change_bps,
            self.halted,
            self.ts_ns,
        )

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

    def on_trade(self, price_ticks: int, qty: int, ts_ns: int) -> None:
        self.last_price_ticks = price_ticks
        self.last_qty = qty
        if self.trade_count:
            if price_ticks > self.high_ticks:
                self.high_ticks = price_ticks
            elif price_ticks < self.low_ticks:
                self.low_ticks = price_ticks
        else:
            self.open_ticks = self.high_ticks = self.low_ticks = price_ticks
        self.volume += qty
        self.turnover_cents += price_ticks * qty
        self.trade_count += 1
        self.last_ts_ns = ts_ns

    def view(self, book: DepthBook | None) -> TickerView:
        prev_close = self.prev_close_ticks
        last = self.last_price_ticks or prev_close
        volume = self.volume
        turnover = self.turnover_cents
        ts_ns = self.last_ts_ns
        bid_price = bid_qty = ask_price = ask_qty = 0
        if book is None:
            if ts_ns < 0:
                ts_ns = 0
        else:
            prices = book.bid_prices
            if prices:
                bid_price = prices[-1]
                bid_qty = book.bids[bid_price]
            prices = book.ask_prices
            if prices:
                ask_price = prices[0]
                ask_qty = book.asks[ask_price]
            if book.top_ts_ns > ts_ns:
                ts_ns = book.top_ts_ns
        # Rounded half away from zero as div_round does, inlined for the usual signs.
        if not volume:
            vwap = 0
        elif volume > 0 and turnover >= 0:
            vwap = (2 * turnover + volume) // (2 * volume)
        else:
            vwap = div_round(turnover, volume)
        if prev_close > 0:
            change = last - prev_close
            if change >= 0:
                change_bps = (20_000 * change + prev_close) // (2 * prev_close)
            else:
                change_bps = -((-20_000 * change + prev_close) // (2 * prev_close))
        else:
            change = last - prev_close if prev_close else 0
            change_bps = 0
        return TickerView(
            self.symbol,
            self.name,
            last,
            self.last_qty,
            bid_price,
            bid_qty,
            ask_price,
            ask_qty,
            self.open_ticks,
            self.high_ticks,
            self.low_ticks,
            volume,
            turnover,
            vwap,
            self.trade_count,
            prev_close,
            change,
            change_bps,
            self.halted,
            ts_ns,
        )


# Spelled out rather than read from __slots__: compiled classes do not expose it.
_FIELDS = (
    "halted",
    "high_ticks",
    "last_price_ticks",
    "last_qty",
    "last_ts_ns",
    "low_ticks",
    "name",
    "open_ticks",
    "prev_close_ticks",
    "trade_count",
    "turnover_cents",
    "volume",
)


class Tickers:
    """Statistics of every symbol, in listing order.

    ``stats`` is read directly by :meth:`MarketData.apply`; it is only changed in place.
    """

    __slots__ = ("stats",)

    def __init__(self) -> None:
        self.stats: dict[str, SymbolStats] = {}

    def add(self, symbol: str) -> SymbolStats:
        """The symbol's statistics, created empty the first time it is seen."""
        stats = self.stats.get(symbol)
        if stats is None:
            stats = self.stats[symbol] = SymbolStats(symbol)
        return stats

    def symbols(self) -> list[str]:
        return list(self.stats)

    def list_symbol(self, symbol: str, name: str, reference_price_ticks: int, ts_ns: int) -> None:
        """A listing: its reference price is the previous close until the first day ends."""
        stats = self.add(symbol)
        stats.name = name
        stats.prev_close_ticks = reference_price_ticks
        stats.last_ts_ns = ts_ns

    def set_halted(self, symbol: str, halted: bool, ts_ns: int) -> None:
        stats = self.stats.get(symbol)
        if stats is not None:
            stats.halted = halted
            stats.last_ts_ns = ts_ns

    def end_day(self, closing_prices: dict[str, int], ts_ns: int) -> None:
        """Closing prices become previous closes; every day figure restarts at zero."""
        for symbol, stats in self.stats.items():
            close = closing_prices.get(symbol) or stats.last_price_ticks or stats.prev_close_ticks
            stats.prev_close_ticks = close
            stats.reset_day()
            stats.last_ts_ns = ts_ns

    def to_data(self) -> dict[str, Any]:
        return {
            symbol: {field: getattr(stats, field) for field in _FIELDS}
            for symbol, stats in self.stats.items()
        }

    def load_data(self, data: dict[str, Any]) -> None:
        self.stats.clear()
        for symbol, raw in data.items():
            stats = self.stats[str(symbol)] = SymbolStats(str(symbol))
            for field in _FIELDS:
                value = raw[field]
                if field == "name":
                    value = str(value)
                elif field == "halted":
                    value = bool(value)
                else:
                    value = int(value)
                setattr(stats, field, value)
