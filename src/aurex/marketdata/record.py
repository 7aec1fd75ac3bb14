"""The base of published market-data values (depth deltas, trade prints, tickers, candles).

One value goes to many readers (every subscriber, REST, gRPC, TCP), so it is
read-only: subclasses declare their fields ``Final``, which the compiled build
enforces at run time. They are plain native classes rather than ``NamedTuple``s
because building a tuple subclass costs a Python-level call and two allocations;
market data builds several per command (bench/core.py). Values compare, hash,
print and pickle by their fields, in declaration order (:meth:`Record.astuple`).
"""

from __future__ import annotations

from typing import Any


class Record:
    __slots__ = ()

    def astuple(self) -> tuple[Any, ...]:
        """The fields in declaration order."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.astuple() == other.astuple()

    def __hash__(self) -> int:
        return hash(self.astuple())

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.astuple()!r}"

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        return (type(self), self.astuple())
