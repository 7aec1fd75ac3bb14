"""The projector puts what the exchange did into the database: exactly once, in full."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.config import Durability
from aurex.core.commands import AddSymbol, CancelOrder, DelistSymbol, Deposit, EndOfDay, PlaceOrder
from aurex.core.events import Event, TradeExecuted
from aurex.core.model import OrderType, Side, TimeInForce
from aurex.engine.journal import Journal
from aurex.store.database import create_engine
from aurex.store.projector import Projector
from aurex.store.tables import (
    accounts,
    fills,
    ledger_entries,
    orders,
    positions,
    projector_state,
    stocks,
    trades,
)
from tests.unit.store.flow import (
    Market,
    accepted_ids,
    opening_commands,
    random_flow,
    trade_ids,
)

PROJECTED = (orders, trades, fills, accounts, positions, ledger_entries, stocks, projector_state)


async def dump(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every projected row, in key order, without database-clock columns."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for table in PROJECTED:
            columns = [c for c in table.c if c.name != "created_at"]
            keys = list(table.primary_key.columns)
            rows = await conn.execute(select(*columns).order_by(*keys))
            tables[table.name] = [tuple(row) for row in rows]
    return tables


def flow_market(orders_count: int, seed: int = 11) -> Market:
    market = Market()
    market.apply(opening_commands())
    for _ in random_flow(market.apply, orders_count, seed):
        pass
    return market


async def project_all(engine: AsyncEngine, batches: list[list[Event]]) -> Projector:
    projector = Projector(engine)
    await projector.load()
    for batch in batches:
        await projector.apply(batch)
    return projector


async def assert_matches_exchange(engine: AsyncEngine, market: Market) -> None:
    """Rows agree with the events and with the exchange's own final state."""
    events = market.events()
    fills: dict[int, int] = defaultdict(int)
    for event in events:
        if isinstance(event, TradeExecuted):
            fills[event.buy_order_id] += event.quantity
            fills[event.sell_order_id] += event.quantity
    async with engine.connect() as conn:
        order_rows = (await conn.execute(select(orders).order_by(orders.c.order_id))).all()
        trade_rows = (await conn.execute(select(trades.c.trade_id).order_by("trade_id"))).all()
        cash = dict((await conn.execute(select(accounts.c.user_id, accounts.c.cash_cents))).all())
        shares = {
            (r.user_id, r.symbol): r.shares
            for r in await conn.execute(select(positions))
            if r.shares
        }
        ledger_cash: dict[str, int] = defaultdict(int)
        for r in await conn.execute(select(ledger_entries)):
            ledger_cash[r.user_id] += r.cash_delta_cents
        state = (await conn.execute(select(projector_state.c.last_seq))).scalar()

    assert [r.order_id for r in order_rows] == sorted(accepted_ids(events))
    assert [r.trade_id for r in trade_rows] == sorted(trade_ids(events))
    for row in order_rows:
        assert row.filled_quantity == fills[row.order_id], row
        live = market.exchange.order(row.order_id)
        if live is not None:
            assert (row.status, row.filled_quantity) == (live.status.name, live.filled), row
            assert (row.quantity, row.price) == (live.quantity, live.price_ticks), row
        else:
            assert row.status in {"FILLED", "CANCELLED", "EXPIRED"}, row
            assert (row.status == "FILLED") == (row.filled_quantity == row.quantity), row
    core = market.exchange.accounts
    assert cash == {a: acct.cash_cents for a, acct in core.items()}
    assert dict(ledger_cash) == cash
    assert shares == {
        (a, s): p.shares for a, acct in core.items() for s, p in acct.positions.items() if p.shares
    }
    assert state == market.seq


