"""Reading a user's orders and fills for REST: the engine first, then the database.

One order and the open orders come from the engine port (always current: a GET
right after a POST shows the order). Lists of ended orders and fills come from the
history port (the database projection) once it has caught up with everything
acknowledged before the request. ``history`` may be None (no database reader
wired): answers then come from the engine alone, i.e. open orders only and no fill
history.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from aurex.core.model import Side
from aurex.engine.port import EnginePort
from aurex.engine.queries import GetOrder, OpenOrders
from aurex.readside import TERMINAL, Fill, OrderState
from aurex.readside.history import FillFilter, History, InvalidCursor, OrderFilter, Page

ENGINE_CURSOR = "o"
CATCH_UP_TIMEOUT_S = 2.0
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OrderQuery:
    filter: OrderFilter
    status: str
    """open, closed or all."""
    cursor: str | None
    limit: int


def _matches(state: OrderState, f: OrderFilter) -> bool:
    return (
        (not f.symbol or state.symbol == f.symbol)
        and (f.side is None or state.side is f.side)
        and (not f.statuses or state.status in f.statuses)
        and (not f.client_order_id or state.client_order_id == f.client_order_id)
        and (f.since_ns is None or state.created_ts_ns >= f.since_ns)
        and (f.until_ns is None or state.created_ts_ns < f.until_ns)
    )


def _engine_page(states: Sequence[OrderState], cursor: str | None, limit: int) -> Page[OrderState]:
    """Newest first, continuing below the order id in ``cursor``."""
    newest_first = sorted(states, key=lambda s: s.order_id, reverse=True)
    if cursor is not None:
        if not cursor.startswith(ENGINE_CURSOR) or not cursor[1:].isdigit():
            raise InvalidCursor(cursor)
        below = int(cursor[1:])
        newest_first = [s for s in newest_first if s.order_id < below]
    items = newest_first[:limit]
    more = len(newest_first) > limit
    return Page(tuple(items), f"{ENGINE_CURSOR}{items[-1].order_id}" if more else None)


class OrderReader:
    def __init__(self, engine: EnginePort, history: History | None) -> None:
        self.engine = engine
        self.history = history

    async def order(self, account: str, order_id: int) -> OrderState | None:
        state = await self.engine.query(GetOrder(account, order_id))
        if state is None and self.history is not None:
            state = await self.history.order(account, order_id)
        return state

    async def orders(self, q: OrderQuery) -> Page[OrderState]:
        """Raises ``InvalidCursor``."""
        f = q.filter
        if q.status == "open" or self.history is None:
            if q.status == "closed":
                return Page((), None) if q.cursor is None else _engine_page([], q.cursor, 1)
            live = await self.engine.query(OpenOrders(f.account, f.symbol))
            return _engine_page([s for s in live if _matches(s, f)], q.cursor, q.limit)
        await self._read_your_writes(self.history)
        statuses = TERMINAL if q.status == "closed" else f.statuses
        stored = replace(f, statuses=frozenset(statuses))
        return await self.history.orders(stored, cursor=q.cursor, limit=q.limit)

    async def fills(self, f: FillFilter, cursor: str | None, limit: int) -> Page[Fill]:
        """Raises ``InvalidCursor``."""
        if self.history is None:
            if cursor is not None:
                raise InvalidCursor(cursor)
            return Page((), None)
        await self._read_your_writes(self.history)
        return await self.history.fills(f, cursor=cursor, limit=limit)

    async def _read_your_writes(self, history: History) -> None:
        """Let the database catch up with everything acknowledged before this request,
        so a list right after a POST includes it (normally a few milliseconds)."""
        durable = self.engine.status().durable_seq
        if not await history.caught_up(durable, CATCH_UP_TIMEOUT_S):
            log.warning("order history is more than %.1f s behind the engine", CATCH_UP_TIMEOUT_S)


def parse_side(name: str | None) -> Side | None:
    return None if name is None else Side.BUY if name == "buy" else Side.SELL
