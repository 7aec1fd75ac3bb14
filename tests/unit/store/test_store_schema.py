"""Migrations build exactly the schema the code declares, on a fresh or existing database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from aurex.store.database import create_engine, sqlite_path
from aurex.store.migrate import schema_differences, upgrade_database
from aurex.store.tables import metadata


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
