"""OHLCV candles per symbol for fixed intervals, aligned on UTC epoch boundaries.

A trade at ``ts_ns`` belongs to the bucket starting at ``ts_ns - ts_ns % interval``.
A bucket without trades has no candle: charts show a gap rather than an invented
flat bar. Sequencer timestamps only move forward; should one ever go backwards,
the trade is folded into the newest candle instead of rewriting history.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Final, final

from aurex.marketdata.record import Record
from aurex.marketdata.tape import TradePrint

_SECOND_NS = 1_000_000_000

INTERVALS: dict[str, int] = {
    "1s": _SECOND_NS,
    "1m": 60 * _SECOND_NS,
    "5m": 300 * _SECOND_NS,
    "15m": 900 * _SECOND_NS,
    "1h": 3600 * _SECOND_NS,
    "1d": 86_400 * _SECOND_NS,
}
"""Supported intervals by name, in nanoseconds."""

_INTERVAL_ITEMS: Final = tuple(INTERVALS.items())
_POSITION = {name: i for i, name in enumerate(INTERVALS)}


@final
class CandleBar(Record):
    """An immutable copy of a candle; ``start_ns`` is the bucket's first nanosecond."""

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

    def __init__(
        self,
        symbol: str,
        interval: str,
        start_ns: int,
        open_ticks: int,
        high_ticks: int,
        low_ticks: int,
        close_ticks: int,
        volume: int,
        trade_count: int,
    ) -> None:
        self.symbol: Final = symbol
        self.interval: Final = interval
        self.start_ns: Final = start_ns
        self.open_ticks: Final = open_ticks
        self.high_ticks: Final = high_ticks
        self.low_ticks: Final = low_ticks
        self.close_ticks: Final = close_ticks
        self.volume: Final = volume
        self.trade_count: Final = trade_count

    def astuple(self) -> tuple[str, str, int, int, int, int, int, int, int]:
        return (
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


class _Candle:
    """A candle being built: typed fields, so the compiled build adds plain integers."""

    __slots__ = (
        "close",
        "count",
        "high",
        "interval",
        "low",
        "open",
        "start_ns",
        "symbol",
        "volume",
    )

    def __init__(
        self, symbol: str, interval: str, start_ns: int, price: int, volume: int, count: int
    ) -> None:
        self.symbol = symbol
        self.interval = interval
        self.start_ns = start_ns
        self.open = price
        self.high = price
        self.low = price
        self.close = price
        self.volume = volume
        self.count = count

    def bar(self) -> CandleBar:
        return CandleBar(
            self.symbol,
            self.interval,
            self.start_ns,
            self.open,
            self.high,
            self.low,
            self.close,
            self.volume,
            self.count,
        )


_NEVER: Final = -(1 << 62)
"""``fold_until`` while some interval has no candle yet: every trade rolls."""


class _Series:
    """One symbol's candles per interval, plus what the common case needs.

    ``current`` holds the newest candle of every interval (empty until each has
    one) and ``fold_until`` the first timestamp that would open a new candle in
    any of them: a trade before it only updates ``current``.
    """

    __slots__ = ("batch", "current", "fold_until", "history")

    def __init__(self, history: int) -> None:
        self.history = tuple(deque[_Candle](maxlen=history) for _ in _INTERVAL_ITEMS)
        self.current: list[_Candle] = []
        self.fold_until = _NEVER
        self.batch = -1
        """The last batch that reported every candle of ``current`` as touched."""

    def refresh(self) -> None:
        newest = [candles[-1] for candles in self.history if candles]
        if len(newest) < len(_INTERVAL_ITEMS):
            self.current, self.fold_until = [], _NEVER
            return
        self.current = newest
        self.fold_until = min(
            candle.start_ns - candle.start_ns % interval_ns + interval_ns
            for candle, (_, interval_ns) in zip(newest, _INTERVAL_ITEMS, strict=True)
        )


class Candles:
    """Bounded candle history per symbol and interval (``history`` candles each)."""

    __slots__ = ("_batch", "_history", "_series")

    def __init__(self, history: int = 1000) -> None:
        if history < 1:
            raise ValueError("candle history must be at least 1")
        self._history = history
        self._series: dict[str, _Series] = {}
        self._batch = 0

    def on_trades(self, trades: list[TradePrint]) -> list[CandleBar]:
        """Fold a batch's trades, in order, into the candles.

        Returns the state of every candle the batch touched, in the order they were
        first touched. Consecutive trades of one symbol that open no new candle are
        summed first and folded into its current candles once.
        """
        batch = self._batch
        self._batch += 1
        touched: list[_Candle] = []
        run: _Series | None = None
        run_symbol = ""
        high = low = close = volume = count = 0
        for trade in trades:
            symbol, price, qty, ts_ns = trade.symbol, trade.price_ticks, trade.quantity, trade.ts_ns
            if run is not None:
                if ts_ns < run.fold_until and symbol == run_symbol:
                    if price > high:
                        high = price
                    elif price < low:
                        low = price
                    close = price
                    volume += qty
                    count += 1
                    continue
                _fold(run.current, high, low, close, volume, count)
                run = None
            series = self._series.get(symbol)
            if series is None:
                series = self._series[symbol] = _Series(self._history)
            if ts_ns < series.fold_until:
                run, run_symbol = series, symbol
                high = low = close = price
                volume, count = qty, 1
                if series.batch != batch:
                    series.batch = batch
                    touched.extend(series.current)
            else:
                _roll(symbol, series, price, qty, ts_ns, touched, series.batch == batch)
                series.batch = batch
        if run is not None:
            _fold(run.current, high, low, close, volume, count)
        return [candle.bar() for candle in touched]

    def recent(self, symbol: str, interval: str, limit: int | None = None) -> list[CandleBar]:
        """Oldest first, the newest ``limit`` candles; ``ValueError`` on an unknown interval."""
        position = _POSITION.get(interval)
        if position is None:
            raise ValueError(f"unknown candle interval {interval!r}; use one of {list(INTERVALS)}")
        series = self._series.get(symbol)
        if series is None:
            return []
        candles = list(series.history[position])
        if limit is not None:
            candles = candles[-limit:] if limit > 0 else []
        return [candle.bar() for candle in candles]

    def to_data(self) -> dict[str, Any]:
        """Per symbol and interval, oldest first: ``[start, o, h, l, c, volume, trades]``."""
        return {
            symbol: {
                name: [
                    [c.start_ns, c.open, c.high, c.low, c.close, c.volume, c.count] for c in candles
                ]
                for (name, _), candles in zip(_INTERVAL_ITEMS, series.history, strict=True)
            }
            for symbol, series in self._series.items()
        }

    def load_data(self, data: dict[str, Any]) -> None:
        self._series = {}
        for raw_symbol, per_interval in data.items():
            symbol = str(raw_symbol)
            series = self._series[symbol] = _Series(self._history)
            for (name, _), candles in zip(_INTERVAL_ITEMS, series.history, strict=True):
                for row in per_interval.get(name, []):
                    start, o, h, low, c, volume, count = (int(x) for x in row)
                    candle = _Candle(symbol, name, start, o, volume, count)
                    candle.high, candle.low, candle.close = h, low, c
                    candles.append(candle)
            series.refresh()


def _fold(current: list[_Candle], high: int, low: int, close: int, volume: int, count: int) -> None:
    """Add a run of trades (its high, low, last price, volume, count) to current candles.

    The same as adding them one by one, since a candle's low never exceeds its high.
    Every trade reaches the current candle of each interval, so the shortest one
    holds a subset of the others' trades and its range lies inside theirs: a run
    inside it moves no high or low at all.
    """
    shortest = current[0]
    if high <= shortest.high and low >= shortest.low:
        for candle in current:
            candle.close = close
            candle.volume += volume
            candle.count += count
        return
    for candle in current:
        if high > candle.high:
            candle.high = high
        if low < candle.low:
            candle.low = low
        candle.close = close
        candle.volume += volume
        candle.count += count


def _roll(
    symbol: str,
    series: _Series,
    price: int,
    qty: int,
    ts_ns: int,
    touched: list[_Candle],
    reported: bool,
) -> None:
    """One trade that opens a new candle in at least one interval.

    ``reported`` says whether the series' current candles are already in ``touched``.
    """
    for (name, interval_ns), candles in zip(_INTERVAL_ITEMS, series.history, strict=True):
        start = ts_ns - ts_ns % interval_ns
        candle = candles[-1] if candles else None
        if candle is None or start > candle.start_ns:
            candle = _Candle(symbol, name, start, price, qty, 1)
            candles.append(candle)
            touched.append(candle)
            continue
        if price > candle.high:
            candle.high = price
        elif price < candle.low:
            candle.low = price
        candle.close = price
        candle.volume += qty
        candle.count += 1
        if not reported:
            touched.append(candle)
    series.refresh()
