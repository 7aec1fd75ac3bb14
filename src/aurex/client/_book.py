"""A local L2 order book kept from the WebSocket's snapshot and numbered deltas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class BookChange:
    """One level's new total quantity (0: the level is gone), numbered by ``seq``."""

    seq: int
    side: str
    price: Decimal
    quantity: int


class Gap(Exception):
    """A delta skipped sequence numbers: the book can no longer be trusted."""

    def __init__(self, symbol: str, expected: int, received: int) -> None:
        super().__init__(f"{symbol}: expected book seq {expected}, received {received}")
        self.symbol = symbol
        self.expected = expected
        self.received = received


class LocalBook:
    """Price levels of one symbol. ``ready`` is False until a snapshot arrives and again
    after a gap, until the next snapshot."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.seq = 0
        self.ready = False
        self._bids: dict[Decimal, int] = {}
        self._asks: dict[Decimal, int] = {}

    def load(
        self, seq: int, bids: Iterable[Mapping[str, Any]], asks: Iterable[Mapping[str, Any]]
    ) -> None:
        """Replace the book with a snapshot taken at ``seq``."""
        self.seq = seq
        self._bids = {Decimal(level["price"]): int(level["quantity"]) for level in bids}
        self._asks = {Decimal(level["price"]): int(level["quantity"]) for level in asks}
        self.ready = True

    def invalidate(self) -> None:
        """Forget readiness until the next snapshot (after a gap or a reconnect)."""
        self.ready = False

    def apply(self, changes: Iterable[Mapping[str, Any]]) -> list[BookChange]:
        """Apply a delta's changes in order and return those applied. Changes at or
        below the book's seq are old news (sent before the snapshot) and skipped; a
        change beyond ``seq + 1`` raises ``Gap`` and leaves the book not ready."""
        applied: list[BookChange] = []
        for change in changes:
            seq = int(change["seq"])
            if seq <= self.seq:
                continue
            if seq != self.seq + 1:
                self.ready = False
                raise Gap(self.symbol, self.seq + 1, seq)
            price = Decimal(change["price"])
            quantity = int(change["quantity"])
            levels = self._bids if change["side"] == "buy" else self._asks
            if quantity:
                levels[price] = quantity
            else:
                levels.pop(price, None)
            self.seq = seq
            applied.append(BookChange(seq, change["side"], price, quantity))
        return applied

    def bids(self, levels: int | None = None) -> list[tuple[Decimal, int]]:
        """Best (highest) first."""
        return sorted(self._bids.items(), reverse=True)[:levels]

    def asks(self, levels: int | None = None) -> list[tuple[Decimal, int]]:
        """Best (lowest) first."""
        return sorted(self._asks.items())[:levels]

    def best_bid(self) -> tuple[Decimal, int] | None:
        return max(self._bids.items(), default=None)

    def best_ask(self) -> tuple[Decimal, int] | None:
        return min(self._asks.items(), default=None)

    def __repr__(self) -> str:
        return (
            f"LocalBook({self.symbol!r}, seq={self.seq}, ready={self.ready}, "
            f"bid={self.best_bid()}, ask={self.best_ask()})"
        )
