"""SqlHistory answers an account's order and fill history from the projection, in pages."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.core.commands import AmendOrder, CancelOrder, Deposit, PlaceOrder
from aurex.core.events import OrderAccepted
from aurex.core.model import CancelReason, OrderStatus, OrderType, Side, TimeInForce
from aurex.readside.history import FillFilter, InvalidCursor, OrderFilter, Page
from aurex.store.history import SqlHistory
from aurex.store.projector import Projector
from tests.unit.store.flow import Market, opening_commands

T0 = 1_767_225_600_000_000_000
"""``Market`` stamps command ``seq`` at ``T0 + seq`` milliseconds."""


def order(account: str, cid: str, side: Side, qty: int, price: int, **extra: Any) -> PlaceOrder:
    fields: dict[str, Any] = {"symbol": "ACME", "order_type": OrderType.LIMIT, **extra}
    return PlaceOrder(account=account, client_order_id=cid, side=side, quantity=qty,
                      price_ticks=price, **fields)  # fmt: skip


async def trading_day(engine: AsyncEngine) -> Market:
    """alice sells 100 ACME; bob takes 30 then 50 of it; alice amends, then cancels."""
    market = Market()
    market.apply(opening_commands())
    market.apply([Deposit(account=a, cash_cents=10**9) for a in ("alice", "bob")])
    market.apply([Deposit(account="alice", symbol=s, shares=1_000) for s in ("ACME", "BOLT")])
    (accepted, *_) = market.apply([order("alice", "a1", Side.SELL, 100, 10_050)])
    assert isinstance(accepted, OrderAccepted)
    market.apply([order("bob", "b1", Side.BUY, 30, 10_100, tif=TimeInForce.IOC)])
    market.apply([order("bob", "b2", Side.BUY, 50, 10_050)])
    market.apply([order("alice", "a2", Side.SELL, 5, 2_600, symbol="BOLT")])
    market.apply([order("bob", "b3", Side.BUY, 7, 9_000)])  # rests
    market.apply([AmendOrder(account="alice", order_id=accepted.order_id, quantity=90)])
    market.apply([CancelOrder(account="alice", client_order_id="a1")])
    market.apply([PlaceOrder(account="bob", client_order_id="bad", symbol="NOPE", side=Side.BUY,
                             order_type=OrderType.LIMIT, quantity=1, price_ticks=1)])  # fmt: skip
    projector = Projector(engine)
    for batch in market.batches:
        await projector.apply(batch)
    return market


async def all_pages(fetch: Any, limit: int) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        page = await fetch(cursor=cursor, limit=limit)
        assert len(page.items) <= limit
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        assert len(page.items) == limit
        cursor = page.next_cursor


async def test_orders_come_back_with_their_full_state(engine: AsyncEngine) -> None:
    await trading_day(engine)
    history = SqlHistory(engine)
    page = await history.orders(OrderFilter(account="alice"))
    assert page.next_cursor is None
    a2, a1 = page.items
    assert (a1.client_order_id, a1.status, a1.cancel_reason) == (
        "a1", OrderStatus.CANCELLED, CancelReason.USER_REQUESTED
    )  # fmt: skip
    assert (a1.quantity, a1.filled, a1.leaves, a1.filled_cost_cents) == (90, 80, 0, 80 * 10_050)
    assert a1.average_price_ticks == 10_050
    assert (a1.side, a1.order_type, a1.tif, a1.symbol) == (
        Side.SELL, OrderType.LIMIT, TimeInForce.GTC, "ACME"
    )  # fmt: skip
    assert a1.created_ts_ns < a1.updated_ts_ns == T0 + a1.updated_seq * 1_000_000
    assert (a2.status, a2.leaves, a2.symbol) == (OrderStatus.NEW, 5, "BOLT")
    assert await history.order("alice", a1.order_id) == a1
    assert await history.order("bob", a1.order_id) is None
    assert await history.order("alice", 10_000) is None


async def test_order_filters(engine: AsyncEngine) -> None:
    await trading_day(engine)
    history = SqlHistory(engine)

    async def cids(**given: Any) -> list[str]:
        page = await history.orders(OrderFilter(account="bob", **given))
        return [s.client_order_id for s in page.items]

    assert await cids() == ["b3", "b2", "b1"]
    assert await cids(statuses=frozenset({OrderStatus.FILLED})) == ["b2", "b1"]
    assert await cids(statuses=frozenset({OrderStatus.NEW, OrderStatus.CANCELLED})) == ["b3"]
    assert await cids(statuses=frozenset({OrderStatus.REJECTED})) == []
    assert await cids(client_order_id="b2") == ["b2"]
    assert await cids(side=Side.SELL) == []
    assert await cids(symbol="BOLT") == []
    b1, b2, b3 = reversed((await history.orders(OrderFilter(account="bob"))).items)
    assert await cids(since_ns=b2.created_ts_ns) == ["b3", "b2"]
    assert await cids(until_ns=b2.created_ts_ns) == ["b1"]
    assert await cids(since_ns=b1.created_ts_ns + 1, until_ns=b3.created_ts_ns) == ["b2"]
    assert await cids(symbol="ACME", side=Side.BUY, statuses=frozenset({OrderStatus.NEW})) == ["b3"]


async def test_fills_carry_the_order_totals_right_after_each_trade(engine: AsyncEngine) -> None:
    await trading_day(engine)
    history = SqlHistory(engine)
    sells = (await history.fills(FillFilter(account="alice"))).items
    buys = (await history.fills(FillFilter(account="bob"))).items
    assert [(f.quantity, f.order_filled, f.order_leaves) for f in sells] == [
        (50, 80, 20),
        (30, 30, 70),
    ]
    assert [(f.client_order_id, f.side, f.is_maker) for f in sells] == [("a1", Side.SELL, True)] * 2
    assert [(f.client_order_id, f.order_filled, f.order_leaves) for f in buys] == [
        ("b2", 50, 0), ("b1", 30, 0)
    ]  # fmt: skip
    assert all(not f.is_maker and f.price_ticks == 10_050 for f in buys)
    assert [f.trade_id for f in sells] == [f.trade_id for f in buys]
    assert sells[0].ts_ns == T0 + sells[0].seq * 1_000_000

    b2 = buys[0].order_id
    assert (await history.fills(FillFilter(account="bob", order_id=b2))).items == buys[:1]
    assert (await history.fills(FillFilter(account="alice", order_id=b2))).items == ()
    assert (await history.fills(FillFilter(account="bob", symbol="BOLT"))).items == ()
    since = FillFilter(account="bob", since_ns=buys[0].ts_ns)
    assert (await history.fills(since)).items == buys[:1]
    until = FillFilter(account="bob", until_ns=buys[0].ts_ns)
    assert (await history.fills(until)).items == buys[1:]


async def test_pages_walk_every_row_once_newest_first(engine: AsyncEngine) -> None:
    market = Market()
    market.apply(opening_commands())
    for n in range(23):
        side = Side.BUY if n % 2 else Side.SELL
        market.apply([order("acct-00", f"m{n}", side, 1, 10_000)])
        market.apply([order("acct-01", f"t{n}", Side.SELL if n % 2 else Side.BUY, 1, 10_000)])
    projector = Projector(engine)
    for batch in market.batches:
        await projector.apply(batch)
    history = SqlHistory(engine)
    query = OrderFilter(account="acct-00")
    everything = (await history.orders(query, limit=1_000)).items
    assert len(everything) == 23
    assert [s.order_id for s in everything] == sorted(
        (s.order_id for s in everything), reverse=True
    )
    for limit in (1, 5, 23, 24):
        assert tuple(await all_pages(lambda **p: history.orders(query, **p), limit)) == everything
    fill_query = FillFilter(account="acct-00")
    fills = (await history.fills(fill_query, limit=1_000)).items
    assert len(fills) == 23
    assert tuple(await all_pages(lambda **p: history.fills(fill_query, **p), 4)) == fills


async def test_rows_projected_between_pages_do_not_shift_them(engine: AsyncEngine) -> None:
    market = Market()
    projector = Projector(engine)
    await projector.apply(market.apply(opening_commands()))
    for n in range(6):
        await projector.apply(market.apply([order("acct-00", f"x{n}", Side.BUY, 1, 9_000)]))
    history = SqlHistory(engine)
    query = OrderFilter(account="acct-00")
    first = await history.orders(query, limit=4)
    for n in range(6, 9):
        await projector.apply(market.apply([order("acct-00", f"x{n}", Side.BUY, 1, 9_000)]))
    rest = await history.orders(query, cursor=first.next_cursor, limit=4)
    assert [s.client_order_id for s in first.items + rest.items] == [
        f"x{n}" for n in range(5, -1, -1)
    ]
    assert rest.next_cursor is None


def forge(cursor: str, edit: Any) -> str:
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    edit(raw)
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).rstrip(b"=").decode()


async def test_cursors_are_checked(engine: AsyncEngine) -> None:
    await trading_day(engine)
    history = SqlHistory(engine)
    query = OrderFilter(account="bob")
    page = await history.orders(query, limit=1)
    cursor = page.next_cursor
    assert cursor is not None
    fill_page = await history.fills(FillFilter(account="bob"), limit=1)
    assert fill_page.next_cursor is not None

    def moved(raw: list[Any]) -> None:
        raw[1][0] += 1

    bad = [
        "",
        "not a cursor!",
        "bm90IGpzb24",  # base64 of "not json"
        cursor[:-3],
        forge(cursor, moved),
        forge(cursor, lambda raw: raw.__setitem__(1, [-1])),
        fill_page.next_cursor,
    ]
    for wrong in bad:
        with pytest.raises(InvalidCursor):
            await history.orders(query, cursor=wrong)
    for other in (OrderFilter(account="alice"), OrderFilter(account="bob", symbol="ACME")):
        with pytest.raises(InvalidCursor):
            await history.orders(other, cursor=cursor)
    with pytest.raises(InvalidCursor):
        await history.fills(FillFilter(account="bob"), cursor=cursor)
    with pytest.raises(InvalidCursor):
        await SqlHistory(engine, secret=b"another key").orders(query, cursor=cursor)
    assert (await history.orders(query, cursor=cursor, limit=1)).items[0].client_order_id == "b2"


async def test_page_size_is_bounded(engine: AsyncEngine) -> None:
    await trading_day(engine)
    history = SqlHistory(engine)
    query = OrderFilter(account="bob")
    assert len((await history.orders(query, limit=0)).items) == 1
    assert len((await history.orders(query, limit=-5)).items) == 1
    assert isinstance(await history.orders(query, limit=10**9), Page)
