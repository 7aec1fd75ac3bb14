"""OHLCV candles per symbol for fixed intervals, aligned on UTC epoch boundaries.

A trade at ``ts_ns`` belongs to the bucket starting at ``ts_ns - ts_ns % interval``.
A bucket without trades has no candle: charts show a gap rather than an invented
flat bar. Sequencer timestamps only move forward; should one ever go backwards,
the trade is folded into the newest candle instead of rewriting history.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

_SECOND_NS = 1_000_000_000

INTERVALS: dict[str, int] = {
    "1s": _SECOND_NS,
    "1m": 60 * _SECOND_NS,
    "5m": 300 * _SECOND_NS,
    "1h": 3600 * _SECOND_NS,
    "1d": 86_400 * _SECOND_NS,
}
"""Supported intervals by name, in nanoseconds."""

_INTERVAL_ITEMS = tuple(INTERVALS.items())
_POSITION = {name: i for i, name in enumerate(INTERVALS)}


class CandleBar(NamedTuple):
    """An immutable copy of a candle; ``start_ns`` is the bucket's first nanosecond."""

    symbol: str
    interval: str
    start_ns: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    volume: int
    trade_count: int


class Candle:
    """A candle being built. Identity-hashed so a batch can collect the ones it touched."""

    __slots__ = (
        "close_ticks",
        "high_ticks",
        "interval",
        "low_ticks",
        "open_ticks",
        "start_ns",
        "symbol",
        "trade_count",
        "volume",
    )

    def __init__(self, symbol: str, interval: str, start_ns: int, price_ticks: int) -> None:
        self.symbol = symbol
        self.interval = interval
        self.start_ns = start_ns
        self.open_ticks = self.high_ticks = self.low_ticks = self.close_ticks = price_ticks
        self.volume = 0
        self.trade_count = 0

    def bar(self) -> CandleBar:
        return CandleBar(
            self.symbol,
            self.interval,
            self.start_ns,
            self.open_ticks,
            self.high_ticks,
            self.low_ticks,
            self.close_ticks,
            self.volume,
            self.trade_count,
        )


class Candles:
    """Bounded candle history per symbol and interval (``history`` candles each)."""

    __slots__ = ("_history", "_series", "_touched")

    def __init__(self, history: int = 1000) -> None:
        if history < 1:
            raise ValueError("candle history must be at least 1")
        self._history = history
        self._series: dict[str, tuple[deque[Candle], ...]] = {}
        self._touched: dict[Candle, None] = {}

    def _new_series(self, symbol: str) -> tuple[deque[Candle], ...]:
        series = tuple(deque[Candle](maxlen=self._history) for _ in _INTERVAL_ITEMS)
        self._series[symbol] = series
        return series

    def on_trade(self, symbol: str, price_ticks: int, qty: int, ts_ns: int) -> None:
        series = self._series.get(symbol)
        if series is None:
            series = self._new_series(symbol)
        touched = self._touched
        for (name, interval_ns), candles in zip(_INTERVAL_ITEMS, series, strict=True):
            start = ts_ns - ts_ns % interval_ns
            candle = candles[-1] if candles else None
            if candle is None or start > candle.start_ns:
                candle = Candle(symbol, name, start, price_ticks)
                candles.append(candle)
            elif price_ticks > candle.high_ticks:
                candle.high_ticks = price_ticks
            elif price_ticks < candle.low_ticks:
                candle.low_ticks = price_ticks
            candle.close_ticks = price_ticks
            candle.volume += qty
            candle.trade_count += 1
            touched[candle] = None

    def drain(self) -> list[CandleBar]:
        """The state of every candle changed since the previous call."""
        touched = self._touched
        if not touched:
            return []
        self._touched = {}
        return [candle.bar() for candle in touched]

    def recent(self, symbol: str, interval: str, limit: int | None = None) -> list[CandleBar]:
        """Oldest first, the newest ``limit`` candles; ``ValueError`` on an unknown interval."""
        position = _POSITION.get(interval)
        if position is None:
            raise ValueError(f"unknown candle interval {interval!r}; use one of {list(INTERVALS)}")
        series = self._series.get(symbol)
        if series is None:
            return []
        candles = list(series[position])
        if limit is not None:
            candles = candles[-limit:] if limit > 0 else []
        return [candle.bar() for candle in candles]

    def to_data(self) -> dict[str, Any]:
        """Per symbol and interval, oldest first: ``[start, o, h, l, c, volume, trades]``."""
        return {
            symbol: {
                name: [
                    [
                        c.start_ns,
                        c.open_ticks,
                        c.high_ticks,
                        c.low_ticks,
                        c.close_ticks,
                        c.volume,
                        c.trade_count,
                    ]
                    for c in candles
                ]
                for (name, _), candles in zip(_INTERVAL_ITEMS, series, strict=True)
            }
            for symbol, series in self._series.items()
        }

    def load_data(self, data: dict[str, Any]) -> None:
        self._series = {}
        self._touched = {}
        for symbol, per_interval in data.items():
            series = self._new_series(str(symbol))
            for (name, _), candles in zip(_INTERVAL_ITEMS, series, strict=True):
                for start, o, h, low, c, volume, count in per_interval.get(name, []):
                    candle = Candle(str(symbol), name, int(start), int(o))
                    candle.high_ticks, candle.low_ticks = int(h), int(low)
                    candle.close_ticks, candle.volume, candle.trade_count = (
                        int(c),
                        int(volume),
                        int(count),
                    )
                    candles.append(candle)