async def test_a_trade_updates_orders_balances_positions_and_the_stock(
    engine: AsyncEngine,
) -> None:
    market = Market()
    market.apply(opening_commands()[:3])
    market.apply([Deposit(account="alice", symbol="ACME", shares=100)])
    market.apply([Deposit(account="bob", cash_cents=1_000_000)])
    market.apply(
        [
            PlaceOrder(account="alice", client_order_id="a1", symbol="ACME", side=Side.SELL,
                       order_type=OrderType.LIMIT, quantity=100, price_ticks=10_050),
            PlaceOrder(account="bob", client_order_id="b1", symbol="ACME", side=Side.BUY,
                       order_type=OrderType.LIMIT, tif=TimeInForce.IOC, quantity=60,
                       price_ticks=10_100),
        ]
    )  # fmt: skip
    market.apply([CancelOrder(account="alice", client_order_id="a1")])
    await project_all(engine, market.batches)

    async with engine.connect() as conn:
        by_client = {r.client_order_id: r for r in await conn.execute(select(orders))}
        trade = (await conn.execute(select(trades))).one()
        cash = dict((await conn.execute(select(accounts.c.user_id, accounts.c.cash_cents))).all())
        held = {(r.user_id, r.symbol): r.shares for r in await conn.execute(select(positions))}
        acme = (await conn.execute(select(stocks).where(stocks.c.symbol == "ACME"))).one()
        kinds = [r.kind for r in await conn.execute(select(ledger_entries).order_by("id"))]

    sell, buy = by_client["a1"], by_client["b1"]
    assert (sell.status, sell.filled_quantity, sell.cancel_reason) == ("CANCELLED", 60, 1)
    assert (buy.status, buy.filled_quantity, buy.filled_cost_cents) == ("FILLED", 60, 603_000)
    assert (trade.price, trade.quantity, trade.buyer_id, trade.seller_id) == (
        10_050, 60, "bob", "alice"
    )  # fmt: skip
    assert (trade.buy_order_id, trade.sell_order_id) == (buy.order_id, sell.order_id)
    assert cash == {"alice": 603_000, "bob": 397_000}
    assert held == {("alice", "ACME"): 40, ("bob", "ACME"): 60}
    assert (acme.last_price, acme.volume, acme.company_name) == (10_050, 60, "ACME Corp")
    assert acme.market_cap_cents == 10_050 * 10**9
    assert kinds == ["deposit", "deposit", "buy", "sell"]


async def test_projection_of_a_mixed_flow_agrees_with_the_exchange(engine: AsyncEngine) -> None:
    market = flow_market(1_500)
    await project_all(engine, market.batches)
    await assert_matches_exchange(engine, market)


def limit(account: str, cid: str, side: Side, qty: int, price: int, **extra: Any) -> PlaceOrder:
    return PlaceOrder(
        account=account,
        client_order_id=cid,
        symbol="ACME",
        side=side,
        order_type=OrderType.LIMIT,
        quantity=qty,
        price_ticks=price,
        **extra,
    )


async def statuses(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(orders.c.client_order_id, orders.c.status))
        return {r.client_order_id: r.status for r in rows}


async def test_stop_orders_wait_then_trigger_and_day_orders_expire(engine: AsyncEngine) -> None:
    market = Market()
    projector = Projector(engine)
    await projector.apply(market.apply(opening_commands()))
    stop = PlaceOrder(account="acct-00", client_order_id="stop", symbol="ACME", side=Side.BUY,
                      order_type=OrderType.STOP_LIMIT, quantity=5, price_ticks=10_200,
                      stop_price_ticks=10_100)  # fmt: skip
    market.apply([stop, limit("acct-01", "day", Side.SELL, 10, 10_300, tif=TimeInForce.DAY)])
    await projector.apply(market.batches[-1])
    assert await statuses(engine) == {"stop": "PENDING_TRIGGER", "day": "NEW"}

    market.apply([limit("acct-02", "s1", Side.SELL, 3, 10_100)])
    market.apply([limit("acct-03", "b1", Side.BUY, 3, 10_100)])
    await projector.apply(market.batches[-2] + market.batches[-1])
    assert await statuses(engine) == {
        "stop": "NEW", "day": "NEW", "s1": "FILLED", "b1": "FILLED"
    }  # fmt: skip

    market.apply([EndOfDay()])
    await projector.apply(market.batches[-1])
    assert (await statuses(engine))["day"] == "EXPIRED"
    async with engine.connect() as conn:
        acme = (await conn.execute(select(stocks).where(stocks.c.symbol == "ACME"))).one()
    assert (acme.volume, acme.previous_close, acme.last_price) == (0, 10_100, 10_100)
    await assert_matches_exchange(engine, market)


