"""The public trade tape: the most recent trades per symbol, without account names."""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import Any, Final, final

from aurex.core.model import Side
from aurex.marketdata.record import Record


@final
class TradePrint(Record):
    """A trade as the public sees it; ``aggressor`` is the side that took liquidity."""

    __slots__ = ("aggressor", "price_ticks", "quantity", "seq", "symbol", "trade_id", "ts_ns")

    def __init__(
        self,
        symbol: str,
        trade_id: int,
        price_ticks: int,
        quantity: int,
        aggressor: Side,
        ts_ns: int,
        seq: int,
    ) -> None:
        self.symbol: Final = symbol
        self.trade_id: Final = trade_id
        self.price_ticks: Final = price_ticks
        self.quantity: Final = quantity
        self.aggressor: Final = aggressor
        self.ts_ns: Final = ts_ns
        self.seq: Final = seq

    def astuple(self) -> tuple[str, int, int, int, Side, int, int]:
        return (
            self.symbol,
            self.trade_id,
            self.price_ticks,
            self.quantity,
            self.aggressor,
            self.ts_ns,
            self.seq,
        )


class Tape:
    """Bounded per-symbol history; older trades fall off once ``size`` is reached."""

    __slots__ = ("_size", "_tapes")

    def __init__(self, size: int = 1000) -> None:
        if size < 1:
            raise ValueError("tape size must be at least 1")
        self._size = size
        self._tapes: dict[str, deque[TradePrint]] = {}

    def record(self, trades: list[TradePrint]) -> None:
        """Append trades in order, each to its symbol's tape."""
        tapes = self._tapes
        for trade in trades:
            tape = tapes.get(trade.symbol)
            if tape is None:
                tape = tapes[trade.symbol] = deque(maxlen=self._size)
            tape.append(trade)

    def recent(self, symbol: str, limit: int | None = None) -> list[TradePrint]:
        """Newest first, at most ``limit`` (all kept when ``None``)."""
        tape = self._tapes.get(symbol)
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
            for symbol, tape in self._tapes.items()
        }

    def load_data(self, data: dict[str, Any]) -> None:
        self._tapes.clear()
        for symbol, rows in data.items():
            name = str(symbol)
            self._tapes[name] = deque(
                (
                    TradePrint(
                        name, int(tid), int(price), int(qty), Side(int(side)), int(ts), int(seq)
                    )
                    for tid, price, qty, side, ts, seq in rows
                ),
                maxlen=self._size,
            )
