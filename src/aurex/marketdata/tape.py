"""The public trade tape: the most recent trades per symbol, without account names."""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import Any, NamedTuple

from aurex.core.model import Side


class TradePrint(NamedTuple):
    """A trade as the public sees it; ``aggressor`` is the side that took liquidity."""

    symbol: str
    trade_id: int
    price_ticks: int
    quantity: int
    aggressor: Side
    ts_ns: int
    seq: int


class Tape:
    """Bounded per-symbol history; older trades fall off once ``size`` is reached.

    ``tapes`` is read directly by :meth:`MarketData.apply`; it is only changed in place.
    """

    __slots__ = ("_size", "tapes")

    def __init__(self, size: int = 1000) -> None:
        if size < 1:
            raise ValueError("tape size must be at least 1")
        self._size = size
        self.tapes: dict[str, deque[TradePrint]] = {}

    def add(self, symbol: str) -> deque[TradePrint]:
        """The symbol's tape, created empty the first time it is seen."""
        tape = self.tapes.get(symbol)
        if tape is None:
            tape = self.tapes[symbol] = deque(maxlen=self._size)
        return tape

    def record(self, trade: TradePrint) -> None:
        self.add(trade.symbol).append(trade)

    def recent(self, symbol: str, limit: int | None = None) -> list[TradePrint]:
        """Newest first, at most ``limit`` (all kept when ``None``)."""
        tape = self.tapes.get(symbol)
        if tape is None:
            return []
        newest_first = reversed(tape)
        if limit is None:
            return list(newest_first)
        return list(islice(newest_first, max(0, limit)))

    def to_data(self) -> dict[str, Any]:
        """Per symbol, oldest first: ``[trade_id, price, qty, aggressor, ts_ns, seq]``."""
        return {
            symbol: [
                [t.trade_id, t.price_ticks, t.quantity, int(t.aggressor), t.ts_ns, t.seq]
                for t in tape
            ]
            for symbol, tape in self.tapes.items()
        }

    def load_data(self, data: dict[str, Any]) -> None:
        self.tapes.clear()
        for symbol, rows in data.items():
            name = str(symbol)
            self.tapes[name] = deque(
                (
                    TradePrint(
                        name, int(tid), int(price), int(qty), Side(int(side)), int(ts), int(seq)
                    )
                    for tid, price, qty, side, ts, seq in rows
                ),
                maxlen=self._size,
            )
