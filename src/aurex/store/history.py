"""``SqlHistory``: the read side's ``History`` port over the projected orders and fills.

Pages are newest first (orders by id, fills by trade id then side, both of which grow
with time) and continue with keyset cursors: a cursor names the last row returned,
so a page costs one index range scan however deep the client has paged, and rows
projected meanwhile never shift or repeat a page. A cursor is opaque text carrying
its position and a MAC over that position and the filter it was issued for; anything
else (edited, truncated, from another filter or account) raises ``InvalidCursor``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.readside.history import FillFilter, InvalidCursor, OrderFilter, Page
from aurex.readside.order_state import Fill, OrderState
from aurex.store.order_rows import fill_from_row, order_state
from aurex.store.tables import fills, orders

MAX_PAGE = 1_000
"""Largest page served; larger ``limit``s are cut to this."""

_MAC_BYTES = 12


class _Cursors:
    """Issues and checks cursors: ``base64url(json([kind, filter, position, mac]))``."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, kind: str, scope: list[Any], position: list[int]) -> str:
        message = json.dumps([kind, scope, position], separators=(",", ":")).encode()
        digest = hashlib.blake2b(message, key=self._secret, digest_size=_MAC_BYTES)
        return digest.hexdigest()

    def issue(self, kind: str, scope: list[Any], position: list[int]) -> str:
        mac = self._mac(kind, scope, position)
        raw = json.dumps([kind, position, mac], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def position(self, cursor: str, kind: str, scope: list[Any], size: int) -> list[int]:
        """The position ``cursor`` names, if this reader issued it for ``kind``/``scope``."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            got_kind, position, mac = json.loads(raw)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise InvalidCursor("malformed cursor") from exc
        if (
            got_kind != kind
            or not isinstance(position, list)
            or len(position) != size
            or not all(type(p) is int and p >= 0 for p in position)
            or not isinstance(mac, str)
            or not hmac.compare_digest(mac, self._mac(kind, scope, position))
        ):
            raise InvalidCursor("cursor was not issued for this query")
        return position


def _order_scope(query: OrderFilter) -> list[Any]:
    side = -1 if query.side is None else int(query.side)
    statuses = sorted(int(s) for s in query.statuses)
    return [query.account, query.symbol, side, statuses, query.client_order_id,
            query.since_ns, query.until_ns]  # fmt: skip


def _fill_scope(query: FillFilter) -> list[Any]:
    return [query.account, query.symbol, query.order_id, query.since_ns, query.until_ns]


def _page_size(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE))


class SqlHistory:
    """Ended and past orders and fills of one account, from the database projection.

    ``secret`` keys the cursor MAC; without one a cursor is still checked against its
    query, which is what keeps a client from mixing pages of different queries.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        secret: bytes = b"",
        wait_for_seq: Callable[[int, float], Awaitable[bool]] | None = None,
    ) -> None:
        self._engine = engine
        self._cursors = _Cursors(secret)
        self._wait_for_seq = wait_for_seq
        """The projector's ``wait_for``; None when the caller projects synchronously."""

    async def caught_up(self, seq: int, timeout_s: float = 1.0) -> bool:
        if self._wait_for_seq is None:
            return True
        return await self._wait_for_seq(seq, timeout_s)

    async def _rows(self, stmt: Select[Any]) -> Sequence[Any]:
        async with self._engine.connect() as conn:
            rows: Sequence[Any] = (await conn.execute(stmt)).all()
        return rows

    async def order(self, account: str, order_id: int) -> OrderState | None:
        stmt = select(orders).where(orders.c.order_id == order_id, orders.c.user_id == account)
        rows = await self._rows(stmt)
        return order_state(rows[0]._asdict()) if rows else None

    async def orders(
        self, query: OrderFilter, *, cursor: str | None = None, limit: int = 100
    ) -> Page[OrderState]:
        """Matching orders, newest first. Raises ``InvalidCursor``."""
        scope = _order_scope(query)
        size = _page_size(limit)
        c = orders.c
        stmt = select(orders).where(c.user_id == query.account)
        if query.symbol:
            stmt = stmt.where(c.symbol == query.symbol)
        if query.side is not None:
            stmt = stmt.where(c.side == int(query.side))
        if query.statuses:
            stmt = stmt.where(c.status.in_(sorted(s.name for s in query.statuses)))
        if query.client_order_id:
            stmt = stmt.where(c.client_order_id == query.client_order_id)
        if query.since_ns is not None:
            stmt = stmt.where(c.created_ts_ns >= query.since_ns)
        if query.until_ns is not None:
            stmt = stmt.where(c.created_ts_ns < query.until_ns)
        if cursor is not None:
            (before,) = self._cursors.position(cursor, "orders", scope, 1)
            stmt = stmt.where(c.order_id < before)
        rows = await self._rows(stmt.order_by(c.order_id.desc()).limit(size + 1))
        items = tuple(order_state(row._asdict()) for row in rows[:size])
        next_cursor = None
        if len(rows) > size:
            next_cursor = self._cursors.issue("orders", scope, [items[-1].order_id])
        return Page(items, next_cursor)

    async def fills(
        self, query: FillFilter, *, cursor: str | None = None, limit: int = 100
    ) -> Page[Fill]:
        """Matching fills, newest first. Raises ``InvalidCursor``."""
        scope = _fill_scope(query)
        size = _page_size(limit)
        c = fills.c
        stmt = select(fills).where(c.user_id == query.account)
        if query.symbol:
            stmt = stmt.where(c.symbol == query.symbol)
        if query.order_id:
            stmt = stmt.where(c.order_id == query.order_id)
        if query.since_ns is not None:
            stmt = stmt.where(c.ts_ns >= query.since_ns)
        if query.until_ns is not None:
            stmt = stmt.where(c.ts_ns < query.until_ns)
        if cursor is not None:
            trade_id, side = self._cursors.position(cursor, "fills", scope, 2)
            stmt = stmt.where(
                or_(c.trade_id < trade_id, and_(c.trade_id == trade_id, c.side < side))
            )
        stmt = stmt.order_by(c.trade_id.desc(), c.side.desc()).limit(size + 1)
        rows = await self._rows(stmt)
        items = tuple(fill_from_row(row._asdict()) for row in rows[:size])
        next_cursor = None
        if len(rows) > size:
            last = items[-1]
            next_cursor = self._cursors.issue("fills", scope, [last.trade_id, int(last.side)])
        return Page(items, next_cursor)