async def test_a_delisted_stock_is_marked_and_a_new_listing_replaces_its_row(
    engine: AsyncEngine,
) -> None:
    market = Market()
    projector = Projector(engine)
    await projector.apply(market.apply(opening_commands()))
    await projector.apply(market.apply([limit("acct-00", "rests", Side.BUY, 5, 9_900)]))
    await projector.apply(market.apply([DelistSymbol(symbol="ACME")]))
    async with engine.connect() as conn:
        acme = (await conn.execute(select(stocks).where(stocks.c.symbol == "ACME"))).one()
    assert acme.delisted_at is not None and acme.company_name == "ACME Corp"
    assert await statuses(engine) == {"rests": "CANCELLED"}

    relisting = AddSymbol(
        symbol="ACME", name="ACME Reborn", reference_price_ticks=500, shares_outstanding=10**6
    )
    await projector.apply(market.apply([relisting]))
    async with engine.connect() as conn:
        acme = (await conn.execute(select(stocks).where(stocks.c.symbol == "ACME"))).one()
    assert acme.delisted_at is None
    assert (acme.company_name, acme.last_price, acme.previous_close) == ("ACME Reborn", 500, 500)
    assert (acme.shares_outstanding, acme.volume) == (10**6, 0)


async def test_replaying_every_batch_again_changes_nothing(engine: AsyncEngine) -> None:
    market = flow_market(800)
    await project_all(engine, market.batches)
    first = await dump(engine)
    projector = await project_all(engine, market.batches)
    assert await dump(engine) == first
    assert projector.last_seq == market.seq


async def test_a_batch_overlapping_what_is_stored_adds_only_the_new_commands(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    market = flow_market(800)
    events = market.events()
    half = events[len(events) // 2].seq
    first = [e for e in events if e.seq <= half]
    overlap = [e for e in events if e.seq > half - 50]
    projector = Projector(engine)
    assert await projector.apply(first) == len(first)
    assert await projector.apply(overlap) == len([e for e in events if e.seq > half])
    await assert_matches_exchange(engine, market)


async def test_a_new_projector_resumes_where_the_stopped_one_left_off(
    engine: AsyncEngine, db_url: str
) -> None:
    market = flow_market(800)
    split = len(market.batches) // 3
    stopped = Projector(engine)
    for batch in market.batches[:split]:
        await stopped.apply(batch)
    await engine.dispose()

    reopened = create_engine(db_url)
    try:
        resumed = Projector(reopened)
        assert await resumed.load() == market.batches[split - 1][-1].seq
        # The feed redelivers from the start: nothing may be written twice.
        for batch in market.batches:
            await resumed.apply(batch)
        await assert_matches_exchange(reopened, market)
    finally:
        await reopened.dispose()


async def test_lag_is_the_distance_to_the_engine(engine: AsyncEngine) -> None:
    market = flow_market(200)
    head = market.seq
    projector = Projector(engine, engine_seq=lambda: head)
    await projector.load()
    assert projector.lag == head
    for batch in market.batches[:5]:
        await projector.apply(batch)
    assert projector.lag == head - market.batches[4][-1].seq
    for batch in market.batches[5:]:
        await projector.apply(batch)
    assert projector.lag == 0

    unwired = Projector(engine)
    await unwired.load()
    assert unwired.lag == 0


async def test_catch_up_from_the_journal_fills_in_missed_commands(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    market = flow_market(800)
    with Journal.open(tmp_path / "journal", durability=Durability.NONE) as journal:
        for command in market.commands:
            journal.append(command)
        journal.flush()
    projector = Projector(engine, max_batch_events=1_000)
    for batch in market.batches[:10]:
        await projector.apply(batch)
    written = await projector.catch_up_from_journal(tmp_path)
    assert written == len([e for b in market.batches[10:] for e in b])
    await assert_matches_exchange(engine, market)
    assert await projector.catch_up_from_journal(tmp_path) == 0
