"""Migrations build exactly the schema the code declares, on a fresh or existing database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, inspect, select, text

from aurex.core.events import OrderAmended
from aurex.store.database import create_engine, sqlite_path
from aurex.store.migrate import schema_differences, upgrade_database
from aurex.store.tables import fills, metadata, orders, trades
from tests.unit.store.test_store_projector import flow_market, project_all


async def test_migrated_schema_matches_table_definitions(db_url: str) -> None:
    await upgrade_database(db_url)
    assert await schema_differences(db_url) == []


async def test_an_empty_database_differs_from_the_definitions(db_url: str) -> None:
    differences = await schema_differences(db_url)
    added = {diff[1].name for diff in differences if diff[0] == "add_table"}
    assert added == set(metadata.tables)


async def test_upgrading_twice_keeps_data_and_schema(db_url: str) -> None:
    await upgrade_database(db_url)
    engine = create_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO projector_state VALUES ('x', 7)"))
        await upgrade_database(db_url)
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            kept = (await conn.execute(text("SELECT last_seq FROM projector_state"))).scalar()
    finally:
        await engine.dispose()
    assert set(metadata.tables) <= tables
    assert kept == 7


async def test_sqlite_file_gets_its_directory_wal_and_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'deep' / 'er' / 'aurex.db'}"
    await upgrade_database(url)
    path = sqlite_path(url)
    assert path is not None and path.is_file()
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await engine.dispose()


OLD_ORDER_COLUMNS = [c for c in orders.c if c.name not in {"leaves_quantity", "created_ts_ns",
                     "updated_ts_ns", "created_at"}]  # fmt: skip


async def test_upgrading_from_0001_back_fills_order_state_and_fills(
    db_url: str, tmp_path: Path
) -> None:
    """Rows projected before 0002 get the leaves, timestamps and fills the projector
    now writes (exactly, for orders never amended between fills)."""
    market = flow_market(400)
    amended = {e.order_id for e in market.events() if isinstance(e, OrderAmended)}
    current_url = f"sqlite+aiosqlite:///{tmp_path / 'current' / 'aurex.db'}"
    await upgrade_database(current_url)
    await upgrade_database(db_url, "0001")
    current, old = create_engine(current_url), create_engine(db_url)
    order_state = select(orders.c.order_id, orders.c.leaves_quantity, orders.c.created_ts_ns)
    try:
        await project_all(current, market.batches)
        async with current.connect() as conn:
            order_rows = [r._asdict() for r in await conn.execute(select(*OLD_ORDER_COLUMNS))]
            trade_rows = [r._asdict() for r in await conn.execute(select(*list(trades.c)[:-1]))]
            expected_orders = (await conn.execute(order_state)).all()
            expected_fills = (await conn.execute(select(fills).order_by("trade_id", "side"))).all()
        async with old.begin() as conn:
            await conn.execute(insert(orders), order_rows)
            await conn.execute(insert(trades), trade_rows)
        await upgrade_database(db_url)
        async with old.connect() as conn:
            got_orders = (await conn.execute(order_state)).all()
            got_fills = (await conn.execute(select(fills).order_by("trade_id", "side"))).all()
    finally:
        await old.dispose()
        await current.dispose()
    assert sorted(got_orders) == sorted(expected_orders)
    assert len(got_fills) == len(expected_fills) > 100
    assert [f for f in got_fills if f.order_id not in amended] == [
        f for f in expected_fills if f.order_id not in amended
    ]
