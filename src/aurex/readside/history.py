"""The history port: ended orders and fills, read from the database projection.

Live and recently ended orders come from the engine port (``GetOrder``,
``OpenOrders``); everything older comes from here. Pages are newest first and
continue with an opaque ``cursor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from aurex.core.model import OrderStatus, Side
from aurex.readside.order_state import Fill, OrderState

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None
    """Pass back to get the next (older) page; None on the last page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFilter:
    account: str
    symbol: str = ""
    side: Side | None = None
    statuses: frozenset[OrderStatus] = frozenset()
    """Empty: every status."""
    client_order_id: str = ""
    since_ns: int | None = None
    """Created at or after."""
    until_ns: int | None = None
    """Created before."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FillFilter:
    account: str
    symbol: str = ""
    order_id: int = 0
    since_ns: int | None = None
    until_ns: int | None = None


class InvalidCursor(ValueError):
    """A cursor that this reader did not issue (or for another filter)."""


class History(Protocol):
    async def caught_up(self, seq: int, timeout_s: float = 1.0) -> bool:
        """Wait until the history includes every command up to ``seq`` (read your
        writes: pass the engine's durable seq); False if it did not within the time."""
        ...

    async def order(self, account: str, order_id: int) -> OrderState | None: ...

    async def orders(
        self, query: OrderFilter, *, cursor: str | None = None, limit: int = 100
    ) -> Page[OrderState]:
        """Matching orders, newest first. Raises ``InvalidCursor``."""
        ...

    async def fills(
        self, query: FillFilter, *, cursor: str | None = None, limit: int = 100
    ) -> Page[Fill]:
        """Matching fills, newest first. Raises ``InvalidCursor``."""
        ...
