"""OHLCV candles per symbol for fixed intervals, aligned on UTC epoch boundaries.

A trade at ``ts_ns`` belongs to the bucket starting at ``ts_ns - ts_ns % interval``.
A bucket without trades has no candle: charts show a gap rather than an invented
flat bar. Sequencer timestamps only move forward; should one ever go backwards,
the trade is folded into the newest candle instead of rewriting history.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, Final, NamedTuple

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
_new_tuple: Final = tuple.__new__  # NamedTuple._make without its Python frame
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


# Final aliases of hot imported callables: the compiled build keeps them in C statics
# (a plain module-level name is a dict lookup on every use).
_CANDLE_BAR: Final = CandleBar

# A candle being built is a list laid out like CandleBar, so a bar is one tuple copy.
_START, _HIGH, _LOW, _CLOSE, _VOLUME, _COUNT = 2, 4, 5, 6, 7, 8


class _Series:
    """One symbol's candles per interval, plus what the common case needs.

    ``current`` holds the newest candle of every interval (empty until each has
    one) and ``fold_until`` the first timestamp that would open a new candle in
    any of them: a trade before it only updates ``current``.
    """

    __slots__ = ("batch", "current", "fold_until", "history")

    def __init__(self, history: int) -> None:
        self.history = tuple(deque[list[Any]](maxlen=history) for _ in _INTERVAL_ITEMS)
        self.current: list[list[Any]] = []
        self.fold_until: float = -math.inf
        self.batch = -1
        """The last batch that reported every candle of ``current`` as touched."""

    def refresh(self) -> None:
        newest = [candles[-1] for candles in self.history if candles]
        if len(newest) < len(_INTERVAL_ITEMS):
            self.current, self.fold_until = [], -math.inf
            return
        self.current = newest
        self.fold_until = min(
            candle[_START] - candle[_START] % interval_ns + interval_ns
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
        touched: list[list[Any]] = []
        run: _Series | None = None
        run_symbol = ""
        high = low = close = volume = count = 0
        for symbol, _, price, qty, _, ts_ns, _ in trades:
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
        return [_new_tuple(_CANDLE_BAR, candle) for candle in touched]

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
        return [_new_tuple(_CANDLE_BAR, candle) for candle in candles]

    def to_data(self) -> dict[str, Any]:
        """Per symbol and interval, oldest first: ``[start, o, h, l, c, volume, trades]``."""
        return {
            symbol: {
                name: [candle[_START:] for candle in candles]
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
                    candles.append([symbol, name, start, o, h, low, c, volume, count])
            series.refresh()


def _fold(
    current: list[list[Any]], high: int, low: int, close: int, volume: int, count: int
) -> None:
    """Add a run of trades (its high, low, last price, volume, count) to current candles.

    The same as adding them one by one, since a candle's low never exceeds its high.
    Every trade reaches the current candle of each interval, so the shortest one
    holds a subset of the others' trades and its range lies inside theirs: a run
    inside it moves no high or low at all.
    """
    shortest = current[0]
    if high <= shortest[_HIGH] and low >= shortest[_LOW]:
        for candle in current:
            candle[_CLOSE] = close
            candle[_VOLUME] += volume
            candle[_COUNT] += count
        return
    for candle in current:
        if high > candle[_HIGH]:
            candle[_HIGH] = high
        if low < candle[_LOW]:
            candle[_LOW] = low
        candle[_CLOSE] = close
        candle[_VOLUME] += volume
        candle[_COUNT] += count


def _roll(
    symbol: str,
    series: _Series,
    price: int,
    qty: int,
    ts_ns: int,
    touched: list[list[Any]],
    reported: bool,
) -> None:
    """One trade that opens a new candle in at least one interval.

    ``reported`` says whether the series' current candles are already in ``touched``.
    """
    for (name, interval_ns), candles in zip(_INTERVAL_ITEMS, series.history, strict=True):
        start = ts_ns - ts_ns % interval_ns
        candle = candles[-1] if candles else None
        if candle is None or start > candle[_START]:
            candle = [symbol, name, start, price, price, price, price, qty, 1]
            candles.append(candle)
            touched.append(candle)
            continue
        if price > candle[_HIGH]:
            candle[_HIGH] = price
        elif price < candle[_LOW]:
            candle[_LOW] = price
        candle[_CLOSE] = price
        candle[_VOLUME] += qty
        candle[_COUNT] += 1
        if not reported:
            touched.append(candle)
    series.refresh()
