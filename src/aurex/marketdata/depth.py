"""L2 depth: aggregated quantity per price level, projected from book events.

Each symbol's book carries a sequence number that grows by one on every level
change, and every change is recorded as a :class:`DepthDelta` carrying that
number. A client takes a :class:`DepthSnapshot` (seq ``S``), drops deltas with
``seq <= S`` and applies the rest; the first applied delta must have ``seq ==
S + 1`` and each next one ``seq == previous + 1``, otherwise it missed
something and must take a fresh snapshot. Prices are kept in ascending lists
maintained with ``bisect`` so top-N is a slice, never a sort.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass
from typing import Any, Final, final

from aurex.core.model import Side
from aurex.marketdata.record import Record

_BUY: Final = Side.BUY

# Final aliases of hot imported callables: the compiled build keeps them in C statics
# (a plain module-level name is a dict lookup on every use).
_insort: Final = insort
_bisect_left: Final = bisect_left


@final
class DepthDelta(Record):
    """One level changed: ``new_qty`` is the level's total now (0 = level removed)."""

    __slots__ = ("new_qty", "price_ticks", "seq", "side", "symbol")

    def __init__(
        self,
        symbol: str,
        side: Side,
        price_ticks: int,
        new_qty: int,
        seq: int,
    ) -> None:
        self.symbol: Final = symbol
        self.side: Final = side
        self.price_ticks: Final = price_ticks
        self.new_qty: Final = new_qty
        self.seq: Final = seq

    def astuple(self) -> tuple[str, Side, int, int, int]:
        return (self.symbol, self.side, self.price_ticks, self.new_qty, self.seq)


@dataclass(frozen=True, slots=True)
class DepthSnapshot:
    """Top levels of one symbol; bids and asks best first as ``(price_ticks, qty)``."""

    symbol: str
    seq: int
    bids: tuple[tuple[int, int], ...]
    asks: tuple[tuple[int, int], ...]


class DepthBook:
    """Levels of one symbol. ``*_prices`` are ascending: best bid last, best ask first."""

    __slots__ = ("ask_prices", "asks", "bid_prices", "bids", "seq", "symbol", "top_ts_ns")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        self.bid_prices: list[int] = []
        self.ask_prices: list[int] = []
        self.seq = 0
        self.top_ts_ns = 0

    def snapshot(self, levels: int | None = None) -> DepthSnapshot:
        """The best ``levels`` per side (all when ``None``)."""
        if levels is not None:
            levels = max(0, levels)
        bid_prices = (
            self.bid_prices[::-1] if levels is None else self.bid_prices[: -levels - 1 : -1]
        )
        ask_prices = self.ask_prices if levels is None else self.ask_prices[:levels]
        bids, asks = self.bids, self.asks
        return DepthSnapshot(
            symbol=self.symbol,
            seq=self.seq,
            bids=tuple((p, bids[p]) for p in bid_prices),
            asks=tuple((p, asks[p]) for p in ask_prices),
        )

    def replace(self, bids: list[tuple[int, int]], asks: list[tuple[int, int]]) -> None:
        """Replace all levels; the sequence moves on so old snapshots are stale."""
        self.bids = {p: q for p, q in bids if q > 0}
        self.asks = {p: q for p, q in asks if q > 0}
        self.bid_prices = sorted(self.bids)
        self.ask_prices = sorted(self.asks)
        self.seq += 1


class DepthBooks:
    """All symbols' depth.

    ``books`` is read directly by :meth:`MarketData.apply`, which inlines
    :meth:`adjust` for the frequent events; the dict is only ever changed in place.
    """

    __slots__ = ("anomalies", "books")

    def __init__(self) -> None:
        self.books: dict[str, DepthBook] = {}
        self.anomalies = 0
        """Removals of more than a level held: a sign of events missed before seeding."""

    def book(self, symbol: str) -> DepthBook | None:
        return self.books.get(symbol)

    def ensure(self, symbol: str) -> DepthBook:
        book = self.books.get(symbol)
        if book is None:
            book = self.books[symbol] = DepthBook(symbol)
        return book

    def adjust(
        self,
        symbol: str,
        side: Side,
        price_ticks: int,
        delta: int,
        ts_ns: int,
        out: list[DepthDelta],
    ) -> bool:
        """Add ``delta`` (may be negative) at a level, appending the change to ``out``.

        True when the top of book changed. A level never goes below zero: removing
        more than it holds empties it and counts an anomaly.
        """
        book = self.books.get(symbol)
        if book is None:
            book = self.books[symbol] = DepthBook(symbol)
        if side is _BUY:
            levels, prices = book.bids, book.bid_prices
        else:
            levels, prices = book.asks, book.ask_prices
        old = levels.get(price_ticks, 0)
        new = old + delta
        if new > 0:
            if new == old:
                return False
            levels[price_ticks] = new
            if old == 0:
                _insort(prices, price_ticks)
        else:
            if new < 0:
                self.anomalies += 1
            if old == 0:
                return False
            new = 0
            del levels[price_ticks]
            del prices[_bisect_left(prices, price_ticks)]
        book.seq += 1
        out.append(DepthDelta(symbol, side, price_ticks, new, book.seq))
        if not prices:
            top = True
        elif side is _BUY:
            top = price_ticks >= prices[-1]
        else:
            top = price_ticks <= prices[0]
        if top:
            book.top_ts_ns = ts_ns
        return top

    def seed(self, symbol: str, bids: list[tuple[int, int]], asks: list[tuple[int, int]]) -> None:
        """Load levels (e.g. from ``Exchange.depth`` after a restart); no deltas are made."""
        self.ensure(symbol).replace(bids, asks)

    def snapshot(self, symbol: str, levels: int | None = None) -> DepthSnapshot | None:
        book = self.books.get(symbol)
        return None if book is None else book.snapshot(levels)

    def to_data(self) -> dict[str, Any]:
        """Plain data: per symbol the sequence and ascending ``[price, qty]`` lists."""
        return {
            symbol: {
                "seq": book.seq,
                "top_ts_ns": book.top_ts_ns,
                "bids": [[p, book.bids[p]] for p in book.bid_prices],
                "asks": [[p, book.asks[p]] for p in book.ask_prices],
            }
            for symbol, book in self.books.items()
        }

    def load_data(self, data: dict[str, Any]) -> None:
        """Replace every book with what :meth:`to_data` produced."""
        self.books.clear()
        for symbol, raw in data.items():
            book = self.ensure(str(symbol))
            book.replace(
                [(int(p), int(q)) for p, q in raw["bids"]],
                [(int(p), int(q)) for p, q in raw["asks"]],
            )
            book.seq = int(raw["seq"])
            book.top_ts_ns = int(raw["top_ts_ns"])
